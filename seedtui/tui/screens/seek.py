"""The replay's seek prompt: type where to go (a share of the replay or an evaluation)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from seedtui.core.replay_seek import SeekError, SeekTarget, parse_seek


class SeekScreen(ModalScreen[SeekTarget | None]):
    """Returns the target typed (enter), or None (escape). A target that cannot be read keeps the
    prompt open and says what to type."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Go to", style="bold"), classes="dialog-title")
            yield Static(Text("50% or 0.5: that share of the replay; e7: when the first trial records "
                              "its 7th evaluation. Going back restarts the replay and forgets simulated "
                              "actions.", style="dim"))
            yield Input(placeholder="50% or e7", id="seek-target")
            yield Static("", id="seek-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            target = parse_seek(event.value)
        except SeekError as error:
            self.query_one("#seek-error", Static).update(Text(str(error), style="bold red"))
            return
        self.dismiss(target)

    def action_cancel(self) -> None:
        self.dismiss(None)
