"""How much of the spread of a sweep comes from each seed (Table 3, and variance components).

All functions take the (W, D) grid s[w, d] of best-found scores; NaN marks a missing cell and
is left out of every sum.
"""

from __future__ import annotations

import warnings

import numpy as np

from seedtui.core.stats.anova import additive_anova_table


def per_seed_sd(scores: np.ndarray, axis: int) -> np.ndarray:
    """Population SD (ddof = 0) of each seed's finite cells: one per WI seed (the SD of row
    s[w, :], across DO seeds) for ``axis = 0``, one per DO seed (of column s[:, d]) for ``axis = 1``.

    NaN for a seed with fewer than 2 finite cells: the SD of one value is 0 by arithmetic, not a
    measured spread, so such a seed says nothing about how much the score varies and is left out
    (Table 3 and Figure 8 both use this)."""
    grid = np.asarray(scores, dtype=float)
    lines = grid if axis == 0 else grid.T
    counts = np.isfinite(lines).sum(axis=1) if lines.size else np.zeros(lines.shape[0], dtype=int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sds = np.nanstd(lines, axis=1, ddof=0) if lines.size else np.full(lines.shape[0], np.nan)
    return np.where(counts >= 2, sds, np.nan)


def seed_sd(scores: np.ndarray) -> dict[str, float | None]:
    """The paper's Table 3 (population SDs, ddof = 0):

    - ``wi``: mean over WI seeds w of SD(s[w, :]) — "aggregated over WI";
    - ``do``: mean over DO seeds d of SD(s[:, d]);
    - ``total``: SD of every cell of s.

    Per-seed SDs are :func:`per_seed_sd`: a seed with fewer than 2 finite cells is left out of
    the mean, and ``total`` needs 2 finite cells; None when nothing is left."""
    grid = np.asarray(scores, dtype=float)

    def mean_of(sds: np.ndarray) -> float | None:
        chosen = sds[np.isfinite(sds)]
        return float(chosen.mean()) if len(chosen) else None

    return {
        "wi": mean_of(per_seed_sd(grid, axis=0)),
        "do": mean_of(per_seed_sd(grid, axis=1)),
        "total": float(np.nanstd(grid, ddof=0)) if np.isfinite(grid).sum() >= 2 else None,
    }


def variance_components(scores: np.ndarray) -> dict[str, float | None]:
    """Variance components of the crossed random-effects model s[w, d] = mu + a_w + b_d + e_wd.

    Method of moments (ANOVA estimators) from the additive two-way table with one observation
    per cell: sigma2_residual = MS_res, sigma2_wi = (MS_wi - MS_res) / D, sigma2_do =
    (MS_do - MS_res) / W. With missing cells D and W become the mean number of cells per WI row
    and per DO column (an approximation). Negative estimates are reported as 0 (the usual
    truncation) and the raw values are kept under ``*_raw``. None when undefined (fewer than
    two seeds of a kind, or no residual degrees of freedom)."""
    grid = np.asarray(scores, dtype=float)
    table = additive_anova_table(grid)
    empty: dict[str, float | None] = {
        key: None
        for key in ("wi", "do", "residual", "wi_raw", "do_raw", "wi_share", "do_share", "residual_share")
    }
    if table is None or table["residual"]["df"] <= 0:
        return empty
    finite = np.isfinite(grid)
    cells_per_wi = finite.sum() / max(int((finite.sum(axis=1) > 0).sum()), 1)
    cells_per_do = finite.sum() / max(int((finite.sum(axis=0) > 0).sum()), 1)
    ms_res = table["residual"]["ms"]
    wi_raw = (table["wi"]["ms"] - ms_res) / cells_per_wi
    do_raw = (table["do"]["ms"] - ms_res) / cells_per_do
    wi, do = max(wi_raw, 0.0), max(do_raw, 0.0)
    total = wi + do + ms_res
    share = (lambda v: v / total) if total > 0 else (lambda v: None)
    return {
        "wi": wi,
        "do": do,
        "residual": ms_res,
        "wi_raw": wi_raw,
        "do_raw": do_raw,
        "wi_share": share(wi),
        "do_share": share(do),
        "residual_share": share(ms_res),
    }


def bootstrap_variance_components(
    scores: np.ndarray, replicates: int, rng: np.random.Generator
) -> dict[str, list[float | None]]:
    """95% percentile intervals of the (truncated) components, resampling WI rows and DO columns
    with replacement (a crossed bootstrap: cells are never resampled one by one)."""
    grid = np.asarray(scores, dtype=float)
    rows, cols = grid.shape
    draws: dict[str, list[float]] = {"wi": [], "do": [], "residual": []}
    for _ in range(replicates):
        sample = grid[np.ix_(rng.integers(0, rows, rows), rng.integers(0, cols, cols))]
        parts = variance_components(sample)
        for key in draws:
            value = parts[key]
            if value is not None:
                draws[key].append(value)
    return {
        key: ([float(np.percentile(vals, 2.5)), float(np.percentile(vals, 97.5))] if vals else [None, None])
        for key, vals in draws.items()
    }
