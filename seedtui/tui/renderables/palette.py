"""Colours shared by the panes: the score scale and the status colours."""

from __future__ import annotations

from functools import cache

from rich.color import Color
from rich.style import Style

# Viridis from dark (the majority baseline) to bright (the best score): readable on dark and
# light terminals, and ordered for colour-blind readers.
SCALE_HEX = (
    "#440154",
    "#472d7b",
    "#3b528b",
    "#2c728e",
    "#21918c",
    "#28ae80",
    "#5ec962",
    "#addc30",
    "#fde725",
)

STATUS_STYLES = {
    "queued": "dim",
    "running": "bold cyan",
    "completed": "green",
    "stopped": "yellow",
    "diverged": "bold magenta",
    "failed": "bold red",
    "suspended": "blue",
}

STATUS_MARKS = {
    "queued": "·",
    "running": "›",
    "completed": " ",
    "stopped": "×",
    "diverged": "!",
    "failed": "✗",
    "suspended": "‖",
}
"""One character per status, drawn over a heatmap cell's colour (completed cells are plain)."""


def scale_index(fraction: float) -> int:
    """Which of the scale's colours stands for ``fraction`` (0 = baseline, 1 = best)."""
    return min(len(SCALE_HEX) - 1, max(0, round(fraction * (len(SCALE_HEX) - 1))))


@cache
def _cell_style(index: int | None) -> Style:
    if index is None:
        return Style(bgcolor="grey23", color="white")
    return Style(
        bgcolor=Color.parse(SCALE_HEX[index]), color="black" if index >= len(SCALE_HEX) // 2 else "white"
    )


def scale_style(fraction: float | None) -> Style:
    """Background at the scale colour with a foreground that stays readable on it (one shared
    Style per colour: a 625-cell grid builds no new styles)."""
    return _cell_style(None if fraction is None else scale_index(fraction))
