"""On a narrow terminal one pane shows at a time; this line says which, and which key shows
the others."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Static

PANES = (("trials", "Trials"), ("grid", "Grid"), ("curves", "Curves"), ("stats", "Stats"), ("log", "Log"))


def tabs_text(active: str) -> Text:
    text = Text()
    for number, (key, label) in enumerate(PANES, start=1):
        style = "bold reverse" if key == active else "dim"
        text.append(f" {number} {label} ", style)
        text.append(" ")
    return text


class PaneTabs(Static):
    """``1 Trials  2 Grid  3 Curves  4 Stats  5 Log`` with the shown pane highlighted."""

    class Chosen(Message):
        """A tab was clicked."""

        def __init__(self, pane: str) -> None:
            super().__init__()
            self.pane = pane
            """Key of the pane to show."""

    def show(self, active: str) -> None:
        self.update(tabs_text(active))

    def on_click(self, event: events.Click) -> None:
        offset = 0
        for number, (key, label) in enumerate(PANES, start=1):
            width = len(f" {number} {label} ") + 1
            if offset <= event.x < offset + width:
                self.post_message(self.Chosen(key))
                return
            offset += width
