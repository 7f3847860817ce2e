"""A trial's training steps or losses: numbers that only grow, kept for NumPy.

A live log appends them one at a time; a replay folds in a whole recorded run at once, as the
array its reader already holds (a 625-trial replay folded 312,000 losses, and turning them into
Python floats took 11 ms of the 40 ms fold). The panes read them as one array (the 625 faint
curves), the rest as a list would be read: its length, its last value, a slice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, overload

import numpy as np


class Series:
    """Numbers of one dtype, appended one by one or a whole array at a time, read as one array
    (``array()``, or ``np.asarray``) or like a list (``len``, ``[-1]``, slices, iteration)."""

    __slots__ = ("_dtype", "_parts", "_tail", "_length", "_whole")

    def __init__(self, values: Iterable[Any] | np.ndarray = (), *, dtype: Any = np.float64) -> None:
        self._dtype = np.dtype(dtype)
        self._parts: list[np.ndarray] = []
        """Arrays folded in whole, in order, before ``_tail``."""
        self._tail: list[Any] = []
        """Values appended one by one since the last part."""
        self._length = 0
        self._whole: np.ndarray | None = None
        """Every value as one read-only array, while nothing was added since it was made."""
        self.extend(values)

    # --- growing -----------------------------------------------------------------------------
    def append(self, value: Any) -> None:
        self._tail.append(value)
        self._length += 1
        self._whole = None

    def extend(self, values: Iterable[Any] | np.ndarray) -> None:
        """Add ``values`` at the end; an array is kept as it is (never copied, never written)."""
        if isinstance(values, np.ndarray):
            if values.ndim != 1:
                raise ValueError("a series grows by one-dimensional arrays")
            if len(values):
                self._close_tail()
                self._parts.append(values.astype(self._dtype, copy=False))
                self._length += len(values)
                self._whole = None
            return
        before = len(self._tail)
        self._tail.extend(values)
        if len(self._tail) != before:
            self._length += len(self._tail) - before
            self._whole = None

    def _close_tail(self) -> None:
        if self._tail:
            self._parts.append(np.array(self._tail, dtype=self._dtype))
            self._tail = []

    # --- reading -------------------------------------------------------------------------------
    @property
    def dtype(self) -> np.dtype[Any]:
        return self._dtype

    def array(self) -> np.ndarray:
        """Every value as one read-only array (made once, until the series grows again)."""
        if self._whole is None:
            self._close_tail()
            if not self._parts:
                whole = np.empty(0, dtype=self._dtype)
            elif len(self._parts) == 1:
                whole = self._parts[0].view()
            else:
                whole = np.concatenate(self._parts)
                self._parts = [whole]
            whole.flags.writeable = False
            self._whole = whole
        return self._whole

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        whole = self.array()
        if dtype is not None and np.dtype(dtype) != whole.dtype:
            return whole.astype(dtype)
        return whole.copy() if copy else whole

    def tolist(self) -> list[Any]:
        return self.array().tolist()  # type: ignore[no-any-return]

    def __len__(self) -> int:
        return self._length

    def __bool__(self) -> bool:
        return self._length > 0

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        """A value (as Python's own int or float), or a slice as a list."""
        if isinstance(index, slice):
            return self.array()[index].tolist()
        if index == -1 and self._tail:  # the last value of a growing log: asked at every redraw
            return self._tail[-1]
        if index == -1 and self._parts and self._whole is None:
            return self._parts[-1][-1].item()
        return self.array()[index].item()

    def __iter__(self) -> Iterator[Any]:
        return iter(self.tolist())

    def __eq__(self, other: object) -> bool:
        """The same values in the same order (NaN equal to NaN), as a Series, list or tuple."""
        if isinstance(other, Series):
            other_values = other.array()
        elif isinstance(other, (list, tuple)):
            other_values = np.asarray(other)
        else:
            return NotImplemented
        mine = self.array()
        if mine.shape != other_values.shape:
            return False
        if mine.dtype.kind == "f" or other_values.dtype.kind == "f":
            return bool(np.array_equal(mine, other_values, equal_nan=True))
        return bool(np.array_equal(mine, other_values))

    __hash__ = None  # type: ignore[assignment]  # it grows

    def __repr__(self) -> str:
        return f"Series({self.tolist()!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return _series_from_array, (self.array(),)


def _series_from_array(values: np.ndarray) -> Series:
    return Series(values, dtype=values.dtype)
