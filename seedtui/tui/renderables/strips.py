"""Rich ``Text`` lines as Textual ``Strip``s, for the panes drawn line by line.

A pane that returns a renderable from ``render()`` is converted to strips whole on every refresh:
a heatmap whose cursor moved would convert its 30 lines again for the two that changed. The panes
instead build their lines as ``Text`` (the drawing stays in plain renderables, tested as strings)
and ask a ``StripCache`` for each line's strip: a line drawn before comes back at the cost of a
dictionary look-up.
"""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

MAX_CACHED_LINES = 4096
"""Lines a cache keeps before it starts over (a pane shows at most a few hundred)."""


def text_strip(text: Text, width: int, base_style: Style, console: Console, *,
               single_cell: bool = False) -> Strip:
    """``text`` on one line of at most ``width`` cells, over ``base_style`` (the widget's colours),
    cut at the right edge. ``single_cell``: every character is one cell wide (braille, box
    drawing, ASCII), so its width is its length and need not be measured character by character."""
    if text.overflow == "ellipsis":  # as Rich draws a line that does not wrap
        text = text.copy()
        text.truncate(width, overflow="ellipsis")
    segments = list(text.render(console, end=""))
    # the line's own style lies under its spans (``Text.render`` leaves it to the caller)
    styled = Segment.apply_style(segments, base_style + console.get_style(text.style))
    strip = Strip(styled, len(text.plain) if single_cell else None)
    # a short line is padded by Textual, with the pane's own padding style, as a rendered one is
    return strip.crop(0, width) if strip.cell_length > width else strip


def line_key(text: Text) -> tuple[object, ...]:
    """What a line's strip is drawn from (its width and base style aside)."""
    return (text.plain, tuple(text.spans), text.style, text.end)


def changed_lines(before: list[Text] | None, after: list[Text]) -> list[int] | None:
    """The lines of ``after`` that differ from ``before``; None when all may (no lines before, or
    another number of them)."""
    if before is None or len(before) != len(after):
        return None
    return [y for y, (old, new) in enumerate(zip(before, after, strict=True))
            if old is not new and line_key(old) != line_key(new)]


class StripCache:
    """Strips of lines already drawn, by the line's content, width and base style."""

    def __init__(self) -> None:
        self._strips: dict[tuple[object, ...], Strip] = {}

    def strip(self, text: Text, width: int, base_style: Style, console: Console, *,
              single_cell: bool = False) -> Strip:
        key = (*line_key(text), width, base_style)
        strip = self._strips.get(key)
        if strip is None:
            if len(self._strips) >= MAX_CACHED_LINES:
                self._strips.clear()
            strip = self._strips[key] = text_strip(text, width, base_style, console, single_cell=single_cell)
        return strip

    def clear(self) -> None:
        self._strips.clear()
