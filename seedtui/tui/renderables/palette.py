"""Colours shared by the panes: the score scale and the status colours."""

from __future__ import annotations

from functools import cache

from rich.color import Color
from rich.style import Style

# Viridis from dark (the worst score) to bright (the best score): readable on dark and
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

SCALE_STEPS = 33
"""Colours of the score scale: the viridis anchors above, interpolated, so neighbouring scores in a
narrow range (RTE's 0.56 to 0.63) still differ in colour."""


def _interpolated(anchors: tuple[str, ...], steps: int) -> tuple[Color, ...]:
    triplets = [Color.parse(hex_colour).get_truecolor() for hex_colour in anchors]
    colours = []
    for step in range(steps):
        where = step / (steps - 1) * (len(triplets) - 1)
        low = min(int(where), len(triplets) - 2)
        weight = where - low
        mixed = [round(a + (b - a) * weight) for a, b in zip(triplets[low], triplets[low + 1], strict=True)]
        colours.append(Color.from_rgb(*mixed))
    return tuple(colours)


SCALE_COLOURS = _interpolated(SCALE_HEX, SCALE_STEPS)

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
    """Which of the scale's colours stands for ``fraction`` (0 = the worst score, 1 = the best)."""
    return min(SCALE_STEPS - 1, max(0, round(fraction * (SCALE_STEPS - 1))))


@cache
def _cell_style(index: int | None) -> Style:
    if index is None:
        return Style(bgcolor="grey23", color="white")
    return Style(bgcolor=SCALE_COLOURS[index], color="black" if index >= SCALE_STEPS // 2 else "white")


def scale_style(fraction: float | None) -> Style:
    """Background at the scale colour with a foreground that stays readable on it (one shared
    Style per colour: a 625-cell grid builds no new styles)."""
    return _cell_style(None if fraction is None else scale_index(fraction))
