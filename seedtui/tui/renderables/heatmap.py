"""The WI x DO heatmap as Rich text, drawn like the paper's Figure 2: each cell's score printed in
it when the pane is wide enough (coloured cells for a 25 x 25 grid, blocks of seeds averaged for
larger ones), a colour scale over the data's range with the majority baseline marked on its
colorbar, row and column means in the margins, axis titles, a glyph per status and a readout of
the cell under the cursor. What to draw is decided by ``seedtui.core.view.heatmap``."""

from __future__ import annotations

import math

import numpy as np
from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style
from rich.text import Text

from seedtui.core.view.heatmap import (
    LABEL_WIDTH,
    VALUE_WIDTH,
    BlockCell,
    HeatmapGrid,
    HeatmapLayout,
    aggregate,
    choose_layout,
    data_range,
    format_value,
    margin_means,
    scale_fraction,
)
from seedtui.tui.renderables.fit import fit, fit_first
from seedtui.tui.renderables.palette import STATUS_MARKS, STATUS_STYLES, scale_style

LEGEND_LINES = 4
"""The colorbar, the baseline's mark under it, the glyphs, the readout of the cursor's cell."""
COLORBAR_WIDTH = 24
GLYPH_ORDER = ("running", "stopped", "diverged", "failed", "suspended", "queued")
GLYPH_LABELS = {"queued": "not started"}
GLYPH_SHORT = {"running": "run", "stopped": "stop", "diverged": "div", "failed": "fail", "suspended": "susp"}
NOT_STARTED = Style(bgcolor="grey23", color="grey62")
CURSOR = Style(reverse=True, bold=True)
BEST = Style(bold=True, underline=True)


def visible_row_window(rows: int, cursor_row: int, max_rows: int) -> tuple[int, int]:
    """First and one-past-last row to draw so that at most ``max_rows`` show and the cursor is
    among them (centred when the grid is taller than the space)."""
    if rows <= max_rows:
        return 0, rows
    first = min(max(0, cursor_row - max_rows // 2), rows - max_rows)
    return first, first + max_rows


def header_lines(layout: HeatmapLayout) -> int:
    """Lines above the first grid row: title, axis title, one or two lines of DO seeds."""
    return 3 if layout.mode == "values" else 4


def footer_lines() -> int:
    """Lines below the last grid row: the column means and the legend."""
    return 1 + LEGEND_LINES


class HeatmapRenderable:
    """Draws a ``HeatmapGrid``. ``baseline`` is the majority baseline (marked on the colorbar);
    the colours span the grid's own range of scores."""

    def __init__(
        self,
        grid: HeatmapGrid,
        *,
        cursor: tuple[int, int] | None,
        baseline: float | None,
        greater_is_better: bool = True,
        ordered: bool = False,
        max_height: int | None = None,
        width: int | None = None,
        row_cache: dict[tuple[object, ...], Text] | None = None,
    ) -> None:
        """``width`` fixes the layout (the widget passes its own); otherwise the console's width
        decides. ``row_cache`` (owned by the widget) keeps each grid row's line between frames: a
        cursor move then rebuilds two rows, not 25."""
        self.grid = grid
        self.cursor = cursor
        self.baseline = baseline
        self.greater_is_better = greater_is_better
        self.ordered = ordered
        self.max_height = max_height
        self.width = width
        self.row_cache = row_cache if row_cache is not None else {}
        self.scale = data_range(grid.values, greater_is_better=greater_is_better)
        self.row_means, self.col_means = margin_means(grid.values)
        self.best_cell = self._find_best_cell()
        """The best score's cell, printed bold and underlined."""

    # --- geometry ----------------------------------------------------------------------------------
    def layout(self, width: int) -> HeatmapLayout:
        return choose_layout(len(self.grid.wi_seeds), len(self.grid.do_seeds), self.width or width)

    def shown_rows(self, layout: HeatmapLayout) -> int:
        return -(-len(self.grid.wi_seeds) // layout.block)

    def row_window(self, layout: HeatmapLayout) -> tuple[int, int]:
        rows = self.shown_rows(layout)
        room = rows
        if self.max_height is not None:
            room = max(1, self.max_height - header_lines(layout) - footer_lines())
        cursor_row = (self.cursor[0] if self.cursor else 0) // layout.block
        return visible_row_window(rows, cursor_row, room)

    def cell_at(self, x: int, y: int, width: int) -> tuple[int, int] | None:
        """The grid cell (row, column) drawn at (x, y) of the pane, None outside the cells (a
        block's top-left trial in the aggregated view)."""
        layout = self.layout(width)
        first, last = self.row_window(layout)
        shown_row = first + y - header_lines(layout)
        shown_col = (x - LABEL_WIDTH) // layout.cell_width if x >= LABEL_WIDTH else -1
        columns = -(-len(self.grid.do_seeds) // layout.block)
        if not (first <= shown_row < last and 0 <= shown_col < columns):
            return None
        return shown_row * layout.block, shown_col * layout.block

    # --- lines -------------------------------------------------------------------------------------
    def lines(self, width: int = 80) -> list[Text]:
        grid = self.grid
        layout = self.layout(width)
        title = Text("Best score so far", style="bold")
        if self.ordered:
            title.append("  ordered by means", "dim")
        if layout.mode == "blocks":
            title.append(f"  blocks of {layout.block}x{layout.block} seeds: mean", "dim")
        if not grid.wi_seeds:
            return [title, Text("no trials yet", style="dim")]
        lines = [title, Text("WI ↓".ljust(LABEL_WIDTH) + "DO seed →", style="dim")]
        lines += self._column_labels(layout)
        first, last = self.row_window(layout)
        for shown_row in range(first, last):
            lines.append(self._row_line(layout, shown_row, first, last))
        key = ("column means", layout, self.grid.values.tobytes(), self.scale, self.greater_is_better)
        if key not in self.row_cache:  # the same until a score changes: not drawn again per cursor move
            self.row_cache[key] = self._column_means(layout)
        lines.append(self.row_cache[key])
        lines += self._legend(width)
        return lines

    def _column_labels(self, layout: HeatmapLayout) -> list[Text]:
        seeds = [str(s) for s in self.grid.do_seeds[:: layout.block]]
        if layout.mode == "values":
            line = Text(" " * LABEL_WIDTH, style="dim")
            for label in seeds:
                line.append(label.rjust(VALUE_WIDTH).ljust(layout.cell_width))
            line.append(" mean")
            return [line]
        tens = Text(" " * LABEL_WIDTH, style="dim")
        ones = Text(" " * LABEL_WIDTH, style="dim")
        for label in seeds:
            tens.append((label[-2] if len(label) > 1 else " ").ljust(layout.cell_width)[: layout.cell_width])
            ones.append(label[-1].ljust(layout.cell_width)[: layout.cell_width])
        ones.append(" mean")
        return [tens, ones]

    def _row_line(self, layout: HeatmapLayout, shown_row: int, first: int, last: int) -> Text:
        grid = self.grid
        cursor = self.cursor
        on_row = cursor is not None and cursor[0] // layout.block == shown_row
        cursor_col = cursor[1] // layout.block if cursor is not None and on_row else None
        top = shown_row * layout.block
        band = slice(top, top + layout.block)
        # everything the row's line is drawn from
        key = (
            (layout, shown_row, first, last, grid.wi_seeds[top], len(grid.do_seeds),
             tuple(tuple(r) for r in grid.statuses[band])),
            (grid.values[band].tobytes(), self.scale, self.greater_is_better, cursor_col, self.best_cell),
        )
        cached = self.row_cache.get(key)
        if cached is not None:
            return cached
        if len(self.row_cache) > 4 * max(1, len(grid.wi_seeds)):
            self.row_cache.clear()
        label = f"wi{grid.wi_seeds[top]}"
        line = Text(label[: LABEL_WIDTH - 1].ljust(LABEL_WIDTH), style="dim")
        if layout.mode == "blocks":
            for col, block in enumerate(aggregate_row(grid, top, layout.block)):
                line.append(*self._block_cell(block, layout, col == cursor_col))
            mean = float(np.nanmean(grid.values[band])) if np.isfinite(grid.values[band]).any() else math.nan
        else:
            for col in range(len(grid.do_seeds)):
                line.append_text(self._cell(top, col, layout, col == cursor_col))
            mean = float(self.row_means[top])
        line.append_text(self._mean_text(mean))
        if shown_row == first and first > 0:
            line.append(f" ↑{first}", "dim")
        if shown_row == last - 1 and last < self.shown_rows(layout):
            line.append(f" ↓{self.shown_rows(layout) - last}", "dim")
        line.no_wrap = True
        line.overflow = "crop"
        self.row_cache[key] = line
        return line

    def _fraction(self, value: float) -> float | None:
        if self.scale is None:
            return None
        return scale_fraction(value, *self.scale, greater_is_better=self.greater_is_better)

    def _find_best_cell(self) -> tuple[int, int] | None:
        values = self.grid.values
        if not np.isfinite(values).any():
            return None
        signed = np.where(np.isfinite(values), values if self.greater_is_better else -values, -np.inf)
        row, col = np.unravel_index(int(np.argmax(signed)), values.shape)
        return int(row), int(col)

    def _cell(self, row: int, col: int, layout: HeatmapLayout, under_cursor: bool) -> Text:
        status = self.grid.statuses[row][col]
        if status is None:
            return Text(" " * layout.cell_width)
        value = float(self.grid.values[row, col])
        fraction = self._fraction(value)
        mark = STATUS_MARKS.get(status, "?")
        style = NOT_STARTED if fraction is None else scale_style(fraction)
        if status in ("failed", "diverged"):
            style += Style(color=STATUS_STYLES[status].split()[-1], bold=True)
        if under_cursor:
            style += CURSOR
        if layout.mode != "values":
            if under_cursor and mark in (" ", STATUS_MARKS["queued"]):
                mark = "◆"
            return Text((mark + " ")[: layout.cell_width], style=style)
        shown = format_value(value) if math.isfinite(value) else ""
        cell = Text(shown.rjust(VALUE_WIDTH), style=style + BEST if (row, col) == self.best_cell else style)
        cell.append(mark, style)
        cell.append(" " * (layout.cell_width - VALUE_WIDTH - 1))
        return cell

    def _block_cell(self, block: BlockCell, layout: HeatmapLayout, under_cursor: bool) -> tuple[str, Style]:
        if block.status is None:
            return " " * layout.cell_width, Style()
        fraction = self._fraction(block.mean)
        style = NOT_STARTED if fraction is None else scale_style(fraction)
        mark = STATUS_MARKS.get(block.status, "?")
        if under_cursor:
            style += CURSOR
            mark = "◆" if mark in (" ", STATUS_MARKS["queued"]) else mark
        return (mark + " " * layout.cell_width)[: layout.cell_width], style

    def _mean_text(self, mean: float) -> Text:
        fraction = self._fraction(mean)
        text = Text(" ")
        style = scale_style(fraction) if fraction is not None else "dim"
        text.append(format_value(mean).rjust(VALUE_WIDTH), style)
        return text

    def _column_means(self, layout: HeatmapLayout) -> Text:
        line = Text("mean".ljust(LABEL_WIDTH), style="dim")
        if layout.mode == "values":
            for mean in self.col_means:
                fraction = self._fraction(float(mean))
                style = "dim" if fraction is None else "italic"
                line.append(format_value(float(mean)).rjust(VALUE_WIDTH), style)
                line.append(" " * (layout.cell_width - VALUE_WIDTH))
            return line
        values = self.grid.values
        for left in range(0, len(self.grid.do_seeds), layout.block):
            patch = values[:, left : left + layout.block]
            mean = float(np.nanmean(patch)) if np.isfinite(patch).any() else math.nan
            fraction = self._fraction(mean)
            line.append(" " * layout.cell_width, Style() if fraction is None else scale_style(fraction))
        return line

    # --- legend ------------------------------------------------------------------------------------
    def _legend(self, width: int) -> list[Text]:
        width = self.width or width
        return [*self._colorbar(width), self._glyphs(width), self._readout(self.layout(width), width)]

    def _colorbar(self, width: int) -> tuple[Text, Text]:
        """The colour scale from the worst score to the best, and under it the majority baseline's
        mark (or, outside the range, which side it lies on), shortened to ``width`` by whole words."""
        bar = Text(" " * LABEL_WIDTH)
        if self.scale is None:
            bar.append("no score yet", "dim")
            baseline = "-" if self.baseline is None else format_value(self.baseline)
            return bar, fit([Text(" " * LABEL_WIDTH), Text(f"majority baseline {baseline}", "dim")], width)
        worst, best = self.scale
        left, right = f"worst {format_value(worst)} ", f" {format_value(best)} best"
        bar_width = max(4, min(COLORBAR_WIDTH, width - LABEL_WIDTH - len(left) - len(right)))
        bar.append(left, "dim")
        for step in range(bar_width):
            bar.append(" ", scale_style(step / (bar_width - 1)))
        bar.append(right, "dim")
        indent = Text(" " * (LABEL_WIDTH + len(left)))
        if self.baseline is None or not math.isfinite(self.baseline):
            return bar, fit([indent, Text("majority baseline unknown", "dim")], width)
        value = format_value(self.baseline)
        direction = 1 if self.greater_is_better else -1
        if (self.baseline - worst) * direction < 0:
            start = [Text(" " * LABEL_WIDTH), Text("◀ ", "bold"), Text(f"majority baseline {value}", "dim")]
            return bar, fit_first(start, [" (worse than every score)", " (worse than all)"], width)
        if (self.baseline - best) * direction > 0:
            endings = [" (better than every score)", " (better than all)"]
            kept = fit_first([Text(f"majority baseline {value}", "dim")], endings, width - LABEL_WIDTH - 2)
            kept.append(" ▶", "bold")  # ends under the best end of the bar
            pad = max(LABEL_WIDTH, min(len(bar), width) - len(kept))
            return bar, Text(" " * pad) + kept
        fraction = scale_fraction(self.baseline, worst, best, greater_is_better=self.greater_is_better)
        position = round((fraction or 0.0) * (bar_width - 1))
        label = f"majority baseline {value}"
        if len(indent) + position + 2 + len(label) <= width:
            marker = Text(" " * (len(indent) + position))
            marker.append("▲ ", "bold")
            marker.append(label, "dim")
        else:  # the label to the left of the mark
            label = label if len(label) < len(indent) + position else f"baseline {value}"
            marker = Text(" " * max(0, len(indent) + position - len(label) - 1))
            marker.append(label + " ", "dim")
            marker.append("▲", "bold")
        return bar, marker

    def _glyphs(self, width: int) -> Text:
        """What each status glyph means: long labels when they fit, short ones otherwise, and
        never a label cut in the middle."""
        for labels, gap in ((None, "  "), (GLYPH_SHORT, "  "), (GLYPH_SHORT, " ")):
            pieces = []
            for status in GLYPH_ORDER:
                label = GLYPH_LABELS.get(status) or (labels or {}).get(status, status)
                glyph = Text(STATUS_MARKS[status], STATUS_STYLES[status])
                pieces.append(glyph + Text(f" {label}{gap}", "dim"))
            if sum(len(piece) for piece in pieces) - len(gap) <= width:
                break
        return fit(pieces, width)

    def _readout(self, layout: HeatmapLayout, width: int) -> Text:
        """The cursor's cell: trial, status, best score, and its row's and column's means; in the
        aggregated view first its block's mean. What does not fit is left out, piece by piece."""
        if self.cursor is None:
            return Text()
        pieces: list[Text] = []
        row, col = self.cursor
        if layout.block > 1:
            top, left = row - row % layout.block, col - col % layout.block
            patch = self.grid.values[top : top + layout.block, left : left + layout.block]
            mean = float(np.nanmean(patch)) if np.isfinite(patch).any() else math.nan
            block = Text(f"block {format_value(mean)}", "bold")
            pieces.append(block + Text(f" ({patch.size} trials)  ", "dim"))
        trial = self.grid.trial_at(row, col)
        if trial is None:
            return fit([*pieces, Text("no trial here", "dim")], width)
        value = float(self.grid.values[row, col])
        status = self.grid.statuses[row][col] or ""
        pieces += [
            Text(trial, "bold"),
            Text(f" {status}", STATUS_STYLES.get(status, "")),
            Text(f"  best {format_value(value)}"),
            Text(f"  WI mean {format_value(float(self.row_means[row]))}", "dim"),
            Text(f"  DO mean {format_value(float(self.col_means[col]))}", "dim"),
        ]
        return fit(pieces, width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines(options.max_width):
            line.no_wrap = True
            line.overflow = "crop"
            yield line


def aggregate_row(grid: HeatmapGrid, top: int, block: int) -> list[BlockCell]:
    """The blocks of one band of ``block`` rows starting at ``top`` (``aggregate`` of that band)."""
    band = HeatmapGrid(
        wi_seeds=grid.wi_seeds[top : top + block],
        do_seeds=grid.do_seeds,
        values=grid.values[top : top + block],
        statuses=grid.statuses[top : top + block],
    )
    return aggregate(band, block)[0]


