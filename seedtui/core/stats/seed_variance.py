"""How much of the spread of a sweep comes from each seed (Table 3, and variance components).

All functions take the (W, D) grid s[w, d] of best-found scores; NaN marks a missing cell and
is left out of every sum.
"""

from __future__ import annotations

import warnings

import numpy as np

from seedtui.core.stats.anova import additive_anova_table


def _nan_sd(values: np.ndarray, axis: int | None = None) -> np.ndarray | float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanstd(values, axis=axis, ddof=0)


def seed_sd(scores: np.ndarray) -> dict[str, float | None]:
    """The paper's Table 3 (population SDs, ddof = 0):

    - ``wi``: mean over WI seeds w of SD(s[w, :]) — "aggregated over WI";
    - ``do``: mean over DO seeds d of SD(s[:, d]);
    - ``total``: SD of every cell of s.

    A row or column with no finite cell is skipped; None when nothing is left."""
    grid = np.asarray(scores, dtype=float)
    finite = np.isfinite(grid)

    def mean_of(sds: np.ndarray, counts: np.ndarray) -> float | None:
        chosen = sds[counts > 0]
        return float(chosen.mean()) if len(chosen) else None

    if not finite.any():
        return {"wi": None, "do": None, "total": None}
    return {
        "wi": mean_of(np.asarray(_nan_sd(grid, axis=1)), finite.sum(axis=1)),
        "do": mean_of(np.asarray(_nan_sd(grid, axis=0)), finite.sum(axis=0)),
        "total": float(_nan_sd(grid)),
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
