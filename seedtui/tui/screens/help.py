"""``?``: every key of the app and of the pane in focus, read from the bindings themselves so
the list cannot drift from what the keys do."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEY_NAMES = {
    "question_mark": "?",
    "plus": "+",
    "minus": "-",
    "right_square_bracket": "]",
    "left_square_bracket": "[",
    "escape": "esc",
    "pageup": "PgUp",
    "pagedown": "PgDn",
}


def key_label(key: str) -> str:
    """A binding's keys as a person types them (``plus,right_square_bracket`` -> ``+ ]``)."""
    return " ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in key.split(","))


def bindings_table(groups: list[tuple[str, list[Binding]]]) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 1))
    table.add_column("key", style="bold cyan", no_wrap=True)
    table.add_column("action")
    for title, bindings in groups:
        table.add_row("", f"[bold]{title}[/]")
        seen = set()
        for binding in bindings:
            if binding.description in seen:
                continue
            seen.add(binding.description)
            table.add_row(key_label(binding.key), binding.description or binding.action)
    return table


class HelpScreen(ModalScreen[None]):
    """A scrollable list of keys; any of escape, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close help")]

    def __init__(self, groups: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Static("[bold]Keys[/]  (escape closes)", classes="dialog-title")
            with VerticalScroll():
                yield Static(bindings_table(self.groups), id="help-keys")
