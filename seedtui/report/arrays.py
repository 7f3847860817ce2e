"""Pure array helpers for laying out figures (ordering, sampling, converting JSON to arrays).

No statistics live here: those come from ``seedtui.core.stats``. These only arrange values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def float_array(values: Any) -> np.ndarray:
    """A float array from (nested) JSON lists, with None (an undefined value) as NaN."""
    if values is None:
        return np.array([], dtype=float)
    if isinstance(values, np.ndarray):
        return values.astype(float)
    if isinstance(values, Sequence) and not isinstance(values, str):
        return np.array([_none_to_nan(v) for v in values], dtype=float)
    return np.array(_none_to_nan(values), dtype=float)


def _none_to_nan(value: Any) -> Any:
    if value is None:
        return np.nan
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_none_to_nan(v) for v in value]
    return value


def nan_mean(values: np.ndarray, axis: int) -> np.ndarray:
    """Mean over finite values along ``axis``; NaN where a row/column has none (no warning)."""
    finite = np.isfinite(values)
    counts = finite.sum(axis=axis)
    totals = np.where(finite, values, 0.0).sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, totals / np.maximum(counts, 1), np.nan)


def order_by_mean(values: np.ndarray, axis: int, *, greater_is_better: bool = True) -> np.ndarray:
    """Indices along ``axis`` (0: rows, 1: columns) from the worst to the best mean, in the
    metric's direction. Means are over finite values; all-missing rows come first; ties keep
    their original (seed) order."""
    means = nan_mean(values, axis=1 - axis)
    direction = means if greater_is_better else -means
    keys = np.where(np.isfinite(direction), direction, -np.inf)
    return np.argsort(keys, kind="stable")


def per_seed_sd(scores: np.ndarray, axis: int) -> np.ndarray:
    """Population SD (ddof = 0, as in Table 3) of each row (axis 0: one per WI seed) or column
    (axis 1: one per DO seed) over its finite cells; rows with fewer than 2 cells are dropped."""
    lines = scores if axis == 0 else scores.T
    sds = []
    for line in lines:
        finite = line[np.isfinite(line)]
        if finite.size >= 2:
            sds.append(float(np.std(finite)))
    return np.array(sds, dtype=float)


def sample_indices(count: int, size: int, seed: int) -> np.ndarray:
    """``size`` distinct indices of ``range(count)`` (all when fewer), drawn with ``seed``, sorted."""
    if count <= size:
        return np.arange(count)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(count, size=size, replace=False))


def tick_positions(count: int, max_ticks: int = 12) -> np.ndarray:
    """At most ``max_ticks`` evenly spaced indices of ``range(count)``, always with the last."""
    if count <= max_ticks:
        return np.arange(count)
    step = int(np.ceil(count / max_ticks))
    positions = np.arange(0, count, step)
    if positions[-1] != count - 1:
        # Drop the last regular tick when it would crowd the final one.
        crowded = count - 1 - positions[-1] <= step / 2
        positions = np.append(positions[:-1] if crowded else positions, count - 1)
    return positions
