"""Figure 3: density of the scores of the best and worst WI seeds, and of the best and worst
DO seeds (the seeds Table 4's one-way ANOVA compares)."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from scipy.stats import gaussian_kde

from seedtui.report.figure import PALETTE, CannotDraw, Drawn, FigureSpec, metric_label, require_grid
from seedtui.report.inputs import ReportInputs
from seedtui.report.render import new_figure

# A kernel density needs a few distinct values; with fewer the panel shows a histogram.
MIN_VALUES_FOR_KDE = 4


def draw(inputs: ReportInputs) -> Drawn:
    grid = require_grid(inputs)
    anova = (inputs.summary or {}).get("anova") or {}
    scores = np.asarray(grid.scores, dtype=float)
    figure = new_figure(8.0, 3.4)
    panels = figure.subplots(1, 2, sharey=False)
    drawn = 0
    for axes, kind, seeds, lines in (
        (panels[0], "WI", list(grid.wi_seeds), scores),
        (panels[1], "DO", list(grid.do_seeds), scores.T),
    ):
        extremes = _extremes(anova.get(kind.lower()), seeds)
        if extremes is None:
            axes.set_axis_off()
            axes.text(0.5, 0.5, f"undefined: needs at least 2 {kind} seeds\nwith scores", ha="center",
                      va="center", transform=axes.transAxes, color="#555555")
            continue
        drawn += 1
        groups = [(role, seed, _finite(lines[seeds.index(seed)])) for role, seed in extremes]
        xs = _support([values for _, _, values in groups])
        for colour, (role, seed, values) in zip(PALETTE, groups, strict=False):
            _density(axes, values, xs, colour, f"{role} {kind} seed ({seed})")
        axes.set_xlabel(f"best-found {metric_label(inputs)}")
        axes.set_ylabel("density")
        axes.set_title(f"{kind} seeds")
        axes.legend(loc="best")
    if drawn == 0:
        raise CannotDraw("Comparing the best and worst seeds needs at least 2 WI or 2 DO seeds.")
    return Drawn(figure)


def _extremes(anova_part: Any, seeds: list[int]) -> list[tuple[str, int]] | None:
    if not isinstance(anova_part, dict):
        return None
    best, worst = anova_part.get("best"), anova_part.get("worst")
    if best is None or worst is None or best not in seeds or worst not in seeds or best == worst:
        return None
    return [("best", int(best)), ("worst", int(worst))]


def _finite(values: np.ndarray) -> np.ndarray:
    return values[np.isfinite(values)]


def _support(groups: list[np.ndarray]) -> np.ndarray:
    """Points to evaluate the densities at: the values' range, widened by three of the widest
    kernel's bandwidths so every curve falls to about zero inside the panel."""
    values = np.concatenate(groups)
    low, high = float(values.min()), float(values.max())
    # Scott's rule, as gaussian_kde uses: sd * n^(-1/5).
    widths = [np.std(g, ddof=1) * g.size ** -0.2 for g in groups if g.size >= MIN_VALUES_FOR_KDE]
    pad = max([3.0 * w for w in widths] + [0.1 * (high - low), 1e-3])
    return np.linspace(low - pad, high + pad, 300)


def _density(axes: Axes, values: np.ndarray, xs: np.ndarray, colour: str, label: str) -> None:
    # Rug: every value, so a reader sees how few points a density rests on.
    axes.plot(values, np.zeros_like(values), "|", color=colour, markersize=10, alpha=0.8)
    if values.size >= MIN_VALUES_FOR_KDE and np.ptp(values) > 0:
        density = gaussian_kde(values)(xs)
        axes.plot(xs, density, color=colour, linewidth=1.6, label=label)
        axes.fill_between(xs, density, color=colour, alpha=0.15, linewidth=0)
    else:
        # Bins over the whole panel, so the bars' density is on the same scale as the curves.
        axes.hist(values, bins=np.linspace(xs[0], xs[-1], 13).tolist(), density=True, color=colour,
                  alpha=0.4, label=f"{label} (histogram: too few values)")


SPEC = FigureSpec(
    key="fig-densities",
    title="Scores of the best and worst seeds",
    paper_figure="Figure 3",
    caption=(
        "Left: the best-found scores of the trials of the best and the worst weight-initialization "
        "seed (ranked by mean score; one score per data-order seed). Right: the same for the best "
        "and worst data-order seeds. Curves are Gaussian kernel density estimates (Scott's "
        "bandwidth, scipy.stats.gaussian_kde); ticks at the bottom mark the individual scores."
    ),
    draw=draw,
)
