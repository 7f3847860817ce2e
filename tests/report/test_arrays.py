"""The pure array helpers that lay out the figures (the ordering by means and per-seed SDs they
used to hold are tested in tests/stats/test_direction.py and test_seed_variance_anova.py)."""

from __future__ import annotations

import numpy as np

from seedtui.report.arrays import float_array, sample_indices, tick_positions


def test_float_array_turns_null_into_nan() -> None:
    values = float_array([[1, None], [None, 0.5]])
    assert values.shape == (2, 2)
    assert np.isnan(values[0, 1]) and np.isnan(values[1, 0]) and values[1, 1] == 0.5
    assert float_array(None).size == 0


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
