"""The one "better in the metric's direction" rule and the one ordering of seeds by mean."""

from __future__ import annotations

import math

import numpy as np

from seedtui.core.direction import (
    best_array,
    best_score,
    rank_by_mean,
    running_best_array,
    seed_means,
    sort_key,
)

NAN = np.nan


def test_best_score_ignores_missing_values_in_both_directions() -> None:
    assert best_score([0.2, NAN, 0.7, None, math.inf, 0.5], True) == 0.7
    assert best_score([0.2, NAN, 0.7, -math.inf], False) == 0.2
    assert best_score([NAN, None], True) is None and best_score([], False) is None


def test_sort_key_puts_better_first_and_missing_last() -> None:
    scores = [0.5, None, 0.9, NAN, 0.1]
    assert sorted(scores, key=lambda s: sort_key(s, True))[:3] == [0.9, 0.5, 0.1]
    assert sorted(scores, key=lambda s: sort_key(s, False))[:3] == [0.1, 0.5, 0.9]
    assert sort_key(0.3, True) == sort_key(0.3, True)  # ties are left to the caller
    assert sort_key(0.4, True) < sort_key(None, True) and sort_key(0.1, False) < sort_key(0.4, False)


def test_array_forms_agree_with_the_scalar_rule() -> None:
    curves = np.array([[0.1, 0.5, 0.3], [0.4, NAN, 0.6], [NAN, NAN, NAN]])
    assert best_array(curves, True, axis=1)[:2].tolist() == [0.5, 0.6]
    assert np.isnan(best_array(curves, True, axis=1)[2])
    assert best_array(curves, False, axis=1)[:2].tolist() == [0.1, 0.4]
    for row in curves[:2]:
        assert best_array(row[None, :], True)[0] == best_score(row.tolist(), True)
    assert running_best_array(curves, False)[0].tolist() == [0.1, 0.1, 0.1]
    assert best_array(np.zeros((2, 0)), True).shape == (2,)


def test_rank_by_mean_worst_first_in_the_metric_direction() -> None:
    scores = np.array([[0.6, 0.7], [0.9, NAN], [0.5, 0.5], [NAN, NAN]])
    # Row means: 0.65, 0.9 (NaN skipped), 0.5, none; the all-missing row comes first.
    assert rank_by_mean(scores, 0) == [3, 2, 0, 1]
    assert rank_by_mean(scores, 0, greater_is_better=False) == [3, 1, 0, 2]
    # Column means: 2.0/3 and 0.6.
    assert rank_by_mean(scores, 1) == [1, 0]


def test_rank_by_mean_ranks_the_lower_seed_lower_on_ties() -> None:
    assert rank_by_mean(np.array([[1.0], [1.0], [0.0]]), 0) == [2, 0, 1]
    tied = np.array([[0.5, 0.7], [0.7, 0.5], [0.6, 0.6]])  # all three means are 0.6
    assert rank_by_mean(tied, 0, seeds=[3, 1, 2]) == [1, 2, 0]  # seeds 1, 2, 3
    assert rank_by_mean(tied, 0, seeds=[3, 1, 2], greater_is_better=False) == [1, 2, 0]


def test_rank_by_mean_uses_the_means_as_computed() -> None:
    """RTE's DO seeds 2 and 3 (sample_logs/rte-minilm-5x5) have equal score sums in exact
    arithmetic (163/277 each), but the double-precision means differ in the last bit: DO 3 ranks
    lower, as in the authors' notebook."""
    do2 = [0.6028880866425993, 0.5667870036101083, 0.5992779783393501, 0.5956678700361011, 0.5776173285198556]
    do3 = [0.5848375451263538, 0.5631768953068592, 0.5776173285198556, 0.628158844765343, 0.5884476534296029]
    grid = np.array([do2, do3]).T  # columns are DO seeds 2 and 3
    means = seed_means(grid, 1)
    assert means[1] < means[0]
    assert rank_by_mean(grid, 1, seeds=[2, 3]) == [1, 0]
