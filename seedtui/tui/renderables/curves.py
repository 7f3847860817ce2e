"""The curves pane: the selected trial's validation score and loss against epochs, drawn large
in braille, with every other trial faint behind it (the paper's Figure 4)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style
from rich.text import Text

from seedtui.core.view.curves import braille_rows, rasterize

GUTTER = 7
"""Cells left of a plot for its y labels."""
EVAL_MARK = "●"
STOP_MARK = "┊"


@dataclass(frozen=True)
class PlotSpec:
    """One plot: its title, axis ranges, the faint background mask and the selected curve."""

    title: str
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    background: np.ndarray
    """Pixel mask (4 rows x 2 columns of pixels per cell) of the other trials' curves."""
    curve: tuple[np.ndarray, np.ndarray] | None
    """The selected trial's (x, y), already downsampled."""
    points: tuple[np.ndarray, np.ndarray] | None = None
    """Points to mark with ``EVAL_MARK`` (evaluations)."""
    stop_x: float | None = None
    stop_label: str = ""
    color: str = "green"


def plot_lines(spec: PlotSpec, width: int, height: int) -> list[Text]:
    """``height`` lines of ``width`` cells: title, plot rows with y labels, and the x axis."""
    plot_w = max(1, width - GUTTER)
    plot_h = max(1, height - 2)
    px_w, px_h = plot_w * 2, plot_h * 4
    background = spec.background
    if background.shape != (px_h, px_w):
        background = np.zeros((px_h, px_w), dtype=bool)
    foreground = np.zeros((px_h, px_w), dtype=bool)
    if spec.curve is not None:
        foreground = rasterize([spec.curve], spec.x_range, spec.y_range, px_w, px_h)
    back_rows = braille_rows(background & ~foreground)
    fore_rows = braille_rows(foreground)
    marks: dict[tuple[int, int], str] = {}
    x0, x1 = spec.x_range
    y0, y1 = spec.y_range
    x_span, y_span = (x1 - x0) or 1.0, (y1 - y0) or 1.0

    def cell_of(x: float, y: float) -> tuple[int, int]:
        col = int(min(plot_w - 1, max(0, (x - x0) / x_span * plot_w)))
        row = int(min(plot_h - 1, max(0, (y1 - y) / y_span * plot_h)))
        return row, col

    stop_col = None
    if spec.stop_x is not None:
        stop_col = cell_of(spec.stop_x, y0)[1]
    if spec.points is not None:
        for x, y in zip(*spec.points, strict=True):
            if np.isfinite(x) and np.isfinite(y):
                marks[cell_of(float(x), float(y))] = EVAL_MARK
    lines = [Text(spec.title, style="bold")]
    if spec.stop_x is not None and spec.stop_label:
        lines[0].append(f"   {STOP_MARK} {spec.stop_label}", "bold yellow")
    fore_style = Style(color=spec.color, bold=True)
    styles = {
        "mark": fore_style,
        "fore": fore_style,
        "stop": Style(color="yellow"),
        "back": Style(color="grey35"),
        "blank": Style(),
    }
    for row in range(plot_h):
        if row == 0:
            label = f"{y1:.3g}"
        elif row == plot_h - 1:
            label = f"{y0:.3g}"
        else:
            label = ""
        line = Text(label.rjust(GUTTER - 1)[: GUTTER - 1] + "│", style="dim")
        # runs of one style become one span: a 100-column plot line is a handful of spans
        run_kind, run_chars = "blank", list[str]()
        for col in range(plot_w):
            mark = marks.get((row, col))
            if mark is not None:
                kind, char = "mark", mark
            elif fore_rows[row][col] != " ":
                kind, char = "fore", fore_rows[row][col]
            elif col == stop_col:
                kind, char = "stop", STOP_MARK
            elif back_rows[row][col] != " ":
                kind, char = "back", back_rows[row][col]
            else:
                kind, char = "blank", " "
            if kind != run_kind and run_chars:
                line.append("".join(run_chars), styles[run_kind])
                run_chars = []
            run_kind = kind
            run_chars.append(char)
        if run_chars:
            line.append("".join(run_chars), styles[run_kind])
        lines.append(line)
    axis = Text(" " * (GUTTER - 1) + "└", style="dim")
    left, right = f"{x0:g}", f"{x1:g} epochs"
    axis.append((left + " " * max(1, plot_w - len(left) - len(right)) + right)[:plot_w], "dim")
    lines.append(axis)
    return lines[:height]


class CurvesRenderable:
    """Plots stacked top to bottom, sharing the height."""

    def __init__(
        self, specs: list[PlotSpec], *, heading: Text | None = None, plot_heights: list[int] | None = None
    ) -> None:
        self.specs = specs
        self.heading = heading
        self.plot_heights = plot_heights

    def lines(self, width: int) -> list[Text]:
        """The heading (cut with an ellipsis when too long), then each plot's lines (cropped)."""
        lines = []
        if self.heading is not None:
            heading = self.heading.copy()
            heading.no_wrap, heading.overflow = True, "ellipsis"
            lines.append(heading)
        for spec, height in zip(self.specs, self.plot_heights or [], strict=False):
            for line in plot_lines(spec, width, height):
                line.no_wrap = True
                line.overflow = "crop"
                lines.append(line)
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.lines(options.max_width)


def split_height(total: int, parts: int) -> list[int]:
    """``total`` lines shared as evenly as possible among ``parts`` plots."""
    if parts <= 0:
        return []
    base, extra = divmod(max(0, total), parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]
