"""SVG snapshots of issue 12's dialogs and screens over the SYNTHETIC sweep, at 80x24, 120x40 and
200x60: the t/f/p dialog with the planner's recommendation and with "no early stopping" (no trial has
completed), the read-only view, a planner error, and the trial screen. The sweep is reached by a
relative path so the header's directory is the same on every run. Update with
``pytest tests/tui/test_snapshots_nav.py --snapshot-update`` after checking the new pictures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from seedtui.core.replay import load_timeline
from seedtui.testing.replay_sweep import write_sweep
from seedtui.tui.app import SeedTuiApp, create_app
from seedtui.tui.sources.live import LiveSource
from seedtui.tui.sources.replay import ReplaySource
from tests.tui.conftest import settle

SIZES = [(80, 24), (120, 40), (200, 60)]


@pytest.fixture
def relative_sweep(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_sweep(tmp_path)
    monkeypatch.chdir(tmp_path)
    found = next(p for p in tmp_path.iterdir() if p.is_dir())
    return Path(found.name)


def _replay(sweep: Path, position: float) -> SeedTuiApp:
    source = ReplaySource(sweep, timeline=load_timeline(sweep), start_position=position, paused=True)
    return create_app(source, refresh_seconds=0, stats_seconds=3600)


def _then(app: SeedTuiApp, *keys: str, budget: str | None = None, scroll_stats: bool = False) -> Any:
    async def run_before(pilot: Any) -> None:
        await settle(app, pilot)
        if budget is not None:
            await pilot.press("b", *budget, "enter")
            await settle(app, pilot)
        for key in keys:
            await pilot.press(key)
            await settle(app, pilot)
        if scroll_stats:
            app.query_one("#stats").scroll_end(animate=False, immediate=True)
        app.clear_notifications()  # toasts come and go on a timer
        for field in app.screen.query(Input):
            field.cursor_blink = False  # a blinking cursor is on or off by the clock
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_tfp_dialog_with_a_recommendation(snap_compare: Any, relative_sweep: Path, size: Any) -> None:
    pytest.importorskip("seedtui.core.stats")
    app = _replay(relative_sweep, 10_000.0)
    assert snap_compare(app, terminal_size=size, run_before=_then(app, "escape", "t", budget="5"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_tfp_dialog_no_early_stopping(snap_compare: Any, relative_sweep: Path, size: Any) -> None:
    app = _replay(relative_sweep, 20.0)  # no trial has completed: no plan, no early stopping prefilled
    assert snap_compare(app, terminal_size=size, run_before=_then(app, "t"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_read_only(snap_compare: Any, relative_sweep: Path, size: Any) -> None:
    app = create_app(LiveSource(relative_sweep, threaded=False), refresh_seconds=0, stats_seconds=3600)
    assert snap_compare(app, terminal_size=size, run_before=_then(app))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_planner_error(snap_compare: Any, relative_sweep: Path, size: Any) -> None:
    pytest.importorskip("seedtui.core.stats")
    app = _replay(relative_sweep, 10_000.0)
    run_before = _then(app, "escape", "4", budget="1000", scroll_stats=True)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_trial_screen(snap_compare: Any, relative_sweep: Path, size: Any) -> None:
    app = _replay(relative_sweep, 10_000.0)
    assert snap_compare(app, terminal_size=size, run_before=_then(app, "down", "m", "up", "enter", "left"))
