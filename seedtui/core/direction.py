"""The one "better in the metric's direction" rule.

A metric is either greater-is-better (accuracy, F1, MCC) or lower-is-better (a loss). Every place
in seedtui that picks a best score, orders trials by score, or orients scores so that larger is
better calls this module, so that they all agree on what "best" means and on what happens to
missing scores:

- a score that is None, NaN or infinite is *missing*: it is never the best and sorts last;
- ties between scores are left to the caller (``sort_key`` gives equal keys; callers append their
  own tie-break), except in :func:`rank_by_mean`, the one ordering of seeds by their mean score,
  whose tie-break (the lower seed ranks lower) is part of the rule.

Scalar helpers take plain floats; the ``*_array`` helpers are the same rules over numpy arrays.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable

import numpy as np


def _is_score(value: float | None) -> bool:
    """True for a usable score: not None, not NaN, not infinite."""
    return value is not None and math.isfinite(value)


def best_score(scores: Iterable[float | None], greater_is_better: bool) -> float | None:
    """The best usable score in the metric's direction, or None when there is none."""
    isfinite = math.isfinite  # inline: this runs over every eval of every trial
    finite = [s for s in scores if s is not None and isfinite(s)]
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
    if not _is_score(score):
        return (1, 0.0)
    return (0, -signed(float(score), greater_is_better))  # type: ignore[arg-type]


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


def seed_means(scores: np.ndarray, axis: int) -> np.ndarray:
    """Mean score of each seed of a (W, D) grid over its finite cells: one per WI seed (row) for
    ``axis = 0``, one per DO seed (column) for ``axis = 1``; NaN for a seed with no finite cell.

    Computed as ``np.nanmean`` of the seed's line, in double precision: two seeds whose scores
    have equal sums in exact arithmetic can differ here in the last bit, and that rounding decides
    which ranks lower (see :func:`rank_by_mean`)."""
    grid = np.asarray(scores, dtype=float)
    lines = grid if axis == 0 else grid.T
    if lines.size == 0:
        return np.full(lines.shape[0], np.nan)
    if np.isinf(lines).any():
        lines = np.where(np.isinf(lines), np.nan, lines)
    # Exactly np.nanmean of the line as laid out here (Table 4's rounding depends on it).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(lines, axis=1)


def rank_by_mean(
    scores: np.ndarray, axis: int, *, seeds: list[int] | None = None, greater_is_better: bool = True
) -> list[int]:
    """The one ordering of seeds by their means (Table 4's best and worst seed, the TUI heatmap and
    the report's Figure 2): indices of the seeds along ``axis`` from the worst mean to the best, in
    the metric's direction.

    - Means are :func:`seed_means` (finite cells only).
    - Seeds with no finite cell have no mean: they come first (below every ranked seed).
    - Ties (equal means as computed) rank the lower seed lower; ``seeds`` gives the seed numbers
      (default: the indices, i.e. seeds listed in ascending order)."""
    means = seed_means(scores, axis)
    labels = list(range(len(means))) if seeds is None else [int(s) for s in seeds]
    if len(labels) != len(means):
        raise ValueError(f"{len(labels)} seeds for {len(means)} lines of the grid")

    def key(index: int) -> tuple[int, float, int]:
        mean = float(means[index])
        if not math.isfinite(mean):
            return (0, 0.0, labels[index])
        return (1, signed(mean, greater_is_better), labels[index])

    return sorted(range(len(means)), key=key)
