"""Figures 5 and 9: Spearman and Pearson correlation, across trials, between the scores at every
pair of evaluations, next to the correlation of best-so-far with the final best-found score."""

from __future__ import annotations

from typing import Any

import matplotlib
import numpy as np

from seedtui.report.arrays import float_array, tick_positions
from seedtui.report.figure import MISSING_COLOUR, CannotDraw, Drawn, FigureSpec, require_summary
from seedtui.report.inputs import ReportInputs
from seedtui.report.render import new_figure

UNDEFINED = (
    "Correlation between evaluations needs at least 2 evaluations per trial and at least 3 trials "
    "whose scores are not all equal."
)


def draw_spearman(inputs: ReportInputs) -> Drawn:
    return _draw(inputs, "spearman", "Spearman ρ")


def draw_pearson(inputs: ReportInputs) -> Drawn:
    return _draw(inputs, "pearson", "Pearson r")


def _draw(inputs: ReportInputs, method: str, symbol: str) -> Drawn:
    summary = require_summary(inputs)
    correlation = summary.get("correlation") or {}
    matrix = float_array(correlation.get(method))
    steps = [int(s) for s in correlation.get("eval_steps") or []]
    if matrix.ndim != 2 or matrix.shape[0] < 2 or not np.isfinite(matrix).any():
        raise CannotDraw(UNDEFINED)
    with_final = _with_final(summary.get("correlation_with_final"), method, matrix.shape[0])
    figure = new_figure(9.0 if with_final is not None else 5.6, 4.4)
    if with_final is not None:
        heat_axes, line_axes = figure.subplots(1, 2, width_ratios=[1.15, 1.0])
    else:
        heat_axes, line_axes = figure.add_subplot(), None
    vmin, vmax, colour_name = _colour_range(matrix)
    colour_map = matplotlib.colormaps[colour_name].with_extremes(bad=MISSING_COLOUR)
    image = heat_axes.imshow(np.ma.masked_invalid(matrix), cmap=colour_map, vmin=vmin, vmax=vmax,
                             origin="lower", interpolation="nearest")
    heat_axes.grid(False)
    has_steps = len(steps) == matrix.shape[0]
    labels = [str(s) for s in steps] if has_steps else [str(i) for i in range(len(matrix))]
    positions = tick_positions(len(labels), 10)
    heat_axes.set_xticks(positions, [labels[p] for p in positions], rotation=45)
    heat_axes.set_yticks(positions, [labels[p] for p in positions])
    heat_axes.set_xlabel("evaluation (optimizer step)")
    heat_axes.set_ylabel("evaluation (optimizer step)")
    heat_axes.set_title(f"{symbol} between evaluations")
    figure.colorbar(image, ax=heat_axes, shrink=0.85)
    if line_axes is not None and with_final is not None:
        x = np.array([int(s) for s in labels]) if len(steps) == len(labels) else np.arange(len(labels))
        line_axes.plot(x, with_final, marker="o", markersize=3, color="#0072B2")
        line_axes.set_ylim(min(-0.05, float(np.nanmin(with_final)) - 0.05), 1.05)
        line_axes.set_xlabel("evaluation (optimizer step)")
        line_axes.set_ylabel(f"{symbol} with final best-found")
        line_axes.set_title("best-so-far vs final best-found")
    undefined = int((~np.isfinite(matrix)).sum())
    note = f"{matrix.shape[0]} evaluations."
    if undefined:
        note += f" Grey cells ({undefined}) are undefined (constant scores at that evaluation)."
    return Drawn(figure, note=note)


def _colour_range(matrix: np.ndarray) -> tuple[float, float, str]:
    """(vmin, vmax, colour map). All correlations positive (the usual case): a sequential scale
    over the off-diagonal range, so how agreement fades with distance is visible (the diagonal's
    1s saturate); with negatives, a diverging scale over [-1, 1] centred on 0."""
    off_diagonal = matrix[~np.eye(len(matrix), dtype=bool)]
    finite = off_diagonal[np.isfinite(off_diagonal)]
    if finite.size == 0:
        return -1.0, 1.0, "RdBu_r"
    lowest, highest = float(finite.min()), float(finite.max())
    if lowest < 0:
        return -1.0, 1.0, "RdBu_r"
    if highest - lowest < 1e-9:  # one value off the diagonal: give the scale some width
        lowest, highest = max(0.0, lowest - 0.05), min(1.0, highest + 0.05)
    return lowest, highest, "viridis"


def _with_final(value: Any, method: str, evaluations: int) -> np.ndarray | None:
    """The correlation-with-final curve for ``method``, whichever of the shapes it comes in:
    {method: [...]}, or a list of per-eval values/dicts."""
    if isinstance(value, dict):
        value = value.get(method)
    if isinstance(value, list) and value and isinstance(value[0], dict):
        value = [item.get(method) for item in value]
    curve = float_array(value)
    if curve.ndim != 1 or curve.size != evaluations or not np.isfinite(curve).any():
        return None
    return curve


CAPTION = (
    "Each cell is the {name} correlation, across trials, between the raw scores at evaluation i "
    "and at evaluation j; a high value means an early evaluation already ranks trials as a later "
    "one does. When no correlation is negative, the colour scale spans the range between distinct "
    "evaluations (so the diagonal's 1s saturate); otherwise it spans -1 .. 1. {right}Computed by "
    "seedtui.core.stats over the trials the statistics use."
)
RIGHT = (
    "Right: correlation of the best score so far at each evaluation with the trial's final "
    "best-found score (what a stopping rule ranks by). "
)

SPEARMAN_SPEC = FigureSpec(
    key="fig-spearman",
    title="Rank correlation between evaluations",
    paper_figure="Figure 5",
    caption=CAPTION.format(name="Spearman rank", right=RIGHT),
    draw=draw_spearman,
)
PEARSON_SPEC = FigureSpec(
    key="fig-pearson",
    title="Linear correlation between evaluations",
    paper_figure="Figure 9",
    caption=CAPTION.format(name="Pearson", right=RIGHT),
    draw=draw_pearson,
)
