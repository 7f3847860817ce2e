"""``c`` in the sweep switcher: the WI seeds of the open folder's sweeps, ranked across sweeps.

The same table and tests as ``seedtui compare`` (``seedtui.text.wi_ranks``), computed in a worker
thread because it reads every log of every sweep; the thread posts the answer and the screen shows it.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static


class CompareScreen(ModalScreen[None]):
    """The rank table of the WI seeds common to ``sweeps``, with Kendall's W and its tests."""

    BINDINGS = [Binding("escape,q,c", "dismiss", "Close")]

    class Compared(Message):
        """The comparison is ready (or cannot be made)."""

        def __init__(self, shown: RenderableType) -> None:
            super().__init__()
            self.shown = shown
            """The table and tests, or why the sweeps cannot be compared."""

    def __init__(self, sweeps: list[Path]) -> None:
        super().__init__()
        self.sweeps = sweeps

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog compare"):
            title = Text("WI seeds across sweeps  (escape closes)", style="bold")
            yield Static(title, classes="dialog-title")
            with VerticalScroll():
                yield Static(f"comparing {len(self.sweeps)} sweeps…", id="compare-table")

    def on_mount(self) -> None:
        sweeps = list(self.sweeps)

        def job() -> None:
            from seedtui.core.stats.wi_comparison import ComparisonError, compare_sweeps
            from seedtui.text.wi_ranks import comparison_report

            shown: RenderableType
            try:
                shown = comparison_report(compare_sweeps(sweeps, from_folder=True))
            except ComparisonError as error:
                shown = Text(f"No comparison: {error}")
            self.post_message(self.Compared(shown))

        self.run_worker(job, thread=True, group="compare", name="compare", exclusive=True)

    def on_compare_screen_compared(self, message: Compared) -> None:
        self.query_one("#compare-table", Static).update(message.shown)
