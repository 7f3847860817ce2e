"""Text from outside (a trainer's stderr, a failure reason, a trial id, a node name) made safe to show
on a terminal: the one sanitiser of the headless mode, its summary and the TUI's stderr panes.

Control characters are shown as escapes (``\\x1b``), never sent: a trainer that prints
``\\x1b[2J`` or ``\\x1b]0;title\\x07`` cannot clear the user's screen or retitle the terminal, and
a carriage return cannot overwrite a line. For Rich markup, ``markup_literal`` also escapes
brackets, so a reason holding ``[/x]`` or ``[bold]`` prints as written instead of raising
``MarkupError`` or restyling the line.
"""

from __future__ import annotations

from rich.markup import escape

# C0 controls (ESC, BEL, CR, BS...), DEL and the C1 controls (0x9b is a one-byte CSI)
_CONTROLS = [*range(0x20), 0x7F, *range(0x80, 0xA0)]
_SHOWN = {code: f"\\x{code:02x}" for code in _CONTROLS}
_ONE_LINE = str.maketrans({**_SHOWN, 0x09: " "})
_MULTILINE = str.maketrans({**_SHOWN, 0x09: "    ", 0x0A: "\n"})


def printable(text: object, *, multiline: bool = False) -> str:
    """``text`` with every control character shown as its escape (``\\x1b``); a tab becomes
    spaces; newlines stay only when ``multiline`` (a one-line context shows them as ``\\x0a``)."""
    return str(text).translate(_MULTILINE if multiline else _ONE_LINE)


def markup_literal(text: object) -> str:
    """``text`` to interpolate into Rich markup: printable, with its brackets escaped, so it
    prints exactly as written."""
    return escape(printable(text))
