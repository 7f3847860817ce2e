"""Quitting a live sweep: leave it running (the default) or stop it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class QuitScreen(ModalScreen[str | None]):
    """Returns ``"leave"``, ``"stop"``, or None to stay."""

    BINDINGS = [
        Binding("l,enter", "choose('leave')", "Leave running"),
        Binding("s", "choose('stop')", "Stop sweep"),
        Binding("escape,c", "choose(None)", "Cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Quit seedtui", style="bold"), classes="dialog-title")
            yield Static(Text("The sweep keeps running without the TUI unless you stop it."))
            with Horizontal(classes="dialog-buttons"):
                yield Button("Leave running (l)", variant="primary", id="leave")
                yield Button("Stop the sweep (s)", variant="error", id="stop")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#leave", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "cancel" else event.button.id)

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)
