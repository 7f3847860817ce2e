"""Eval correlations with missing scores: the block computation equals the pair-by-pair definition;
``to_json_safe`` converts float arrays in one numpy pass and returns what it returned before.

``eval_correlations`` used to correlate each pair of evals in its own Python step whenever any
score was missing (8,116 evals: over 300 s). It now groups evals by which trials they miss. The
reference below is that old loop, kept as the definition: every pair over the trials having both
scores, Spearman as Pearson of the pair's average ranks (``scipy.stats.spearmanr``'s definition).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as sps

from seedtui.core.stats.correlation import average_ranks, eval_correlations
from seedtui.core.stats.grid import build_grid
from seedtui.core.stats.summary import summarize_grid, to_json_safe
from seedtui.state import load_trials
from seedtui.testing.curves import write_sweep

EXACT = 1e-13


def _pair(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(sps.pearsonr(x, y).statistic)


def pairwise_reference(curves: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spearman and Pearson of every pair of evals, one pair at a time, with scipy."""
    finite = np.isfinite(curves)
    evals = curves.shape[1]
    spearman = np.full((evals, evals), np.nan)
    pearson = np.full((evals, evals), np.nan)
    for i in range(evals):
        for j in range(evals):
            both = finite[:, i] & finite[:, j]
            x, y = curves[both, i], curves[both, j]
            pearson[i, j] = _pair(x, y)
            spearman[i, j] = _pair(average_ranks(x), average_ranks(y)) if len(x) else float("nan")
    return spearman, pearson


def _curves(rng: np.random.Generator, trials: int, evals: int) -> np.ndarray:
    # Rounded to a 277-example dev set's steps, so ranks tie as real accuracies do.
    running_mean = rng.normal(0.6, 0.05, (trials, evals)).cumsum(axis=1) / np.arange(1, evals + 1)
    return np.round(running_mean * 277) / 277


def _missing_patterns(rng: np.random.Generator) -> dict[str, np.ndarray]:
    base = _curves(rng, 14, 9)
    one_nan = base.copy()
    one_nan[3, 4] = np.nan
    short_trials = base.copy()  # trials that stopped early: NaN-padded to the longest
    for row, length in enumerate(rng.integers(1, 10, size=14)):
        short_trials[row, length:] = np.nan
    scattered = base.copy()  # every eval misses other trials: as many patterns as evals
    scattered[rng.random(base.shape) < 0.3] = np.nan
    nearly_empty = base.copy()  # evals with 0 or 1 scores left, and one constant over its trials
    nearly_empty[:, 0] = np.nan
    nearly_empty[1:, 1] = np.nan
    nearly_empty[:, 2] = 0.5
    nearly_empty[0, 2] = np.nan
    nearly_empty[5, 6] = -np.inf
    return {
        "one NaN": one_nan,
        "short trials": short_trials,
        "scattered": scattered,
        "nearly empty": nearly_empty,
    }


@pytest.mark.parametrize("pattern", ["one NaN", "short trials", "scattered", "nearly empty"])
def test_missing_scores_match_the_pair_by_pair_definition(pattern: str) -> None:
    curves = _missing_patterns(np.random.default_rng(15))[pattern]
    spearman, pearson = eval_correlations(curves)
    expected_spearman, expected_pearson = pairwise_reference(curves)
    for got, expected in ((spearman, expected_spearman), (pearson, expected_pearson)):
        assert np.array_equal(np.isnan(got), np.isnan(expected))
        assert np.nanmax(np.abs(got - expected), initial=0.0) <= EXACT
        assert np.array_equal(got, got.T, equal_nan=True)


def test_one_missing_score_changes_only_its_evals_pairs() -> None:
    curves = _curves(np.random.default_rng(3), 20, 12)
    full_spearman, full_pearson = eval_correlations(curves)
    curves[7, 5] = np.nan
    spearman, pearson = eval_correlations(curves)
    others = np.arange(12) != 5
    # Pairs that do not involve eval 5 keep every trial: they are the complete-data answers.
    for got, full in ((spearman, full_spearman), (pearson, full_pearson)):
        assert np.abs(got[np.ix_(others, others)] - full[np.ix_(others, others)]).max() <= EXACT
        assert np.isfinite(got[5]).all()


def _json_safe_reference(value: object) -> object:
    """``to_json_safe`` as it was: an array as its ``tolist()``, then each number on its own."""
    if isinstance(value, np.ndarray):
        return _json_safe_reference(value.tolist())
    if isinstance(value, list):
        return [_json_safe_reference(v) for v in value]
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    return value


@pytest.mark.parametrize("array", [
    np.array([[1.5, np.nan, -0.0], [np.inf, -np.inf, 2.0]]),
    np.array([0.1, 0.2], dtype=np.float32),
    np.array(3.5),
    np.array(np.nan),
    np.zeros((2, 0)),
    np.array([1, 2, 3]),
    np.array([True, False]),
])
def test_json_safe_arrays_as_before(array: np.ndarray) -> None:
    got = to_json_safe(array)
    expected = _json_safe_reference(array)
    assert json.dumps(got, allow_nan=False) == json.dumps(expected, allow_nan=False)
    assert type(got) is type(expected)


def test_summary_of_a_sweep_with_missing_scores_is_plain_json(tmp_path: Path) -> None:
    """The whole summary through the new paths: None where undefined, the reference's numbers."""
    curves = _curves(np.random.default_rng(8), 12, 6)
    curves[2, 3] = np.nan
    write_sweep(tmp_path, curves, 3, 4)
    grid = build_grid(load_trials(tmp_path, skip_train=True))
    summary = summarize_grid(grid)
    json.dumps(summary, allow_nan=False)
    spearman, pearson = pairwise_reference(grid.curves)
    assert np.allclose(np.array(summary["correlation"]["pearson"], dtype=float), pearson,
                       rtol=0, atol=EXACT, equal_nan=True)
    assert np.allclose(np.array(summary["correlation"]["spearman"], dtype=float), spearman,
                       rtol=0, atol=EXACT, equal_nan=True)
