"""Fitting a line of pieces into a width by whole pieces: the panes shorten text by leaving out
what does not fit, never by cutting a word in the middle."""

from __future__ import annotations

from rich.text import Text


def fit(pieces: list[Text], width: int) -> Text:
    """The pieces, in order, as long as they fit in ``width``: a line is shortened by whole pieces,
    never cut in the middle of a word."""
    line = Text()
    for piece in pieces:
        if len(line) + len(piece.plain.rstrip()) > width:
            break
        line.append_text(piece)
    line.rstrip()
    return line


def fit_first(pieces: list[Text], endings: list[str], width: int) -> Text:
    """``pieces`` and the first of ``endings`` (longest first) that fits; ``fit`` without one."""
    for ending in endings:
        candidate = [*pieces, Text(ending, "dim")]
        if sum(len(piece) for piece in candidate) <= width:
            return Text().join(candidate)
    return fit(pieces, width)
