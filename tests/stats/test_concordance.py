"""WI seeds across sweeps: ranks, Kendall's W, the Friedman test and the permutation test of W,
against hand-computed values and scipy (seedtui.core.stats.concordance), and the comparison of
sweep directories (seedtui.core.stats.wi_comparison)."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats as scipy_stats

from seedtui.core.stats.concordance import (
    friedman_test,
    kendall_w,
    permutation_test_w,
    rank_table,
    ranks_within,
    sweep_seed_means,
)
from seedtui.core.stats.wi_comparison import ComparisonError, compare_sweeps
from seedtui.testing.trial_log import write_trial

# Three sweeps ranking four seeds: rank sums 4, 6, 8, 12 around their mean 7.5, so S = 35 and
# W = 12 * 35 / (3^2 * (4^3 - 4)) = 7/9; Friedman's statistic is m (n - 1) W = 7.
UNTIED = np.array([[1, 2, 3, 4], [1, 3, 2, 4], [2, 1, 3, 4]], dtype=float)
# The same with seeds 2 and 3 tied in the first sweep: rank sums 4, 5.5, 8.5, 12, S = 37.5, one
# tie of 2 (t^3 - t = 6), so W = 12 * 37.5 / (9 * 60 - 3 * 6) = 450/522.
TIED = np.array([[1, 2.5, 2.5, 4], [1, 2, 3, 4], [2, 1, 3, 4]], dtype=float)


def test_ranks_are_one_for_the_best_in_the_metric_direction_with_ties_averaged() -> None:
    values = np.array([0.5, 0.7, 0.7, 0.6])
    assert ranks_within(values, greater_is_better=True).tolist() == [4.0, 1.5, 1.5, 3.0]
    assert ranks_within(values, greater_is_better=False).tolist() == [1.0, 3.5, 3.5, 2.0]
    assert ranks_within(values, True).tolist() == scipy_stats.rankdata(-values).tolist()


def test_kendall_w_by_hand() -> None:
    assert kendall_w(UNTIED) == pytest.approx(7 / 9)
    assert kendall_w(TIED) == pytest.approx(450 / 522)
    assert kendall_w(np.array([[1, 2, 3], [1, 2, 3]], dtype=float)) == pytest.approx(1.0)
    assert kendall_w(np.array([[1, 2], [2, 1]], dtype=float)) == pytest.approx(0.0)


def test_friedman_by_hand() -> None:
    untied = friedman_test(UNTIED)
    assert untied.statistic == pytest.approx(7.0)
    assert untied.p == pytest.approx(scipy_stats.chi2.sf(7.0, 3))
    assert friedman_test(TIED).statistic == pytest.approx(3 * 3 * 450 / 522)


@pytest.mark.parametrize("seed", range(6))
def test_w_and_friedman_agree_with_scipy_on_small_tables_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    sweeps, seeds = 2 + seed % 3, 3 + seed % 4
    scores = rng.integers(0, 4, size=(sweeps, seeds)).astype(float)  # few values: many ties
    ranks = np.array([ranks_within(row, True) for row in scores])
    if np.all(ranks == ranks[:, :1]):
        pytest.skip("every sweep ties every seed")
    expected = scipy_stats.friedmanchisquare(*scores.T)  # scipy ranks the raw scores itself
    result = friedman_test(ranks)
    assert result.statistic == pytest.approx(expected.statistic)
    assert result.p == pytest.approx(expected.pvalue)
    assert kendall_w(ranks) == pytest.approx(expected.statistic / (sweeps * (seeds - 1)))


def test_friedman_needs_three_seeds_and_w_needs_some_untied_sweep() -> None:
    two_seeds = np.array([[1, 2], [1, 2], [2, 1]], dtype=float)
    assert kendall_w(two_seeds) == pytest.approx(1 / 9)
    assert math.isnan(friedman_test(two_seeds).statistic)
    all_tied = np.full((3, 4), 2.5)
    assert math.isnan(kendall_w(all_tied)) and math.isnan(friedman_test(all_tied).p)
    assert math.isnan(permutation_test_w(all_tied, 100).p)


def test_a_seed_missing_from_one_sweep_is_left_out_and_the_rest_re_ranked() -> None:
    grid = np.array([[0.6, 0.7], [0.5, 0.5], [0.8, 0.8], [0.9, 0.9]])
    first = sweep_seed_means("a", [1, 2, 3, 4], grid, True)
    # WI 3 has no finite score in "b" and WI 4 is not there at all; "b" is a loss (lower is better).
    second = sweep_seed_means("b", [1, 2, 3], np.array([[0.2, 0.4], [0.1, np.nan], [np.nan, np.nan]]), False)
    table = rank_table([first, second])
    assert table.wi_seeds == [1, 2]
    assert table.mean_best.tolist() == [pytest.approx([0.65, 0.5]), pytest.approx([0.3, 0.1])]
    assert table.ranks.tolist() == [[1.0, 2.0], [2.0, 1.0]]
    assert table.mean_rank.tolist() == [1.5, 1.5]


def test_permutation_test_is_reproducible_with_its_seed() -> None:
    first = permutation_test_w(TIED, 3000, seed=7)
    assert first == permutation_test_w(TIED, 3000, seed=7)
    assert first.n == 3000 and first.seed == 7
    assert first.p != permutation_test_w(TIED, 3000, seed=8).p


def test_permutation_p_matches_the_exact_enumeration() -> None:
    ranks = np.array([[1, 2, 3], [1, 3, 2]], dtype=float)
    observed = kendall_w(ranks)
    orders = itertools.product(itertools.permutations(ranks[0]), itertools.permutations(ranks[1]))
    shuffles = [np.array(pair) for pair in orders]
    exact = np.mean([kendall_w(s) >= observed - 1e-12 for s in shuffles])
    # W depends on the second order relative to the first: the same order gives W = 1, a swap of
    # neighbouring ranks 3/4 (two of the three swaps), the rest 1/4 or 0: 3 of 6, so 18 of 36 pairs.
    assert exact == pytest.approx(18 / 36)
    result = permutation_test_w(ranks, 20_000, seed=0)
    assert result.p == pytest.approx(exact, abs=0.01)


def test_identical_rankings_are_rarely_matched_by_chance() -> None:
    ranks = np.tile(np.arange(1.0, 6.0), (3, 1))
    assert kendall_w(ranks) == pytest.approx(1.0)
    # Chance of three shuffles of 5 seeds all agreeing: (1/120)^2.
    assert permutation_test_w(ranks, 5_000, seed=0).p < 0.002


# --- whole sweeps ----------------------------------------------------------------------------------
def write_seed_sweep(root: Path, wi_means: dict[int, float], *, do_seeds: int = 2, **start: Any) -> Path:
    """A sweep whose WI seed w scores wi_means[w] + 0.01 * DO seed at its best eval."""
    for wi, mean in wi_means.items():
        for do in range(do_seeds):
            write_trial(root, wi, do, [0.5, mean + 0.01 * do, 0.5], evals_per_epoch=3, **start)
    return root


def test_compare_sweeps_json_has_the_keys_of_the_issue(tmp_path: Path) -> None:
    write_seed_sweep(tmp_path / "a", {1: 0.6, 2: 0.7, 3: 0.8})
    write_seed_sweep(tmp_path / "b", {1: 0.6, 2: 0.8, 3: 0.7, 4: 0.9})
    write_seed_sweep(tmp_path / "c", {1: 0.3, 2: 0.2, 3: 0.1}, metric="loss", greater_is_better=False)
    result = compare_sweeps([tmp_path / "a", tmp_path / "b", tmp_path / "c"], permutations=500, seed=3)
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert list(data) == ["sweeps", "wi_seeds", "mean_best", "ranks", "mean_rank", "kendall_w", "friedman",
                          "permutation"]
    assert data["sweeps"] == ["a", "b", "c"] and data["wi_seeds"] == [1, 2, 3]
    assert data["mean_best"]["a"] == pytest.approx([0.605, 0.705, 0.805])
    assert data["ranks"] == {"a": [3.0, 2.0, 1.0], "b": [3.0, 1.0, 2.0], "c": [3.0, 2.0, 1.0]}
    assert data["mean_rank"] == pytest.approx([3.0, 5 / 3, 4 / 3])
    # Rank sums 9, 5, 4 around 6: S = 14, W = 12 * 14 / (9 * 24) = 7/9.
    assert data["kendall_w"] == pytest.approx(7 / 9)
    assert data["friedman"]["statistic"] == pytest.approx(3 * 2 * 7 / 9)
    assert data["permutation"]["n"] == 500 and 0 < data["permutation"]["p"] <= 1
    assert result.metrics == ["acc", "acc", "loss"] and result.left_out == []


def test_comparisons_that_do_not_apply_say_why(tmp_path: Path) -> None:
    write_seed_sweep(tmp_path / "a", {1: 0.6, 2: 0.7})
    write_seed_sweep(tmp_path / "b", {2: 0.6, 3: 0.7})
    write_seed_sweep(tmp_path / "other-model", {1: 0.6, 2: 0.7}, model="bert-large")
    write_seed_sweep(tmp_path / "three-labels", {1: 0.6, 2: 0.7}, num_labels=3, head_init_std=0.02)
    with pytest.raises(ComparisonError, match="at least 2 sweeps; found 1"):
        compare_sweeps([tmp_path / "a"])
    with pytest.raises(ComparisonError, match="2 WI seeds common to every sweep; found 1"):
        compare_sweeps([tmp_path / "a", tmp_path / "b"])
    with pytest.raises(ComparisonError, match="different head in other-model .*bert-large"):
        compare_sweeps([tmp_path / "a", tmp_path / "other-model"])
    with pytest.raises(ComparisonError, match="three-labels .*3 labels"):
        compare_sweeps([tmp_path / "a", tmp_path / "three-labels"])
    with pytest.raises(ComparisonError, match="does not exist"):
        compare_sweeps([tmp_path / "a", tmp_path / "nowhere"])


def test_a_folder_leaves_out_a_sweep_that_shares_no_seeds(tmp_path: Path) -> None:
    write_seed_sweep(tmp_path / "runs" / "a", {1: 0.6, 2: 0.7, 3: 0.8})
    write_seed_sweep(tmp_path / "runs" / "b", {1: 0.6, 2: 0.8, 3: 0.7})
    write_seed_sweep(tmp_path / "runs" / "far", {11: 0.6, 12: 0.7})
    write_trial(tmp_path / "runs" / "live", 1, 1, [0.5], status=None)  # nothing completed yet
    result = compare_sweeps([tmp_path / "runs"], permutations=100)
    assert result.table.sweeps == ["a", "b"] and result.table.wi_seeds == [1, 2, 3]
    assert result.left_out == [f"live: no usable (completed) trials in {tmp_path / 'runs' / 'live'}",
                               "far (WI 11, 12): shares fewer than 2 WI seeds with the others"]
    # Named on its own, the same sweep is compared or refused, never dropped.
    with pytest.raises(ComparisonError, match="found 0"):
        compare_sweeps([tmp_path / "runs" / "a", tmp_path / "runs" / "far"])
