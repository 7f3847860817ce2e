"""The footer: one line of keys, drawn by ONE widget. Textual's Footer mounts a widget per key and
recomposes them whenever the bindings change, i.e. on every focus change: on the 625-trial replay
that cost ~0.2 s of main-thread CPU before the first full draw and ~70 ms of CPU per pane change.
The keys that do not fit are left out whole (least needed first) rather than cut mid-word at the
right edge. Every key stays in the help (``?``) and the command palette (``ctrl+p``), whose key sits
at the right edge.

Same keys, order, layout and colours as Textual's compact ``Footer``: key, a space, the description,
one cell between keys; disabled keys dimmed; a click on a key presses it (``app.simulate_key``, as
Textual's ``FooterKey`` does). Binding groups are not drawn as groups: each key shows its own
description (seedtui binds none)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

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

PALETTE_SEPARATOR = "▏"
"""Drawn left of the command palette's key (Textual's ``border-left: vkey``)."""


@dataclass(frozen=True)
class FooterEntry:
    """One key as the footer shows it."""

    key: str
    """What ``app.simulate_key`` presses on a click (the binding's first key)."""
    key_display: str
    description: str
    action: str
    enabled: bool = True
    """False: shown dimmed, a click rings the bell (``check_action`` returned None)."""
    tooltip: str = ""


def key_width(key: FooterEntry) -> int:
    """Cells a compact footer key takes: the key, a space, its description, a margin."""
    return cell_len(key.key_display) + (1 + cell_len(key.description) if key.description else 0) + 1


def palette_width(palette: FooterEntry | None) -> int:
    """Cells the command palette's key takes at the right edge: the separator, then as a key."""
    return 0 if palette is None else 1 + key_width(palette)


def keys_that_fit(keys: Sequence[FooterEntry], width: int) -> list[FooterEntry]:
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


def footer_entries(screen: Screen[object]) -> tuple[list[FooterEntry], FooterEntry | None]:
    """The keys ``screen`` shows (one per action, in binding order, as Textual's Footer lists them)
    and the command palette's key (None where the palette is off)."""
    app = screen.app
    active = screen.active_bindings
    by_action: dict[str, FooterEntry] = {}
    for _node, binding, enabled, tooltip in active.values():
        if binding.show and binding.action not in by_action:
            by_action[binding.action] = _entry(app.get_key_display(binding), binding, enabled, tooltip)
    palette: FooterEntry | None = None
    if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
        _node, binding, enabled, _tooltip = active[app.COMMAND_PALETTE_BINDING]
        tooltip = binding.tooltip or binding.description
        palette = _entry(app.get_key_display(binding), binding, enabled, tooltip)
    return list(by_action.values()), palette


def _entry(key_display: str, binding: Binding, enabled: bool, tooltip: str) -> FooterEntry:
    return FooterEntry(binding.key, key_display, binding.description, binding.action, enabled, tooltip)


@dataclass(frozen=True)
class FooterStyles:
    """The theme's footer colours, as Rich styles (from the widget's component classes)."""

    key: Style = Style()
    description: Style = Style()
    separator: Style = Style()
    blank: Style = Style()
    """The cells between keys: the footer's background only (as Textual's Footer draws them)."""
    hover: Style = Style()
    """Laid over the key under the mouse (its background)."""


DISABLED = Style(dim=True)


def footer_line(keys: Sequence[FooterEntry], palette: FooterEntry | None, width: int,
                styles: FooterStyles = FooterStyles(), hover: str | None = None,
                ) -> tuple[Text, list[tuple[int, int, FooterEntry]]]:
    """The footer's line, ``width`` cells (the palette's key at the right edge), and the cells
    ``[start, end)`` each key shown takes, for clicks. ``hover``: the action under the mouse."""
    text = Text(no_wrap=True, overflow="crop", end="")
    spans: list[tuple[int, int, FooterEntry]] = []

    def add(entry: FooterEntry) -> None:
        start = text.cell_len
        text.append(entry.key_display, styles.key)
        if entry.description:
            text.append(" " + entry.description, styles.description)
        end = text.cell_len
        if entry.action == hover:
            text.stylize(styles.hover, start, end)
        if not entry.enabled:
            text.stylize(DISABLED, start, end)
        spans.append((start, end, entry))
        text.append(" ", styles.blank)

    left = width - palette_width(palette)
    for entry in keys_that_fit(keys, left):
        add(entry)
    if text.cell_len > left:
        text.truncate(max(left, 0))
        spans = [(start, min(end, left), entry) for start, end, entry in spans if start < left]
    if palette is not None:
        text.append(" " * (left - text.cell_len), styles.blank)
        text.append(PALETTE_SEPARATOR, styles.separator)
        add(palette)
    text.truncate(width)
    text.append(" " * (width - text.cell_len), styles.blank)
    return text, spans


class FittedFooter(Widget):
    """The compact footer as one line of text whose keys fit its width: re-rendered (never
    recomposed) when the screen's bindings change or the width does."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "footer-key--key",
        "footer-key--description",
        "footer-key--separator",
        "footer-key--hover",
    }
    DEFAULT_CSS = """
    FittedFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .footer-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .footer-key--separator {
            color: $foreground 20%;
        }
        .footer-key--hover {
            background: $block-hover-background;
        }
    }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._keys: list[FooterEntry] = []
        self._palette: FooterEntry | None = None
        self._read = False
        self._hover: str | None = None
        self._spans: list[tuple[int, int, FooterEntry]] = []

    @property
    def keys_shown(self) -> list[FooterEntry]:
        """The keys on the line now, left to right (the palette's key last)."""
        return [entry for _start, _end, entry in self._spans]

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        # As Textual's Footer: the keys stay as they were while the terminal has lost focus (the
        # focused widget is blurred then, and its keys would leave and come back).
        if screen is self.screen and (screen.app.app_focus or not self._read):
            self._read_bindings()
            self.refresh()

    def _read_bindings(self) -> None:
        self._keys, self._palette = footer_entries(self.screen)
        self._read = True

    def render_line(self, y: int) -> Strip:
        # The line API: one strip of segments styled cell by cell (``render`` would lay the widget's
        # colour over the blank cells between keys, which Textual's Footer leaves unstyled).
        width = self.size.width
        if y != 0:
            return Strip.blank(width, self.rich_style)
        if not self._read:
            self._read_bindings()
        style = self.get_component_rich_style
        styles = FooterStyles(
            key=style("footer-key--key"),
            description=style("footer-key--description"),
            separator=style("footer-key--separator"),
            blank=Style(bgcolor=self.rich_style.bgcolor),
            hover=Style(bgcolor=style("footer-key--hover").bgcolor),
        )
        text, self._spans = footer_line(self._keys, self._palette, width, styles, self._hover)
        return Strip(text.render(self.app.console), width)

    def _entry_at(self, x: int) -> FooterEntry | None:
        return next((entry for start, end, entry in self._spans if start <= x < end), None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        entry = self._entry_at(event.x)
        if entry is None:
            return
        if entry.enabled:
            self.app.simulate_key(entry.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        entry = self._entry_at(event.x)
        hover = entry.action if entry is not None else None
        if hover != self._hover:
            self._hover = hover
            self.tooltip = (entry.tooltip or None) if entry is not None else None
            self.styles.pointer = "pointer" if entry is not None else "default"
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.styles.pointer = "default"
            self.refresh()
