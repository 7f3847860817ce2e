"""Figure 2: the WI x DO grid of best-found scores, rows and columns sorted by their means."""

from __future__ import annotations

import matplotlib
import numpy as np

from seedtui.core.direction import rank_by_mean
from seedtui.core.stats import SeedGrid
from seedtui.report.arrays import tick_positions
from seedtui.report.figure import MISSING_COLOUR, CannotDraw, Drawn, FigureSpec, metric_label, require_grid
from seedtui.report.inputs import ReportInputs
from seedtui.report.render import new_figure

# Write each cell's score in it while the cells stay big enough to read.
MAX_ANNOTATED_CELLS = 150


def display_order(grid: SeedGrid) -> tuple[list[int], list[int]]:
    """(rows, columns) of ``grid.scores`` from the worst mean to the best: the one ordering of
    seeds by mean (``rank_by_mean``). With origin="lower" the best WI seed is the top row and the
    best DO seed the rightmost column, so the best cells gather in the top-right corner."""
    greater = grid.greater_is_better
    return (rank_by_mean(grid.scores, 0, seeds=grid.wi_seeds, greater_is_better=greater),
            rank_by_mean(grid.scores, 1, seeds=grid.do_seeds, greater_is_better=greater))


def draw(inputs: ReportInputs) -> Drawn:
    grid = require_grid(inputs)
    scores = np.asarray(grid.scores, dtype=float)
    if np.isfinite(scores).sum() < 2:
        raise CannotDraw("The heatmap needs at least 2 trials with a score.")
    rows, columns = display_order(grid)
    ordered = scores[np.ix_(rows, columns)]
    wi_labels = [str(grid.wi_seeds[i]) for i in rows]
    do_labels = [str(grid.do_seeds[j]) for j in columns]

    height, width = ordered.shape
    figure = new_figure(min(3.0 + 0.32 * width, 11.0), min(2.2 + 0.3 * height, 11.0))
    axes = figure.add_subplot()
    colour_name = "viridis" if grid.greater_is_better else "viridis_r"
    colour_map = matplotlib.colormaps[colour_name].with_extremes(bad=MISSING_COLOUR)
    image = axes.imshow(np.ma.masked_invalid(ordered), origin="lower", cmap=colour_map, aspect="auto",
                        interpolation="nearest")
    axes.grid(False)
    for positions, labels, set_ticks, set_labels in (
        (tick_positions(width, 25), do_labels, axes.set_xticks, axes.set_xticklabels),
        (tick_positions(height, 25), wi_labels, axes.set_yticks, axes.set_yticklabels),
    ):
        set_ticks(positions)
        set_labels([labels[p] for p in positions])
    axes.set_xlabel("data-order (DO) seed, sorted by mean")
    axes.set_ylabel("weight-init (WI) seed, sorted by mean")
    figure.colorbar(image, ax=axes, label=f"best-found {metric_label(inputs)}", shrink=0.9)
    if ordered.size <= MAX_ANNOTATED_CELLS:
        _annotate(axes, ordered, image)
    missing = int((~np.isfinite(scores)).sum())
    note = f"{height} WI x {width} DO seeds."
    if missing:
        note += f" Grey cells ({missing}) have no score: the trial is missing or was left out."
    return Drawn(figure, note=note)


def _annotate(axes: matplotlib.axes.Axes, ordered: np.ndarray, image: matplotlib.image.AxesImage) -> None:
    for (row, column), value in np.ndenumerate(ordered):
        if not np.isfinite(value):
            axes.text(column, row, "–", ha="center", va="center", fontsize=7, color="#555555")
            continue
        red, green, blue, _ = image.cmap(image.norm(value))
        dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
        axes.text(column, row, f"{value:.2f}", ha="center", va="center", fontsize=6.5,
                  color="white" if dark else "black")


SPEC = FigureSpec(
    key="fig-heatmap",
    title="Best-found score of every WI x DO pair",
    paper_figure="Figure 2",
    caption=(
        "Each cell is one trial's best-found score (the best over all its evaluations). Rows are "
        "weight-initialization seeds and columns data-order seeds, each sorted by their mean score "
        "over the cells they have, so the best seeds are at the top and at the right."
    ),
    draw=draw,
)
