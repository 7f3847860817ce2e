"""Expected validation performance on hand-computed cases, edge cases and properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seedtui.core.stats.evp import expected_max_of_draws, expected_validation_performance


def test_three_values_by_hand() -> None:
    result = expected_validation_performance(np.array([3.0, 1.0, 2.0]))
    assert result.n.tolist() == [1, 2, 3]
    # n = 1: the plain mean and population sd.
    assert result.mean[0] == pytest.approx(2.0, abs=1e-15)
    assert result.sd[0] == pytest.approx(math.sqrt(2 / 3), abs=1e-15)
    # n = 2: P = (1/9, 3/9, 5/9) -> 22/9.
    assert result.mean[1] == pytest.approx(22 / 9, abs=1e-15)
    second = (1 * 1 + 3 * 4 + 5 * 9) / 9
    assert result.sd[1] == pytest.approx(math.sqrt(second - (22 / 9) ** 2), abs=1e-14)
    # n = 3: P = (1/27, 7/27, 19/27).
    assert result.mean[2] == pytest.approx((1 + 14 + 57) / 27, abs=1e-15)
    # Without replacement: best of 2 distinct of {1, 2, 3} is 2 w.p. 1/3, 3 w.p. 2/3.
    assert result.mean_unbiased.tolist() == pytest.approx([2.0, 8 / 3, 3.0], abs=1e-14)


def test_nan_scores_are_ignored() -> None:
    with_nan = expected_validation_performance(np.array([1.0, np.nan, 3.0, 2.0]))
    without = expected_validation_performance(np.array([1.0, 3.0, 2.0]))
    assert with_nan.n.tolist() == [1, 2, 3]
    assert np.allclose(with_nan.mean, without.mean)


def test_lower_is_better_is_handled_by_sign() -> None:
    values = np.array([0.3, 0.1, 0.7, 0.2])
    lower = expected_validation_performance(values, greater_is_better=False)
    negated = expected_validation_performance(-values)
    assert np.allclose(lower.mean, -negated.mean)
    assert np.allclose(lower.sd, negated.sd)
    # Best of many draws approaches the minimum.
    assert lower.mean[-1] < lower.mean[0]
    assert lower.mean_unbiased[-1] == pytest.approx(0.1)


def test_single_and_empty_and_all_equal() -> None:
    one = expected_validation_performance(np.array([0.7]))
    assert one.mean.tolist() == [0.7] and one.sd.tolist() == [0.0] and one.mean_unbiased.tolist() == [0.7]
    empty = expected_validation_performance(np.array([np.nan]))
    assert len(empty.n) == 0 and len(empty.mean) == 0
    equal = expected_validation_performance(np.full(5, 0.5))
    assert np.allclose(equal.mean, 0.5) and np.all(equal.sd == 0.0)


def test_expected_max_of_draws_matches_enumeration() -> None:
    values = np.array([0.2, 0.5, 0.5, 0.9])
    draws = np.array(np.meshgrid(*[values] * 3)).reshape(3, -1).max(axis=0)
    mean, sd = expected_max_of_draws(values, 3)
    assert mean == pytest.approx(draws.mean(), abs=1e-14)
    assert sd == pytest.approx(draws.std(), abs=1e-13)
    with pytest.raises(ValueError):
        expected_max_of_draws(values, 5, replacement=False)


scores = st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=40)


@given(scores)
@settings(max_examples=200, deadline=None)
def test_expected_max_is_monotone_and_bounded(values: list[float]) -> None:
    result = expected_validation_performance(np.array(values))
    low, high = min(values), max(values)
    tolerance = 1e-9 * max(1.0, abs(low), abs(high))
    for series in (result.mean, result.mean_unbiased):
        assert np.all(np.diff(series) >= -tolerance)
        assert np.all(series >= low - tolerance) and np.all(series <= high + tolerance)
    assert np.all(result.sd >= 0.0)
    assert result.mean_unbiased[-1] == pytest.approx(high, abs=tolerance)


@given(scores)
@settings(max_examples=100, deadline=None)
def test_lower_is_better_is_monotone_the_other_way(values: list[float]) -> None:
    result = expected_validation_performance(np.array(values), greater_is_better=False)
    tolerance = 1e-9 * max(1.0, *map(abs, values))
    assert np.all(np.diff(result.mean) <= tolerance)
    assert np.all(result.mean >= min(values) - tolerance) and np.all(result.mean <= max(values) + tolerance)
