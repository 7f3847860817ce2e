"""``S``: choose the table's sort column in one step (``s`` still cycles through them): each
column has a key, the current one is marked, and choosing it again reverses the order."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from seedtui.core.view.table import SORT_COLUMNS

SORT_KEYS = {"trial": "t", "wi": "w", "do": "d", "status": "s", "progress": "g", "step": "n",
             "loss": "l", "last": "a", "best": "b"}
"""The key that picks each column in the menu."""


class SortMenu(ModalScreen[str | None]):
    """Returns the chosen column, or None on escape."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        *[Binding(key, f"choose('{column}')", f"Sort by {column}", show=False)
          for column, key in SORT_KEYS.items()],
    ]

    def __init__(self, current: str, descending: bool) -> None:
        super().__init__()
        self.current = current
        self.descending = descending

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text.assemble(("Sort trials by", "bold"), "  (the current column again reverses)"),
                         classes="dialog-title")
            options = []
            for column in SORT_COLUMNS:
                label = Text.assemble((f"{SORT_KEYS[column]}  ", "bold"), column)
                if column == self.current:
                    label.append(f"  (now, {'descending' if self.descending else 'ascending'})", "dim")
                options.append(Option(label, id=column))
            yield OptionList(*options, id="sort-columns")

    def on_mount(self) -> None:
        menu = self.query_one(OptionList)
        menu.highlighted = SORT_COLUMNS.index(self.current) if self.current in SORT_COLUMNS else 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_choose(self, column: str) -> None:
        self.dismiss(column)
