"""The pure array helpers that lay out the figures."""

from __future__ import annotations

import numpy as np

from seedtui.report.arrays import float_array, order_by_mean, per_seed_sd, sample_indices, tick_positions

NAN = np.nan


def test_float_array_turns_null_into_nan() -> None:
    values = float_array([[1, None], [None, 0.5]])
    assert values.shape == (2, 2)
    assert np.isnan(values[0, 1]) and np.isnan(values[1, 0]) and values[1, 1] == 0.5
    assert float_array(None).size == 0


def test_order_by_mean_worst_first_in_the_metric_direction() -> None:
    scores = np.array([[0.6, 0.7], [0.9, NAN], [0.5, 0.5], [NAN, NAN]])
    # Row means: 0.65, 0.9 (NaN skipped), 0.5, none; the all-missing row comes first.
    assert order_by_mean(scores, axis=0).tolist() == [3, 2, 0, 1]
    assert order_by_mean(scores, axis=0, greater_is_better=False).tolist() == [3, 1, 0, 2]
    # Column means: 2.0/3 and 0.6.
    assert order_by_mean(scores, axis=1).tolist() == [1, 0]


def test_order_by_mean_keeps_seed_order_on_ties() -> None:
    assert order_by_mean(np.array([[1.0], [1.0], [0.0]]), axis=0).tolist() == [2, 0, 1]


def test_per_seed_sd_is_the_population_sd_of_each_row_or_column() -> None:
    scores = np.array([[0.5, 0.7, 0.9], [0.6, NAN, 0.6], [0.1, NAN, NAN]])
    rows = per_seed_sd(scores, axis=0)
    assert np.allclose(rows, [np.std([0.5, 0.7, 0.9]), 0.0])  # the one-cell row is dropped
    columns = per_seed_sd(scores, axis=1)
    assert np.allclose(columns, [np.std([0.5, 0.6, 0.1]), np.std([0.9, 0.6])])


def test_sample_indices_are_seeded_distinct_and_sorted() -> None:
    first = sample_indices(100, 20, seed=3)
    assert first.tolist() == sample_indices(100, 20, seed=3).tolist()
    assert first.tolist() != sample_indices(100, 20, seed=4).tolist()
    assert len(set(first.tolist())) == 20 and first.tolist() == sorted(first.tolist())
    assert sample_indices(5, 20, seed=0).tolist() == [0, 1, 2, 3, 4]


def test_tick_positions_are_few_and_keep_the_last() -> None:
    assert tick_positions(5).tolist() == [0, 1, 2, 3, 4]
    ticks = tick_positions(100, 10)
    assert len(ticks) <= 11 and ticks[0] == 0 and ticks[-1] == 99
