"""Is the best seed really better than the worst? (Table 4, a two-way ANOVA, permutations.)

All functions take the (W, D) grid s[w, d] of best-found scores (NaN = missing cell).
The F tests use numpy and ``scipy.special`` only: importing ``scipy.stats`` costs more than
the whole of ``seedtui stats`` on a 625-trial sweep, so its formulas are written out here.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy.special import fdtrc

from seedtui.core.direction import rank_by_mean, seed_means


def _finite_or_none(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def f_survival(f_value: float, dfn: float, dfd: float) -> float:
    """P(F >= f_value) for the F(dfn, dfd) distribution; equals ``scipy.stats.f.sf``.

    1 at or below 0 (a sum of squares that rounding left a hair below zero), NaN for NaN input
    or degrees of freedom that are not positive."""
    if not (dfn > 0 and dfd > 0) or np.isnan(f_value):
        return float("nan")
    if f_value <= 0:
        return 1.0
    return float(fdtrc(dfn, dfd, f_value))


def one_way_anova(*groups: np.ndarray) -> tuple[float, float]:
    """(F, p) of the one-way ANOVA of two or more non-empty groups; equals
    ``scipy.stats.f_oneway`` (same centring and sums, so the same rounding).

    As there: F = inf and p = 0 when every group is constant but they differ, and both NaN when
    all values are equal or no group has two values."""
    samples = [np.asarray(group, dtype=float) for group in groups]
    everything = np.concatenate(samples)
    total = len(everything)
    if len(samples) < 2 or any(len(s) == 0 for s in samples) or total == len(samples):
        return float("nan"), float("nan")
    # Centring on the grand mean first keeps the sums of squares accurate (scipy does the same).
    offset = everything.mean()
    centred = everything - offset
    normalized_ss = centred.sum() ** 2 / total
    ss_total = centred @ centred - normalized_ss
    ss_between = sum((s - offset).sum() ** 2 / len(s) for s in samples) - normalized_ss
    ss_within = ss_total - ss_between
    df_between, df_within = len(samples) - 1, total - len(samples)
    with np.errstate(divide="ignore", invalid="ignore"):
        f_value = float(np.float64(ss_between / df_between) / np.float64(ss_within / df_within))
    if np.all(np.diff(everything) == 0):
        f_value = float("nan")
    elif all(np.all(np.diff(s) == 0) for s in samples):
        f_value = float("inf")
    return f_value, float(fdtrc(df_between, df_within, f_value))


def best_worst_anova(
    scores: np.ndarray, seeds: list[int], *, axis: int, greater_is_better: bool = True
) -> dict[str, Any]:
    """The paper's Table 4 for one kind of seed.

    ``axis = 0``: WI seeds (rows of s); ``axis = 1``: DO seeds (columns). The best and worst seeds
    are the ends of :func:`seedtui.core.direction.rank_by_mean` (the one ordering of seeds by mean:
    means as computed in double precision, ties ranking the lower seed lower; seeds with no score
    are not ranked); a one-way ANOVA (equal to ``scipy.stats.f_oneway``) compares the best seed's
    scores with the worst's. F and p are None when undefined (fewer than two seeds, or no spread
    at all)."""
    grid = np.asarray(scores, dtype=float)
    lines = grid if axis == 0 else grid.T
    result: dict[str, Any] = {"best": None, "worst": None, "F": None, "p": None}
    scored = np.isfinite(seed_means(grid, axis))
    order = rank_by_mean(grid, axis, seeds=seeds, greater_is_better=greater_is_better)
    ranked = [i for i in order if scored[i]]
    if len(ranked) < 2:
        return result
    worst, best = ranked[0], ranked[-1]
    result["best"], result["worst"] = seeds[best], seeds[worst]
    best_values = lines[best][np.isfinite(lines[best])]
    worst_values = lines[worst][np.isfinite(lines[worst])]
    if len(best_values) + len(worst_values) <= 2:
        return result
    f_value, p_value = one_way_anova(best_values, worst_values)
    result["F"], result["p"] = _finite_or_none(f_value), _finite_or_none(p_value)
    return result


def _residual_sum_of_squares(values: np.ndarray, design: np.ndarray) -> tuple[float, int]:
    # Imported here: only grids with missing cells need it, and the import costs 0.1 s.
    import scipy.linalg

    # QR with pivoting (gelsy) is much faster than the SVD default and handles rank deficiency.
    coef, _, rank, _ = scipy.linalg.lstsq(design, values, lapack_driver="gelsy")
    residual = values - design @ coef
    return float(residual @ residual), int(rank)


def _balanced_table(grid: np.ndarray) -> dict[str, dict[str, float]]:
    """The textbook table of a complete W x D grid with one observation per cell."""
    rows, cols = grid.shape
    grand = grid.mean()
    row_effects = grid.mean(axis=1) - grand
    col_effects = grid.mean(axis=0) - grand
    residual = grid - grand - row_effects[:, None] - col_effects[None, :]
    return {
        "wi": {"ss": float(cols * (row_effects**2).sum()), "df": float(rows - 1)},
        "do": {"ss": float(rows * (col_effects**2).sum()), "df": float(cols - 1)},
        "residual": {"ss": float((residual**2).sum()), "df": float((rows - 1) * (cols - 1))},
    }


def additive_anova_table(scores: np.ndarray) -> dict[str, dict[str, float]] | None:
    """Sums of squares of the additive model s[w, d] = mu + a_w + b_d + e by least squares.

    Each effect's SS is the rise in residual SS when it is dropped from the additive model
    (type II; with no missing cell this is the textbook balanced table). None with fewer than
    two WI or two DO seeds holding scores."""
    grid = np.asarray(scores, dtype=float)
    if grid.ndim == 2 and grid.shape[0] >= 2 and grid.shape[1] >= 2 and np.isfinite(grid).all():
        return _with_mean_squares(_balanced_table(grid))
    rows, cols = np.nonzero(np.isfinite(grid))
    values = grid[rows, cols]
    wi_levels, wi_index = np.unique(rows, return_inverse=True)
    do_levels, do_index = np.unique(cols, return_inverse=True)
    if len(wi_levels) < 2 or len(do_levels) < 2:
        return None
    intercept = np.ones((len(values), 1))
    wi_dummies = (wi_index[:, None] == np.arange(1, len(wi_levels))[None, :]).astype(float)
    do_dummies = (do_index[:, None] == np.arange(1, len(do_levels))[None, :]).astype(float)
    rss_full, rank_full = _residual_sum_of_squares(values, np.hstack([intercept, wi_dummies, do_dummies]))
    rss_no_wi, rank_no_wi = _residual_sum_of_squares(values, np.hstack([intercept, do_dummies]))
    rss_no_do, rank_no_do = _residual_sum_of_squares(values, np.hstack([intercept, wi_dummies]))
    df_res = len(values) - rank_full
    table = {
        "wi": {"ss": rss_no_wi - rss_full, "df": float(rank_full - rank_no_wi)},
        "do": {"ss": rss_no_do - rss_full, "df": float(rank_full - rank_no_do)},
        "residual": {"ss": rss_full, "df": float(df_res)},
    }
    return _with_mean_squares(table)


def _with_mean_squares(table: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    for row in table.values():
        row["ms"] = row["ss"] / row["df"] if row["df"] > 0 else float("nan")
    return table


def two_way_anova(scores: np.ndarray) -> dict[str, Any]:
    """Main-effect F tests of WI and DO over all seeds in the additive two-way model (an
    improvement on Table 4, whose choice of the extreme seeds first inflates significance).

    F = MS_effect / MS_residual with (df_effect, df_residual) degrees of freedom; p from the F
    distribution (equal to ``scipy.stats.f.sf``). None where undefined (too few seeds or no
    residual spread)."""
    table = additive_anova_table(scores)
    if table is None:
        return {"wi": None, "do": None, "residual_df": None}
    out: dict[str, Any] = {"residual_df": int(table["residual"]["df"])}
    ms_res = table["residual"]["ms"]
    for name in ("wi", "do"):
        effect = table[name]
        f_value = effect["ms"] / ms_res if ms_res > 0 and np.isfinite(ms_res) else float("nan")
        df_res = table["residual"]["df"]
        p_value = f_survival(f_value, effect["df"], df_res) if np.isfinite(f_value) else float("nan")
        out[name] = {
            "F": _finite_or_none(f_value),
            "p": _finite_or_none(p_value),
            "df": int(effect["df"]),
            "ss": float(effect["ss"]),
        }
    return out


def _between_rows_statistic(centred: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """sum_w (row sum)^2 / n_w of column-centred scores, over the last two axes: the between-WI
    sum of squares of the additive model when no cell is missing."""
    sums = np.nansum(centred, axis=-1)
    return np.sum(np.where(counts > 0, sums**2 / np.maximum(counts, 1), 0.0), axis=-1)


def _within_column_permutation_p(
    grid: np.ndarray, permutations: int, rng: np.random.Generator
) -> float | None:
    finite = np.isfinite(grid)
    counts = finite.sum(axis=1)
    if (counts > 0).sum() < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        centred = grid - np.nanmean(grid, axis=0, keepdims=True)
    observed = float(_between_rows_statistic(centred, counts))
    shuffled = np.full((permutations, *grid.shape), np.nan)
    for col in range(grid.shape[1]):
        rows = np.flatnonzero(finite[:, col])
        if len(rows) == 0:
            continue
        order = np.argsort(rng.random((permutations, len(rows))), axis=1)
        shuffled[:, rows, col] = centred[rows, col][order]
    null = _between_rows_statistic(shuffled, counts)
    # A small relative tolerance so a permutation equal to the data counts as "as extreme".
    as_extreme = int(np.sum(null >= observed * (1.0 - 1e-9) - 1e-15))
    return (1 + as_extreme) / (1 + permutations)


def permutation_test(scores: np.ndarray, *, permutations: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Permutation p-values for the WI and DO main effects (deterministic for a given seed).

    WI: shuffle the WI labels within each DO column (keeping the DO effect intact) and compare
    the between-WI sum of squares of column-centred scores with the observed one; DO likewise,
    shuffling DO labels within each WI row. p = (1 + #{null >= observed}) / (1 + permutations)."""
    grid = np.asarray(scores, dtype=float)
    rng = np.random.default_rng(seed)
    return {
        "wi": _within_column_permutation_p(grid, permutations, rng),
        "do": _within_column_permutation_p(grid.T, permutations, rng),
        "permutations": permutations,
        "seed": seed,
    }
