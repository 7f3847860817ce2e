"""The WI x DO heatmap pane: a cursor over cells that selects a trial everywhere."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from seedtui.core.view.heatmap import HeatmapGrid, build_heatmap, move_cursor
from seedtui.core.view.sweep_model import SweepModel
from seedtui.tui.renderables.heatmap import HeatmapRenderable, footer_lines, header_lines
from seedtui.tui.renderables.strips import StripCache, changed_lines


class Heatmap(Widget, can_focus=True):
    """One cell per trial, coloured by its best score so far."""

    BINDINGS = [
        Binding("up,k", "move(-1, 0)", "Up", show=False),
        Binding("down,j", "move(1, 0)", "Down", show=False),
        Binding("left,h", "move(0, -1)", "Left", show=False),
        Binding("right,l", "move(0, 1)", "Right", show=False),
    ]

    class Selected(Message):
        """The cursor moved onto a trial's cell."""

        def __init__(self, trial_id: str) -> None:
            super().__init__()
            self.trial_id = trial_id
            """The trial of the cell under the cursor."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.model: SweepModel | None = None
        self.ordered = False
        self.grid = build_heatmap([])
        self.cursor: tuple[int, int] = (0, 0)
        self.selected_trial: str | None = None
        self._row_cache: dict[tuple[object, ...], Text] = {}
        self._renderable: tuple[tuple[object, ...], HeatmapRenderable] | None = None
        self._lines: tuple[HeatmapRenderable, int, list[Text]] | None = None
        self._strips = StripCache()
        self._base_style = Style()
        self._baseline: float | None = None
        self._greater_is_better = True

    def update_model(self, model: SweepModel) -> None:
        """Rebuild the grid from the model (after new events or a re-order)."""
        self.model = model
        shape = (len(self.grid.wi_seeds), len(self.grid.do_seeds))
        # read once per update: the model finds them by looking through every trial's start
        self._baseline, self._greater_is_better = model.majority_baseline, model.greater_is_better
        self.grid = build_heatmap(
            model.trials.values(), ordered_by_means=self.ordered, greater_is_better=self._greater_is_better
        )
        self._place_cursor()
        # the pane's height follows the number of WI seeds: lay out again when it changes
        self.refresh(layout=shape != (len(self.grid.wi_seeds), len(self.grid.do_seeds)))

    def toggle_order(self) -> None:
        self.ordered = not self.ordered
        if self.model is not None:
            self.update_model(self.model)

    def select(self, trial_id: str) -> None:
        self.selected_trial = trial_id
        self._place_cursor()
        self._refresh_changed_lines()

    def _refresh_changed_lines(self) -> None:
        """Draw again only the lines a cursor move changed (two grid rows and the readout, unless
        the rows scroll)."""
        before = self._lines[2] if self._lines is not None else None
        renderable, width = self.render(), self.content_size.width
        if self._lines is not None and self._lines[0] is renderable and self._lines[1] == width:
            return  # nothing moved
        self._lines = (renderable, width, renderable.lines(width))
        changed = changed_lines(before, self._lines[2])
        if changed is None:
            self.refresh()
        for y in changed or ():
            self.refresh(Region(0, y, width, 1))

    def _place_cursor(self) -> None:
        if self.selected_trial is not None:
            position = self.grid.position_of(self.selected_trial)
            if position is not None:
                self.cursor = position

    def action_move(self, d_row: int, d_col: int) -> None:
        """Move by one cell (by one block of seeds in the aggregated view of a large grid)."""
        grid: HeatmapGrid = self.grid
        block = self._layout_block()
        self.cursor = move_cursor(*self.cursor, d_row * block, d_col * block, len(grid.wi_seeds),
                                  len(grid.do_seeds))
        trial = grid.trial_at(*self.cursor)
        if trial is not None:
            self.selected_trial = trial
            self.post_message(self.Selected(trial))
        self._refresh_changed_lines()

    def on_click(self, event: events.Click) -> None:
        """Clicking a cell selects its trial, like moving the cursor there."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        cell = self.render().cell_at(offset.x, offset.y, self.content_size.width)
        if cell is not None:
            self.action_move(cell[0] - self.cursor[0], cell[1] - self.cursor[1])

    def _layout_block(self) -> int:
        return self.render().layout(self.content_size.width or 80).block

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """The whole grid's height; when the pane gets less, the grid scrolls with the cursor.
        (Measuring the renderable would feed the current, possibly clipped, height back in.)"""
        if not self.grid.wi_seeds:
            return 2
        renderable = self.render()
        layout = renderable.layout(width)
        return header_lines(layout) + renderable.shown_rows(layout) + footer_lines()

    def render(self) -> HeatmapRenderable:
        """The renderable for the grid, cursor and size now (the same object until one changes:
        the layout, a click and the drawing all ask for it)."""
        inputs = (
            self.cursor if self.grid.wi_seeds else None,
            self._baseline,
            self._greater_is_better,
            self.ordered,
            self.content_size.height or None,
            self.content_size.width or None,
        )
        cached = self._renderable
        if cached is not None and cached[1].grid is self.grid and cached[0] == inputs:
            return cached[1]
        cursor, baseline, greater_is_better, ordered, max_height, width = inputs
        renderable = HeatmapRenderable(
            self.grid,
            cursor=cursor,
            baseline=baseline,
            greater_is_better=greater_is_better,
            ordered=ordered,
            max_height=max_height,
            width=width,
            row_cache=self._row_cache,
        )
        self._renderable = (inputs, renderable)
        return renderable

    # --- drawing, line by line: a cursor move converts the lines it changed, not the whole grid --
    def render_lines(self, crop: Region) -> list[Strip]:
        renderable, width = self.render(), self.content_size.width
        if self._lines is None or self._lines[0] is not renderable or self._lines[1] != width:
            self._lines = (renderable, width, renderable.lines(width))
        self._base_style = self.rich_style
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        lines = self._lines[2] if self._lines is not None else []
        if y >= len(lines):
            return Strip.blank(width, self._base_style)
        return self._strips.strip(lines[y], width, self._base_style, self.app.console)
