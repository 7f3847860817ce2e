"""``/``: type part of a trial id (``do3``, ``wi2-``) to show only the trials that contain it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class SearchScreen(ModalScreen[str | None]):
    """Returns the text typed (empty: show every trial), or None on escape (search unchanged)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, current: str = "") -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text.assemble(("Search trials", "bold"), "  part of a trial id, e.g. do3 or wi2-;"
                                       " empty shows every trial"), classes="dialog-title")
            yield Input(self.current, placeholder="trial id contains…", id="search")

    def on_mount(self) -> None:
        self.query_one("#search", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)
