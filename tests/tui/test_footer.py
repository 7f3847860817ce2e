"""The footer keeps to one line by leaving keys out whole: no key is cut mid-word at 80 to 100
columns (issue 12: Textual's footer cut 'Play/pause' to 'Pla' at 80 columns). It is ONE widget that
re-renders its line (issue 12, item 8: Textual's Footer mounted a widget per key and recomposed them
on every focus change): these tests also check that it never gains a child, that a click presses the
key under it, and that the line follows the bindings."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from rich.console import Console
from rich.style import Style
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Button

from seedtui.core.engine import control
from seedtui.tui.actions import STEERING_ACTIONS
from seedtui.tui.app import SeedTuiApp
from seedtui.tui.screens.trial_detail import TrialDetailScreen
from seedtui.tui.widgets.footer import (
    FittedFooter,
    FooterEntry,
    FooterStyles,
    footer_line,
    keys_that_fit,
)
from tests.tui.conftest import ReplayAppFactory, screen_text, settle
from tests.tui.test_app_live import live_app, remote_supervisor

PALETTE = "▏^p palette "

# The lines Textual's Footer (compact, one FooterKey widget per key) drew before this widget
# replaced it, cell for cell; the SVG snapshots hold the colours.
LINES = {
    80: "? Help q Quit x Kill t t/f/p space Play/pause e End / Search trials " + PALETTE,
    100: "? Help q Quit x Kill t t/f/p space Play/pause n Step + Faster e End / Search trials     "
         + PALETTE,
    120: "? Help q Quit x Kill t t/f/p p Pause queue space Play/pause n Step + Faster - Slower e End "
         "/ Search trials  " + PALETTE,
}


def footer_of(app: SeedTuiApp) -> FittedFooter:
    return app.screen.query_one(FittedFooter)


def last_line(app: SeedTuiApp) -> str:
    return screen_text(app).splitlines()[-1]


@pytest.mark.anyio
@pytest.mark.parametrize("width", [80, 90, 100, 120, 200])
async def test_every_footer_key_shows_whole(replay_app: ReplayAppFactory, width: int) -> None:
    app = replay_app()
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(app, pilot)
        footer_line_shown = last_line(app)
        assert len(footer_line_shown) == width
        if width in LINES:
            assert footer_line_shown == LINES[width]
        assert footer_line_shown.endswith(PALETTE)  # the palette's key at the right edge
        keys = [key for key in footer_of(app).keys_shown if key.action != "command_palette"]
        assert keys, "the footer shows no key"
        for key in keys:
            assert f"{key.key_display} {key.description}" in footer_line_shown, (key.description,
                                                                                 footer_line_shown)
        shown = {key.action for key in keys}
        assert {"help", "quit_app"} <= shown  # help lists the keys left out
        if width >= 200:
            assert {"play_pause", "step", "faster", "slower", "jump_end", "kill_diverged"} <= shown
        else:
            assert "play_pause" in shown


def entries(*rows: tuple[str, str, str]) -> list[FooterEntry]:
    return [FooterEntry(key, key, description, action) for key, description, action in rows]


def test_keys_that_fit_leaves_out_the_least_needed_first() -> None:
    keys = entries(("?", "Help", "help"), ("q", "Quit", "quit_app"), ("-", "Slower", "slower"),
                   ("p", "Pause queue", "toggle_queue"))
    widths = [7, 7, 9, 14]  # the key, a space, the description, a margin
    assert keys_that_fit(keys, sum(widths)) == keys
    # 'slower' goes first, then the queue key; without that one 'slower' fits again
    assert [k.action for k in keys_that_fit(keys, 25)] == ["help", "quit_app", "slower"]
    assert [k.action for k in keys_that_fit(keys, 14)] == ["help", "quit_app"]


def test_the_line_is_width_cells_with_the_palette_at_the_right_edge() -> None:
    keys = entries(("?", "Help", "help"), ("q", "Quit", "quit_app"), ("-", "Slower", "slower"))
    palette = FooterEntry("ctrl+p", "^p", "palette", "command_palette")
    text, spans = footer_line(keys, palette, 40)
    assert text.plain == "? Help q Quit - Slower" + " " * 6 + PALETTE
    assert [(start, end, entry.action) for start, end, entry in spans] == [
        (0, 6, "help"), (7, 13, "quit_app"), (14, 22, "slower"), (29, 39, "command_palette")]
    # narrower than help, quit and the palette: the keys are cut, the palette's key stays whole
    assert footer_line(keys, palette, 20)[0].plain == "? Help q" + PALETTE
    assert footer_line(keys, None, 3)[0].plain == "? H"


def test_a_disabled_key_is_dimmed_and_the_hovered_one_highlighted() -> None:
    keys = [FooterEntry("a", "a", "Apply", "apply", enabled=False), *entries(("q", "Quit", "quit_app"))]
    console = Console()
    text, _ = footer_line(keys, None, 20)
    dim = {i for i in range(len(text)) if text.get_style_at_offset(console, i).dim}
    assert dim == set(range(len("a Apply")))
    hover = Style(bgcolor="red")
    text, _ = footer_line(keys, None, 20, FooterStyles(hover=hover), hover="quit_app")
    lit = {i for i in range(len(text)) if text.get_style_at_offset(console, i).bgcolor == hover.bgcolor}
    assert lit == set(range(len("a Apply "), len("a Apply q Quit")))


@pytest.mark.anyio
async def test_a_click_on_a_key_runs_its_action(replay_app: ReplayAppFactory) -> None:
    app = replay_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        footer = footer_of(app)
        clock = app.source.replay_clock  # type: ignore[attr-defined]
        assert clock.paused
        start = next(start for start, _end, key in footer._spans if key.action == "play_pause")
        assert await pilot.click(FittedFooter, offset=(start + 3, 0))
        await settle(app, pilot)
        assert not clock.paused
        assert await pilot.click(FittedFooter, offset=(start, 0))  # and again: paused
        await settle(app, pilot)
        assert clock.paused
        start = next(start for start, _end, key in footer._spans if key.action == "help")
        assert await pilot.click(FittedFooter, offset=(start, 0))
        await settle(app, pilot)
        assert type(app.screen).__name__ == "HelpScreen"


@pytest.mark.anyio
async def test_read_only_takes_the_steering_keys_off_the_line(sweep_dir: Path) -> None:
    remote_supervisor(sweep_dir)
    app, source = live_app(sweep_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        footer = footer_of(app)
        assert STEERING_ACTIONS <= {key.action for key in footer.keys_shown}
        assert "x Kill" in last_line(app)
        # the supervisor stops: the view turns read-only, and its keys leave the footer
        control.write_state(sweep_dir, {"pid": 4242, "host": socket.gethostname() + "-elsewhere",
                                        "started": time.time(), "heartbeat": time.time(),
                                        "state": "stopped"})
        source.poll_once()
        await settle(app, pilot)
        assert app.status is not None and app.status.mode == "read-only"
        assert not STEERING_ACTIONS & {key.action for key in footer.keys_shown}
        line = last_line(app)
        assert "Kill" not in line and "t/f/p" not in line and "Pause queue" not in line
        assert "? Help" in line and "/ Search trials" in line
        assert footer_of(app) is footer and not footer.children


@pytest.mark.anyio
async def test_pane_changes_and_the_trial_screen_keep_one_widget(replay_app: ReplayAppFactory) -> None:
    app = replay_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        footer = footer_of(app)
        for key in "23451":
            await pilot.press(key)
            await settle(app, pilot)
            assert footer_of(app) is footer and not footer.children
            assert last_line(app) == LINES[80]
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TrialDetailScreen)
        assert last_line(app).startswith("esc Back ← Previous eval → Next eval ? Help")
        await pilot.press("escape")
        await settle(app, pilot)
        assert last_line(app) == LINES[80]


@pytest.mark.anyio
async def test_a_resize_refits_the_line_and_hover_lights_a_key(replay_app: ReplayAppFactory) -> None:
    app = replay_app()
    async with app.run_test(size=(200, 24)) as pilot:
        await settle(app, pilot)
        footer = footer_of(app)
        assert "- Slower" in last_line(app)
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        assert last_line(app) == LINES[80] and footer_of(app) is footer and not footer.children
        await pilot.resize_terminal(120, 40)
        await settle(app, pilot)
        assert last_line(app) == LINES[120]

        def backgrounds() -> list[object]:
            strip = app.screen._compositor.render_strips()[-1]
            return [segment.style.bgcolor for segment in strip for _ in segment.text if segment.style]

        before = backgrounds()
        start, end = next((s, e) for s, e, key in footer._spans if key.action == "quit_app")
        await pilot.hover(FittedFooter, offset=(start + 1, 0))
        await pilot.pause()
        after = backgrounds()
        assert [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b] == list(
            range(start, end))


class TwoButtons(App[None]):
    """A focus change that changes the keys shown: each button binds its own key."""

    def compose(self) -> ComposeResult:
        yield LeftButton("left", id="left")
        yield RightButton("right", id="right")
        yield FittedFooter()


class LeftButton(Button):
    BINDINGS = [Binding("a", "press", "Left key")]


class RightButton(Button):
    BINDINGS = [Binding("b", "press", "Right key")]


@pytest.mark.anyio
async def test_a_focus_change_updates_the_line() -> None:
    app = TwoButtons()
    async with app.run_test(size=(60, 5)) as pilot:
        app.query_one("#left").focus()
        await pilot.pause()
        line = screen_text(app).splitlines()[-1]  # type: ignore[arg-type]
        assert line.startswith("a Left key") and "Right key" not in line
        await pilot.press("tab")
        await pilot.pause()
        line = screen_text(app).splitlines()[-1]  # type: ignore[arg-type]
        assert line.startswith("b Right key") and "Left key" not in line
        assert not app.query_one(FittedFooter).children
