"""Policy decisions as they happen, and the selected trial's stderr tail. Both come from files,
so every line is shown as plain ``Text`` (``[bold red]`` stays ``[bold red]``)."""

from __future__ import annotations

from collections import deque
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import RichLog, Static

from seedtui.core.view.decisions import describe_decision
from seedtui.text.terminal import printable
from seedtui.tui.renderables.header import format_clock

MAX_DECISION_LINES = 2000
EMPTY_LOG = Text("No decision yet: a policy's stops and promotions, and your kills, appear here.",
                 style="dim italic")


def decision_line(record: dict[str, Any], t0: float | None) -> Text:
    """One decision, timestamped relative to the sweep's start; simulated ones are labelled."""
    text = Text()
    t = record.get("t")
    if isinstance(t, (int, float)) and t0 is not None:
        text.append(format_clock(t - t0) + " ", "dim")
    if record.get("simulated"):
        text.append("SIMULATED ", "bold yellow")
    action = str(record.get("action", ""))
    text.append(printable(describe_decision(record)), "red" if action == "stop" else "")
    return text


class DecisionsLog(Vertical):
    """Decisions above, stderr of the selected trial below."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.lines_written = 0
        self._lines: deque[Text] = deque(maxlen=MAX_DECISION_LINES)
        self._drawn_width = 0
        """Width the log's lines were wrapped at; 0 while the pane is hidden (nothing drawn)."""
        self.stderr_trial: str | None = None
        self.stderr_text = ""
        self._tail_needed: tuple[int, bool] | None = None
        """Lines the shown tail takes (``_lines_needed``)."""

    def compose(self) -> ComposeResult:
        yield Static(Text("decisions", style="bold"), classes="pane-title")
        yield RichLog(
            id="decision-lines",
            max_lines=MAX_DECISION_LINES,
            markup=False,
            wrap=True,
            min_width=20,
            auto_scroll=True,
        )
        yield Static(Text("stderr", style="bold"), id="stderr-title", classes="pane-title")
        yield Static(Text(""), id="stderr-tail")

    def add_decisions(self, records: list[dict[str, Any]], t0: float | None) -> None:
        """Keep the lines, and draw them when the log has a width. A RichLog wraps each line once,
        when it is written: written while the pane was hidden, a line was wrapped at the log's
        minimum width (20 columns) for good."""
        lines = [decision_line(record, t0) for record in records]
        self._lines.extend(lines)
        self.lines_written += len(lines)
        log = self.query_one("#decision-lines", RichLog)
        first = len(self._lines) == len(lines)  # the empty-state line goes
        if not first and self._drawn_width and self._drawn_width == log.scrollable_content_region.width:
            for line in lines:
                log.write(line)
        else:
            self._rewrap()

    def _rewrap(self) -> None:
        """Draw every kept line again at the log's width (nothing while it has none)."""
        log = self.query_one("#decision-lines", RichLog)
        width = log.scrollable_content_region.width
        if width <= 0:
            self._drawn_width = 0
            return
        log.clear()
        for line in self._lines or [EMPTY_LOG]:
            log.write(line)
        self._drawn_width = width

    def on_resize(self) -> None:
        if self.query_one("#decision-lines", RichLog).scrollable_content_region.width != self._drawn_width:
            self.call_after_refresh(self._rewrap)

    def clear(self) -> None:
        self._lines.clear()
        self.lines_written = 0
        self._rewrap()

    def show_stderr(self, trial: str | None, text: str) -> None:
        if trial == self.stderr_trial and text == self.stderr_text:
            return
        self.stderr_trial, self.stderr_text = trial, text
        title = Text("stderr ", style="bold")
        title.append(trial or "(no trial selected)")
        # the title is one line: no layout pass (a layout of the whole screen costs more than the
        # rest of a cursor move); the tail needs one only when its height may change
        self.query_one("#stderr-title", Static).update(title, layout=False)
        tail = self.query_one("#stderr-tail", Static)
        shown = printable(text, multiline=True)
        needed = _lines_needed(shown, tail.content_size.width)  # as shown: escapes may lengthen lines
        # Text, not a str: Static would parse a str as markup.
        tail.update(Text(shown or "(empty)", style="" if text else "dim"),
                    layout=_height_changes(self._tail_needed, needed, tail.size.height))
        self._tail_needed = needed


def _lines_needed(text: str, width: int) -> tuple[int, bool]:
    """At least how many lines ``text`` takes wrapped at ``width``, and whether exactly that many
    (no line reaches the edge, so none wraps)."""
    lines = text.splitlines() or [""]
    if width <= 0:
        return len(lines), False
    lengths = [cell_len(line) for line in lines]
    return sum(max(1, -(-length // width)) for length in lengths), all(n < width for n in lengths)


def _height_changes(before: tuple[int, bool] | None, after: tuple[int, bool], shown: int) -> bool:
    """Whether the tail's height may change from showing a text of ``before`` lines (``shown``
    tall now) to one of ``after``: not when both fill it to its maximum height, nor when the pane
    is hidden (showing it lays it out)."""
    if before is None:
        return True
    if shown == 0:
        return False
    capped = before[0] > shown  # it is at its maximum height: the same for any text as long
    return not ((capped and after[0] >= shown) or (before[1] and after[1] and after[0] == before[0]))
