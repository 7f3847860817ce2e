"""The planner's per-decision-point tables, built in blocks, equal their definition.

``DecisionPointTables`` used to hold, for every group of tied early scores, the counts of trials at
or below every threshold, and raise them to every power: quadratic in the trials when every score
differs (2,500 trials: 27 s and 595 MB for ``seedtui plan``). It now builds the tables a block of
groups at a time with a binomial expansion. These tests compute each table entry from its
definition, a threshold at a time, on inputs that span many blocks, ties, trials without an early
score and both sampling modes.
"""

from __future__ import annotations

import numpy as np
import pytest

from seedtui.core.stats.early_stopping import DecisionPointTables, early_and_final, expected_best_tfp
from seedtui.testing.curves import rte_like_curves


def _power(count: float, total: float, n: int, replacement: bool) -> float:
    """P_n: n draws all among ``count`` of ``total`` items (with or without replacement)."""
    value = 1.0
    for i in range(n):
        if replacement:
            value *= count / total if total > 0 else 0.0
        else:
            value *= max(count - i, 0.0) / (total - i) if total - i > 0 else 0.0
    return value


def reference_tables(early: np.ndarray, final: np.ndarray, p_max: int, replacement: bool
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Lambda_g(m, r) = sum_s dx_s P_m(above g, <= x_s) P_r(in g, <= x_s), for singleton groups
    (r irrelevant) and tie groups, one threshold at a time; dx has two columns (x, x^2)."""
    centre = float(np.median(final))
    thresholds = np.unique(final - centre)
    steps = np.stack([np.diff(thresholds), np.diff(thresholds**2)], axis=1)
    levels = np.unique(-early)  # best early score first
    singles, multis = [], []
    for level in levels:
        inside = -early == level
        above = -early < level
        rows = np.zeros((p_max, p_max + 1, 2))
        for s, x in enumerate(thresholds[:-1]):
            count_in = float(np.sum(final[inside] - centre <= x))
            count_above = float(np.sum(final[above] - centre <= x))
            by_m = [_power(count_above, float(above.sum()), m, replacement) for m in range(p_max)]
            by_r = [_power(count_in, float(inside.sum()), r, replacement) for r in range(p_max + 1)]
            rows += np.multiply.outer(np.outer(by_m, by_r), steps[s])
        if inside.sum() == 1:
            singles.append(rows[:, 1, :])  # F_g is 0 or 1: any r >= 1 gives the same
        else:
            multis.append(rows)
    return (np.array(singles).reshape(-1, p_max, 2), np.array(multis).reshape(-1, p_max, p_max + 1, 2))


def _curves(kind: str) -> np.ndarray:
    if kind == "every score differs":
        return rte_like_curves(7, 8, 6, seed=5, quantise=False)
    if kind == "accuracies (ties)":
        return rte_like_curves(7, 8, 6, seed=6)
    curves = np.round(rte_like_curves(7, 8, 6, seed=7, quantise=False), 2)  # ties and distinct scores
    curves[3, :3] = np.nan  # no early score at k <= 3: ranks below every other trial
    curves[11, :2] = np.nan
    return curves


@pytest.mark.parametrize("kind", ["every score differs", "accuracies (ties)", "mixed, with missing"])
@pytest.mark.parametrize("replacement", [True, False])
def test_tables_equal_their_definition(kind: str, replacement: bool) -> None:
    curves = _curves(kind)
    for k, p_max in ((1, 4), (3, 6), (5, 2)):
        early, final = early_and_final(curves, k)
        tables = DecisionPointTables(early, final, p_max, replacement=replacement)
        singles, multis = reference_tables(early, final, p_max, replacement)
        assert tables.lambda_single.shape == singles.shape
        assert tables.lambda_multi.shape == multis.shape
        assert np.allclose(tables.lambda_single, singles, rtol=1e-12, atol=1e-15)
        assert np.allclose(tables.lambda_multi, multis, rtol=1e-12, atol=1e-15)


def test_many_blocks_and_high_powers_give_the_simulated_answer() -> None:
    """300 trials (about 19 blocks of groups), p up to 25: exact result within the Monte-Carlo
    estimate's error, and the same (to rounding) at every p whichever block a trial falls in."""
    curves = rte_like_curves(15, 20, 10, seed=11, quantise=False)
    mean, sd = expected_best_tfp(curves, 60, 3, 25)
    rng = np.random.default_rng(0)
    draws = 20_000
    early, final = early_and_final(curves, 3)
    picks = rng.integers(0, len(final), size=(draws, 60))
    order = np.argsort(-early[picks], axis=1, kind="stable")
    kept = np.take_along_axis(picks, order[:, :25], axis=1)
    results = final[kept].max(axis=1)
    assert abs(mean - results.mean()) < 5 * results.std() / np.sqrt(draws)
    assert sd == pytest.approx(results.std(), rel=0.05)
