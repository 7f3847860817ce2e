"""A trial's growing steps and losses (``seedtui.state.series.Series``) read as the list they replace."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seedtui.state.series import Series

_FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64)
_OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("append"), _FLOATS),
        st.tuples(st.just("extend list"), st.lists(_FLOATS, max_size=5)),
        st.tuples(st.just("extend array"), st.lists(_FLOATS, max_size=5)),
        st.tuples(st.just("read"), st.just(None)),
    ),
    max_size=25,
)


def _same(a: list[float], b: list[float]) -> bool:
    pairs = zip(a, b, strict=False)
    return len(a) == len(b) and all(x == y or (math.isnan(x) and math.isnan(y)) for x, y in pairs)


@settings(max_examples=150, deadline=None)
@given(_OPERATIONS)
def test_any_mix_of_growing_and_reading_reads_as_a_list(operations: list[tuple[str, object]]) -> None:
    series, model = Series(), []
    for name, value in operations:
        if name == "append":
            series.append(value)
            model.append(value)
        elif name == "extend list":
            series.extend(list(value))  # type: ignore[call-overload]
            model.extend(value)  # type: ignore[arg-type]
        elif name == "extend array":
            series.extend(np.array(value, dtype=float))  # type: ignore[call-overload]
            model.extend(value)  # type: ignore[arg-type]
        else:
            assert _same(series.array().tolist(), model)
        assert len(series) == len(model) and bool(series) == bool(model)
        if model:
            last = series[-1]
            assert last == model[-1] or (math.isnan(last) and math.isnan(model[-1]))
            assert _same(series[-2:], model[-2:]) and _same(series[:1], model[:1])
    assert _same(list(series), model) and _same(series.tolist(), model)
    assert _same(np.asarray(series).tolist(), model)
    assert series == model and series == Series(model)  # NaN equal to NaN
    again = pickle.loads(pickle.dumps(series))
    assert again == series and again.dtype == series.dtype


def test_arrays_are_kept_not_copied_and_read_only() -> None:
    recorded = np.arange(5, dtype=np.int64)
    steps = Series(dtype=np.int64)
    steps.extend(recorded[1:4])
    whole = steps.array()
    assert np.shares_memory(whole, recorded) and not whole.flags.writeable
    assert steps.array() is whole  # made once until the series grows
    steps.append(9)
    assert steps.array().tolist() == [1, 2, 3, 9] and recorded.tolist() == [0, 1, 2, 3, 4]
    assert type(steps[0]) is int and type(steps[-1]) is int and steps[1:3] == [2, 3]
    losses = Series([0.5, 0.25])
    assert type(losses[-1]) is float and losses.dtype == np.float64
    assert np.asarray(losses, dtype=np.float32).dtype == np.float32


def test_what_a_list_does_not_do_a_series_does_not_either() -> None:
    empty = Series()
    with pytest.raises(IndexError):
        empty[-1]
    assert empty.array().tolist() == [] and not empty and empty == []
    with pytest.raises(ValueError, match="one-dimensional"):
        empty.extend(np.zeros((2, 2)))
    with pytest.raises(TypeError):
        hash(empty)
    assert Series([1, 2]) != [1, 2, 3] and Series([1, 2]) != Series([2, 1])
    assert (Series([1]) == "1") is False
