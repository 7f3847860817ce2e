"""Pure array helpers for laying out figures (sampling, ticks, converting JSON to arrays).

No statistics live here, not even orderings or per-seed spreads: those come from
``seedtui.core.stats`` and ``seedtui.core.direction``, so the report shows the numbers that
``seedtui stats`` and the TUI show. These only arrange values.
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
