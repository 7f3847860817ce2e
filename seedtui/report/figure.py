"""What every report figure is: a key (HTML id and PNG name), a title, a caption that says what
it shows and how it was computed, and a drawing function that may decline with a reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from seedtui.report.render import plain_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from seedtui.core.stats import SeedGrid
    from seedtui.report.inputs import ReportInputs

# Colour-blind-safe (Okabe-Ito) colours, in the order regimes and seeds use them.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
MISSING_COLOUR = "#d9d9d9"


class CannotDraw(Exception):
    """A figure is undefined for this sweep; the message says why, in a sentence."""


@dataclass(frozen=True)
class Drawn:
    figure: Figure
    note: str = ""
    """Facts about this sweep to append to the caption (sample sizes, what was left out)."""


@dataclass(frozen=True)
class FigureSpec:
    key: str
    title: str
    paper_figure: str
    caption: str
    draw: Callable[[ReportInputs], Drawn]


@dataclass(frozen=True)
class ReportFigure:
    """One figure of a built report: drawn, or not drawn with the reason."""

    spec: FigureSpec
    figure: Figure | None
    note: str = ""
    missing: str | None = None

    @property
    def caption(self) -> str:
        return " ".join(part for part in (self.spec.caption, self.note) if part)


def draw_spec(spec: FigureSpec, inputs: ReportInputs) -> ReportFigure:
    try:
        drawn = spec.draw(inputs)
    except CannotDraw as reason:
        return ReportFigure(spec, None, missing=str(reason))
    return ReportFigure(spec, drawn.figure, note=drawn.note)


def require_grid(inputs: ReportInputs) -> SeedGrid:
    if inputs.grid is None:
        raise CannotDraw(f"No trial can be used: {inputs.unavailable.get('grid', 'unknown reason')}.")
    return inputs.grid


def require_summary(inputs: ReportInputs) -> dict[str, Any]:
    if inputs.summary is None:
        raise CannotDraw(f"No statistics: {inputs.unavailable.get('summary', 'unknown reason')}.")
    return inputs.summary


def metric_label(inputs: ReportInputs) -> str:
    """The metric's name for axis labels, with its direction when lower is better."""
    grid = inputs.grid
    name = grid.metric if grid is not None else (inputs.first_start or {}).get("metric", "score")
    better = grid.greater_is_better if grid is not None else True
    label = str(name) if better else f"{name} (lower is better)"
    return plain_text(label)


def majority_baseline(inputs: ReportInputs) -> float | None:
    grid = inputs.grid
    value = getattr(grid, "majority_baseline", None) if grid is not None else None
    if value is None and inputs.first_start is not None:
        value = inputs.first_start.get("majority_baseline")
    return float(value) if isinstance(value, (int, float)) else None
