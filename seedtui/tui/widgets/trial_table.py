"""The trials table: one line per trial, drawn line by line (only the visible rows are rendered,
so 625 trials cost what 40 do)."""

from __future__ import annotations

from collections.abc import Mapping

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from seedtui.core.view.table import (
    SORT_COLUMNS,
    empty_table_reason,
    score_range,
    table_title,
    visible_rows,
)
from seedtui.state import TrialState
from seedtui.tui.renderables.trial_row import column_at, header_text, layout_columns, row_text


class TrialTable(ScrollView, can_focus=True):
    """Sortable, filterable table of trials with a cursor that selects a trial."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "cursor(-10)", "Page up", show=False),
        Binding("pagedown", "cursor(10)", "Page down", show=False),
        Binding("home", "cursor_to(0)", "First", show=False),
        Binding("end", "cursor_to(-1)", "Last", show=False),
    ]

    class Selected(Message):
        """The cursor moved onto a trial."""

        def __init__(self, trial_id: str) -> None:
            super().__init__()
            self.trial_id = trial_id
            """The trial now under the cursor."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.trials: Mapping[str, TrialState] = {}
        self.rows: list[str] = []
        self.cursor = 0
        self.sort_column = "trial"
        self.descending = False
        self.status_filter: str | None = None
        self.search = ""
        self.marked: frozenset[str] = frozenset()
        """Trials marked with ``m`` (their id is drawn bold)."""
        self.shared_scale = False
        """``v``: every validation sparkline on one scale, so rows compare; off, each uses its own."""
        self._score_range: tuple[float, float] | None = None
        """Part of a trial id the rows must contain (``/``); empty shows every trial."""
        self._line_cache: dict[str, tuple[tuple[object, ...], Strip]] = {}
        self._base_style = Style()
        self._frame_width = 0

    # --- data ----------------------------------------------------------------------------------
    def set_trials(self, trials: Mapping[str, TrialState], changed: set[str] | None = None) -> None:
        """Show these trials; rows of ``changed`` trials are redrawn (all when None)."""
        self.trials = trials
        if changed is None:
            self._line_cache.clear()
        self.refresh_rows()

    def refresh_rows(self) -> None:
        """Re-filter and re-sort, keeping the cursor on the same trial when it is still shown."""
        current = self.selected_trial
        self.rows = visible_rows(
            self.trials,
            sort_column=self.sort_column,
            descending=self.descending,
            status_filter=self.status_filter,
            search=self.search,
        )
        self._score_range = score_range(self.trials.values()) if self.shared_scale else None
        self.border_title = table_title(len(self.rows), len(self.trials), sort_column=self.sort_column,
                                        descending=self.descending, status_filter=self.status_filter,
                                        search=self.search)
        if current in self.rows:
            self.cursor = self.rows.index(current)
        self.cursor = min(self.cursor, max(0, len(self.rows) - 1))
        self._set_virtual_size(Size(self._width(), len(self.rows) + 1))
        self.refresh()

    def _set_virtual_size(self, size: Size) -> None:
        """Scroll over ``size`` without laying the screen out again: the table's own size does not
        depend on its rows (a layout of every pane cost more than the rest of a filter key). The
        scrollbars follow; one appearing or going lays out, as it must."""
        if size != self.virtual_size:
            self.set_reactive(TrialTable.virtual_size, size)
            self._scroll_update(size)

    @property
    def selected_trial(self) -> str | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def select(self, trial_id: str) -> None:
        """Move the cursor onto ``trial_id`` (when shown) without announcing it."""
        if self.selected_trial != trial_id and trial_id in self.rows:
            self._place_cursor(self.rows.index(trial_id))

    def sort_by(self, column: str, *, descending: bool | None = None) -> None:
        if column not in SORT_COLUMNS:
            return
        if descending is None:
            descending = not self.descending if column == self.sort_column else column in ("best", "last")
        self.sort_column, self.descending = column, descending
        self.refresh_rows()
        self._scroll_to_cursor()

    def set_filter(self, status: str | None) -> None:
        self.status_filter = status
        self.refresh_rows()
        self._scroll_to_cursor()

    def set_marked(self, trials: list[str]) -> None:
        self.marked = frozenset(trials)
        self._line_cache.clear()
        self.refresh()

    def set_shared_scale(self, shared: bool) -> None:
        self.shared_scale = shared
        self._line_cache.clear()
        self.refresh_rows()

    def set_search(self, text: str) -> None:
        self.search = text.strip()
        self.refresh_rows()
        self._scroll_to_cursor()

    # --- cursor ----------------------------------------------------------------------------------
    def action_cursor(self, delta: int) -> None:
        self._move_to(self.cursor + delta)

    def action_cursor_to(self, index: int) -> None:
        self._move_to(index if index >= 0 else len(self.rows) - 1)

    def _move_to(self, index: int) -> None:
        if not self.rows:
            return
        self._place_cursor(min(len(self.rows) - 1, max(0, index)))
        self.post_message(self.Selected(self.rows[self.cursor]))

    def _place_cursor(self, index: int) -> None:
        """Move the cursor; when the table does not scroll, only the two rows it left and entered
        are drawn again."""
        previous, scroll_before = self.cursor, self.scroll_y
        self.cursor = index
        self._scroll_to_cursor()
        if self.scroll_y == scroll_before:
            self.refresh_line(previous + 1)  # row i is virtual line i + 1 (under the header)
            self.refresh_line(index + 1)
        else:
            self.refresh()

    def _scroll_to_cursor(self) -> None:
        # row i is drawn on line i + 1 (line 0 is the header, which does not scroll)
        self.scroll_to_region(
            Region(0, self.cursor, 1, 2), animate=False, immediate=True, spacing=None, force=True
        )

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:  # the header: sort on the clicked column
            columns, _ = layout_columns(self._width())
            key = column_at(columns, offset.x)
            if key is not None:
                self.sort_by(key)
            return
        self._move_to(offset.y - 1 + int(self.scroll_y))

    # --- drawing ---------------------------------------------------------------------------------
    def _width(self) -> int:
        return self.scrollable_content_region.width

    def render_line(self, y: int) -> Strip:
        width = self._frame_width
        columns, spark = layout_columns(width)
        if y == 0:
            text = header_text(columns, spark, sort_column=self.sort_column, descending=self.descending)
            return self._strip(text, width)
        index = y - 1 + int(self.scroll_y)
        if not self.rows and y == 2:  # an empty table says why, under its header
            reason = empty_table_reason(len(self.trials), status_filter=self.status_filter,
                                        search=self.search)
            return self._strip(Text(" " + reason, style="dim italic", no_wrap=True, overflow="ellipsis"),
                               width)
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        trial = self.rows[index]
        state = self.trials[trial]
        selected = index == self.cursor
        key = (
            width,
            selected,
            self.has_focus,
            state.status,
            len(state.train_losses),
            len(state.eval_scores),
            state.end_step,
            trial in self.marked,
            self._score_range,
            self._base_style,
        )
        cached = self._line_cache.get(trial)
        if cached is not None and cached[0] == key:
            return cached[1]
        text = row_text(state, columns, spark, score_range=self._score_range, marked=trial in self.marked)
        if selected:
            text.stylize("reverse" if self.has_focus else "underline")
        strip = self._strip(text, width)
        self._line_cache[trial] = (key, strip)
        return strip

    def _strip(self, text: Text, width: int) -> Strip:
        segments = list(text.render(self.app.console, end=""))
        return Strip(Segment.apply_style(segments, self._base_style)).adjust_cell_length(
            width, self._base_style
        )

    def render_lines(self, crop: Region) -> list[Strip]:
        # once a frame, not once a line: both walk the widget's ancestors or styles
        self._base_style, self._frame_width = self.rich_style, self._width()
        return super().render_lines(crop)

    def on_resize(self) -> None:
        self.virtual_size = Size(self._width(), len(self.rows) + 1)
        self._line_cache.clear()

    def on_focus(self) -> None:
        self._line_cache.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._line_cache.clear()
        self.refresh()
