"""How well an early eval predicts a late one (the paper's Figures 5 and 9).

Correlations are across trials. A column with fewer than two paired scores, or with no spread,
has no correlation: it is reported as NaN here (None in JSON), never an error. Spearman and
Pearson equal ``scipy.stats.spearmanr`` and ``scipy.stats.pearsonr``, computed with numpy alone
(importing ``scipy.stats`` costs more than the whole of ``seedtui stats``).
"""

from __future__ import annotations

import numpy as np

from seedtui.core.direction import running_best_array

# Below this relative spread a column counts as constant (guards against rounding noise).
_CONSTANT = 1e-12


def average_ranks(values: np.ndarray, axis: int = 0) -> np.ndarray:
    """Ranks 1..n along ``axis``, tied values sharing the mean of their ranks; equals
    ``scipy.stats.rankdata(values, axis=axis)`` for finite values."""
    data = np.moveaxis(np.asarray(values, dtype=float), axis, -1)
    count = data.shape[-1]
    if data.size == 0:
        return np.moveaxis(data.copy(), -1, axis)
    order = np.argsort(data, axis=-1, kind="stable")
    ordered = np.take_along_axis(data, order, axis=-1)
    positions = np.broadcast_to(np.arange(count), ordered.shape)
    starts_run = np.ones(ordered.shape, dtype=bool)
    starts_run[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    ends_run = np.ones(ordered.shape, dtype=bool)
    ends_run[..., :-1] = starts_run[..., 1:]
    # Each sorted position's run of ties spans first..last; its rank is their mean, plus 1.
    first = np.maximum.accumulate(np.where(starts_run, positions, 0), axis=-1)
    last_from_right = np.minimum.accumulate(np.flip(np.where(ends_run, positions, count - 1), -1), axis=-1)
    last = np.flip(last_from_right, -1)
    ranks = np.empty_like(ordered)
    np.put_along_axis(ranks, order, (first + last) / 2.0 + 1.0, axis=-1)
    return np.moveaxis(ranks, -1, axis)


def _standardised(columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Columns scaled to zero mean and unit norm, and which columns are constant."""
    centred = columns - columns.mean(axis=0, keepdims=True)
    norms = np.sqrt((centred * centred).sum(axis=0))
    scale = np.abs(columns).max(axis=0) if len(columns) else np.zeros(columns.shape[1])
    constant = norms <= _CONSTANT * np.maximum(scale, 1.0) * np.sqrt(max(len(columns), 1))
    return centred / np.where(constant, 1.0, norms), constant


def _pearson_matrix(columns: np.ndarray) -> np.ndarray:
    unit, constant = _standardised(columns)
    matrix = np.clip(unit.T @ unit, -1.0, 1.0)
    matrix[constant, :] = np.nan
    matrix[:, constant] = np.nan
    return matrix


def _pearson_pair(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 2:
        return float("nan")
    return float(_pearson_matrix(np.column_stack([x, y]))[0, 1])


def eval_correlations(curves: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Spearman, Pearson) E x E matrices: entry (i, j) correlates, across trials, the raw score
    at eval i with the raw score at eval j. Spearman is Pearson of average ranks. Trials missing
    either eval are left out of that pair only."""
    data = np.asarray(curves, dtype=float)
    evals = data.shape[1] if data.ndim == 2 else 0
    if data.size == 0:
        empty = np.full((evals, evals), np.nan)
        return empty, empty.copy()
    finite = np.isfinite(data)
    if finite.all():
        return _pearson_matrix(average_ranks(data, axis=0)), _pearson_matrix(data)
    return _pairwise_complete(data, finite)


def _cross_pearson(x_columns: np.ndarray, y_columns: np.ndarray) -> np.ndarray:
    """Pearson of every column of ``x_columns`` with every column of ``y_columns`` (same rows)."""
    x_unit, x_constant = _standardised(x_columns)
    y_unit, y_constant = _standardised(y_columns)
    matrix = np.clip(x_unit.T @ y_unit, -1.0, 1.0)
    matrix[x_constant, :] = np.nan
    matrix[:, y_constant] = np.nan
    return matrix


def _pairwise_complete(data: np.ndarray, finite: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``eval_correlations`` when some scores are missing: each pair of evals over the trials that
    have both. Evals missing the same trials (a short trial's padding, one NaN score) share their
    row subsets, so the work is one block of matrix products per pair of distinct missing-patterns,
    not one Python step per pair of evals: a NaN in a 30-eval curve costs what none does, and a
    sweep whose every eval misses other trials costs as the pair-by-pair loop did."""
    evals = data.shape[1]
    spearman = np.full((evals, evals), np.nan)
    pearson = np.full((evals, evals), np.nan)
    patterns, pattern_of = np.unique(finite.T, axis=0, return_inverse=True)
    members = [np.flatnonzero(pattern_of.reshape(-1) == g) for g in range(len(patterns))]
    for a, a_evals in enumerate(members):
        for b in range(a, len(patterns)):
            rows = patterns[a] & patterns[b]
            if rows.sum() < 2:
                continue  # fewer than two paired scores: no correlation (NaN)
            b_evals = members[b]
            x = data[np.ix_(rows, a_evals)]
            y = x if b == a else data[np.ix_(rows, b_evals)]
            cell, mirror = np.ix_(a_evals, b_evals), np.ix_(b_evals, a_evals)
            for out, block in (
                (pearson, _cross_pearson(x, y)),
                (spearman, _cross_pearson(average_ranks(x, axis=0), average_ranks(y, axis=0))),
            ):
                if b == a:  # (i, j) and (j, i) are one number, as in the no-missing path
                    block = np.triu(block) + np.triu(block, 1).T
                out[cell] = block
                out[mirror] = block.T
    return spearman, pearson


def correlation_with_final(curves: np.ndarray, greater_is_better: bool = True) -> dict[str, list[float]]:
    """Spearman and Pearson correlation, across trials, of the best-so-far score at eval i with
    the final best-found score — what an early-stopping rule actually ranks by."""
    running = running_best_array(np.asarray(curves, dtype=float), greater_is_better)
    if running.size == 0:
        return {"spearman": [], "pearson": []}
    final = running[:, -1]
    spearman, pearson = [], []
    for i in range(running.shape[1]):
        both = np.isfinite(running[:, i]) & np.isfinite(final)
        x, y = running[both, i], final[both]
        pearson.append(_pearson_pair(x, y))
        spearman.append(_pearson_pair(average_ranks(x), average_ranks(y)) if len(x) else float("nan"))
    return {"spearman": spearman, "pearson": pearson}
