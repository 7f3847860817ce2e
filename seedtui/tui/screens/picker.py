"""Choosing one sweep when the opened path holds several."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option


class SweepPicker(ModalScreen[Path | None]):
    """Returns the chosen sweep directory, or None on escape; ``c`` compares their WI seeds."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("c", "compare", "Compare WI seeds across the sweeps"),
    ]

    def __init__(self, sweeps: list[Path], current: Path | None = None) -> None:
        super().__init__()
        self.sweeps = sweeps
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text.assemble(("Open which sweep?", "bold"), "  (c: compare their WI seeds)"),
                         classes="dialog-title")
            options = [
                Option(Text(path.name + ("  (open)" if path == self.current else "")), id=str(i))
                for i, path in enumerate(self.sweeps)
            ]
            yield OptionList(*options, id="sweeps")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.sweeps[int(event.option.id or 0)])

    def action_compare(self) -> None:
        from seedtui.tui.screens.compare import CompareScreen

        self.app.push_screen(CompareScreen(self.sweeps))
