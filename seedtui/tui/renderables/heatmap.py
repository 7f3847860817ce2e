"""The WI x DO heatmap as Rich text: seed labels, coloured cells with status marks, a legend."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style
from rich.text import Text

from seedtui.core.view.heatmap import HeatmapGrid, scale_fraction
from seedtui.tui.renderables.palette import SCALE_HEX, STATUS_MARKS, STATUS_STYLES, scale_style

LABEL_WIDTH = 5
CELL_WIDTH = 2
LEGEND_LINES = 3
HEADER_LINES = 3
"""Title and the two lines of DO seed labels above the first row."""


def visible_row_window(rows: int, cursor_row: int, max_rows: int) -> tuple[int, int]:
    """First and one-past-last row to draw so that at most ``max_rows`` show and the cursor is
    among them (centred when the grid is taller than the space)."""
    if rows <= max_rows:
        return 0, rows
    first = min(max(0, cursor_row - max_rows // 2), rows - max_rows)
    return first, first + max_rows


class HeatmapRenderable:
    """Draws a ``HeatmapGrid``; ``low``/``high`` are the legend's ends (baseline, best)."""

    def __init__(
        self,
        grid: HeatmapGrid,
        *,
        cursor: tuple[int, int] | None,
        low: float | None,
        high: float | None,
        greater_is_better: bool = True,
        ordered: bool = False,
        max_height: int | None = None,
        row_cache: dict[tuple[object, ...], Text] | None = None,
    ) -> None:
        """``row_cache`` (owned by the widget) keeps each grid row's line between frames: a cursor
        move then rebuilds two rows, not 25."""
        self.grid = grid
        self.cursor = cursor
        self.low = low
        self.high = high
        self.greater_is_better = greater_is_better
        self.ordered = ordered
        self.max_height = max_height
        self.row_cache = row_cache if row_cache is not None else {}

    def lines(self) -> list[Text]:
        grid = self.grid
        title = "WI x DO: best score so far" + ("  (ordered by means)" if self.ordered else "")
        lines = [Text(title, style="bold")]
        if not grid.wi_seeds:
            lines.append(Text("no trials yet", style="dim"))
            return lines
        tens = Text(" " * LABEL_WIDTH)
        ones = Text("DO→".rjust(LABEL_WIDTH - 1) + " ")
        for seed in grid.do_seeds:
            label = str(seed)
            tens.append((label[:-1][-1:] if len(label) > 1 else " ").ljust(CELL_WIDTH), "dim")
            ones.append(label[-1].ljust(CELL_WIDTH), "dim")
        lines += [tens, ones]
        cursor_row = self.cursor[0] if self.cursor else 0
        room = len(grid.wi_seeds)
        if self.max_height is not None:
            room = max(1, self.max_height - len(lines) - LEGEND_LINES)
        first, last = visible_row_window(len(grid.wi_seeds), cursor_row, room)
        for row in range(first, last):
            lines.append(self._row_line(row, first, last))
        lines += self._legend()
        return lines

    def _row_line(self, row: int, first: int, last: int) -> Text:
        grid = self.grid
        cursor_col = self.cursor[1] if self.cursor is not None and self.cursor[0] == row else None
        # everything the row's line is drawn from
        key = (
            (row, first, last, grid.wi_seeds[row], len(grid.do_seeds), tuple(grid.statuses[row])),
            (grid.values[row].tobytes(), self.low, self.high, self.greater_is_better, cursor_col),
        )
        cached = self.row_cache.get(key)
        if cached is not None:
            return cached
        if len(self.row_cache) > 4 * max(1, len(grid.wi_seeds)):
            self.row_cache.clear()
        line = Text(f"wi{grid.wi_seeds[row]}".rjust(LABEL_WIDTH - 1)[: LABEL_WIDTH - 1] + " ", style="dim")
        for col in range(len(grid.do_seeds)):
            line.append(*self._cell(row, col))
        if row == first and first > 0:
            line.append(f" ↑{first}", "dim")
        if row == last - 1 and last < len(grid.wi_seeds):
            line.append(f" ↓{len(grid.wi_seeds) - last}", "dim")
        line.no_wrap = True
        line.overflow = "crop"
        self.row_cache[key] = line
        return line

    def _cell(self, row: int, col: int) -> tuple[str, Style]:
        status = self.grid.statuses[row][col]
        if status is None:
            return " " * CELL_WIDTH, Style()
        value = float(self.grid.values[row, col])
        fraction = None
        if self.low is not None and self.high is not None:
            fraction = scale_fraction(value, self.low, self.high, greater_is_better=self.greater_is_better)
        mark = STATUS_MARKS.get(status, "?")
        if status == "queued" and fraction is None:
            style = Style(color="grey50")
        else:
            style = scale_style(fraction)
            if status in ("failed", "diverged"):
                style += Style(color=STATUS_STYLES[status].split()[-1], bold=True)
        if self.cursor == (row, col):
            style += Style(reverse=True, bold=True)
            mark = "◆" if mark in (" ", STATUS_MARKS["queued"]) else mark
        return (mark + " ")[:CELL_WIDTH], style

    def _legend(self) -> list[Text]:
        scale = Text(" " * LABEL_WIDTH)
        low = "?" if self.low is None else f"{self.low:.3f}"
        high = "?" if self.high is None else f"{self.high:.3f}"
        scale.append(f"baseline {low} ", "dim")
        for colour in SCALE_HEX:
            scale.append(" ", Style(bgcolor=colour))
        scale.append(f" {high} best", "dim")
        marks = Text(" " * LABEL_WIDTH)
        for status in ("running", "stopped", "diverged", "failed", "suspended", "queued"):
            marks.append(STATUS_MARKS[status], STATUS_STYLES[status])
            marks.append(f" {status} ", "dim")
        detail = Text(" " * LABEL_WIDTH)
        if self.cursor is not None:
            row, col = self.cursor
            trial = self.grid.trial_at(row, col)
            if trial is not None:
                value = float(self.grid.values[row, col])
                status = self.grid.statuses[row][col] or ""
                detail.append(trial, "bold")
                detail.append(f" {status}", STATUS_STYLES.get(status, ""))
                detail.append("  best " + ("-" if value != value else f"{value:.4f}"))
        return [scale, marks, detail]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines():
            line.no_wrap = True
            line.overflow = "crop"
            yield line
