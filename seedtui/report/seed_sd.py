"""Figure 8: how much the score varies with one seed fixed: the distribution, over WI seeds, of
the SD across DO seeds, and the distribution, over DO seeds, of the SD across WI seeds."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from seedtui.core.stats import SeedGrid
from seedtui.core.stats.seed_variance import per_seed_sd
from seedtui.report.figure import PALETTE, CannotDraw, Drawn, FigureSpec, require_grid
from seedtui.report.inputs import ReportInputs
from seedtui.report.render import new_figure


def draw(inputs: ReportInputs) -> Drawn:
    groups = seed_sd_groups(require_grid(inputs))
    if all(values.size == 0 for _, values in groups):
        raise CannotDraw("A per-seed standard deviation needs a seed with at least 2 scored trials.")
    everything = np.concatenate([values for _, values in groups])
    low, high = float(everything.min()), float(everything.max())
    bins = np.linspace(low, high if high > low else low + 1e-3, 16).tolist()
    figure = new_figure(6.4, 3.6)
    axes = figure.add_subplot()
    for colour, (label, values) in zip(PALETTE, groups, strict=False):
        if values.size == 0:
            continue
        axes.hist(values, bins=bins, color=colour, alpha=0.45, label=f"{label}, n = {values.size}")
        axes.axvline(float(values.mean()), color=colour, linewidth=1.4, linestyle="--")
    axes.set_xlabel("standard deviation of best-found score (ddof = 0)")
    axes.set_ylabel("seeds")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False)
    return Drawn(figure)


def seed_sd_groups(grid: SeedGrid) -> tuple[tuple[str, np.ndarray], tuple[str, np.ndarray]]:
    """(label, SDs) per WI seed and per DO seed: Table 3's per-seed SDs (``per_seed_sd``), for the
    seeds that have one (at least 2 scored trials); their means are Table 3's entries."""
    scores = np.asarray(grid.scores, dtype=float)
    by_wi, by_do = per_seed_sd(scores, axis=0), per_seed_sd(scores, axis=1)
    return (
        ("per WI seed (SD across DO seeds)", by_wi[np.isfinite(by_wi)]),
        ("per DO seed (SD across WI seeds)", by_do[np.isfinite(by_do)]),
    )


SPEC = FigureSpec(
    key="fig-seed-sd",
    title="Distributions of per-seed standard deviations",
    paper_figure="Figure 8",
    caption=(
        "For each weight-initialization seed, the standard deviation (ddof = 0) of its best-found "
        "scores across data-order seeds, and for each data-order seed the same across "
        "weight-initialization seeds; histograms over seeds. Dashed lines mark the means, which are "
        "Table 3's 'aggregated over WI' and 'aggregated over DO' values (a seed with fewer than 2 "
        "scored trials has no SD and is left out of both)."
    ),
    draw=draw,
)
