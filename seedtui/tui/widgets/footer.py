"""Textual's footer, keeping to one line: the keys that do not fit are left out whole (least needed
first) rather than cut mid-word at the right edge. Every key stays in the help (``?``) and the
command palette (``ctrl+p``)."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

LEFT_OUT_FIRST = (
    "switch_sweep",
    "kill_diverged",
    "slower",
    "faster",
    "toggle_queue",
    "step",
    "jump_end",
    "search",
    "tfp",
    "kill_selected",
    "play_pause",
)
"""Actions whose keys leave the footer first when it is too narrow, in this order; the others
(help and quit above all) stay."""


def key_width(key: FooterKey) -> int:
    """Cells a compact footer key takes: the key, a space, its description, a margin."""
    return len(key.key_display) + (1 + len(key.description) if key.description else 0) + 1


def keys_that_fit(keys: list[FooterKey], width: int) -> list[FooterKey]:
    """``keys`` in their order, less those of ``LEFT_OUT_FIRST`` (in its order) until the rest fit
    in ``width`` cells; then any left out that still fits comes back (the most needed first)."""
    left_out: list[str] = []
    for action in LEFT_OUT_FIRST:
        if sum(key_width(key) for key in keys if key.action not in left_out) <= width:
            break
        left_out.append(action)
    for action in reversed(left_out[:-1]):
        trial = [a for a in left_out if a != action]
        if sum(key_width(key) for key in keys if key.action not in trial) <= width:
            left_out = trial
    return [key for key in keys if key.action not in left_out]


class FittedFooter(Footer):
    """A compact footer whose keys fit its width."""

    def __init__(self) -> None:
        super().__init__(compact=True)
        self._composed_width = 0

    def compose(self) -> ComposeResult:
        children: list[Widget] = list(super().compose())
        keys = [c for c in children if isinstance(c, FooterKey) and not c.has_class("-command-palette")]
        width = self.size.width or self.app.size.width
        self._composed_width = width
        palette = sum(key_width(c) + 1 for c in children
                      if isinstance(c, FooterKey) and c.has_class("-command-palette"))
        kept = set(map(id, keys_that_fit(keys, width - palette)))
        yield from (c for c in children if not isinstance(c, FooterKey) or c.has_class("-command-palette")
                    or id(c) in kept)

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._composed_width:
            self.call_after_refresh(self.recompose)
