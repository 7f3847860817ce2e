"""The one "better in the metric's direction" rule.

A metric is either greater-is-better (accuracy, F1, MCC) or lower-is-better (a loss). Every place
in seedtui that picks a best score, orders trials by score, or orients scores so that larger is
better calls this module, so that they all agree on what "best" means and on what happens to
missing scores:

- a score that is None, NaN or infinite is *missing*: it is never the best and sorts last;
- ties are left to the caller (sorts here are stable, and callers add their own tie-break).

Scalar helpers take plain floats; the ``*_array`` helpers are the same rules over numpy arrays.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np


def is_score(value: float | None) -> bool:
    """True for a usable score: not None, not NaN, not infinite."""
    return value is not None and math.isfinite(value)


def best_score(scores: Iterable[float | None], greater_is_better: bool) -> float | None:
    """The best usable score in the metric's direction, or None when there is none."""
    finite = [float(s) for s in scores if is_score(s)]
    if not finite:
        return None
    return max(finite) if greater_is_better else min(finite)


def signed(score: float, greater_is_better: bool) -> float:
    """``score`` oriented so that larger is better (lower-is-better metrics negated)."""
    return score if greater_is_better else -score


def sort_key(score: float | None, greater_is_better: bool) -> tuple[int, float]:
    """Key for ``sorted`` putting better scores first and missing scores (None, NaN, inf) last.

    Equal scores give equal keys, so a stable sort keeps their order (or the caller appends its
    own tie-break to the key)."""
    if not is_score(score):
        return (1, 0.0)
    return (0, -signed(float(score), greater_is_better))  # type: ignore[arg-type]


def is_better(candidate: float | None, incumbent: float | None, greater_is_better: bool) -> bool:
    """True when ``candidate`` is strictly better than ``incumbent`` (a missing one never is)."""
    return sort_key(candidate, greater_is_better) < sort_key(incumbent, greater_is_better)


def signed_array(values: np.ndarray, greater_is_better: bool) -> np.ndarray:
    """Scores as floats oriented so that larger is better (non-finite values kept as they are,
    apart from the sign)."""
    array = np.asarray(values, dtype=float)
    return array if greater_is_better else -array


def best_array(values: np.ndarray, greater_is_better: bool, axis: int = -1) -> np.ndarray:
    """Best usable score along ``axis`` in the metric's direction; NaN where none is usable."""
    oriented = signed_array(values, greater_is_better)
    oriented = np.where(np.isfinite(oriented), oriented, -np.inf)
    best = np.max(oriented, axis=axis, initial=-np.inf)
    return np.where(np.isfinite(best), signed_array(best, greater_is_better), np.nan)


def running_best_array(curves: np.ndarray, greater_is_better: bool) -> np.ndarray:
    """Running best score along the last axis (NaN until the first usable score)."""
    oriented = signed_array(curves, greater_is_better)
    oriented = np.where(np.isfinite(oriented), oriented, -np.inf)
    running = np.maximum.accumulate(oriented, axis=-1) if oriented.size else oriented
    return np.where(np.isfinite(running), signed_array(running, greater_is_better), np.nan)
