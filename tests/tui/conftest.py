"""Fixtures for the TUI tests: a SYNTHETIC sweep (see seedtui/testing/replay_sweep.py) and a way to run the
app over it at a frozen point of its replay."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from seedtui.core.replay import load_timeline
from seedtui.testing.replay_sweep import write_sweep
from seedtui.tui.app import SeedTuiApp, create_app
from seedtui.tui.sources.replay import ReplaySource


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sweep_dir(tmp_path: Path) -> Path:
    return write_sweep(tmp_path)


ReplayAppFactory = Callable[..., SeedTuiApp]


@pytest.fixture
def replay_app(sweep_dir: Path) -> ReplayAppFactory:
    """An app replaying the synthetic sweep, paused at ``position`` seconds (nothing moves unless
    a test presses a key), redrawing on every batch."""

    def make(position: float = 70.0, *, path: Path | None = None) -> SeedTuiApp:
        sweep = path or sweep_dir
        source = ReplaySource(sweep, timeline=load_timeline(sweep), start_position=position, paused=True)
        return create_app(source, refresh_seconds=0, stats_seconds=3600)

    return make


def screen_text(app: SeedTuiApp) -> str:
    """What the terminal shows, as plain text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def settle(app: SeedTuiApp, pilot: object) -> None:
    """Let queued messages run and any statistics worker finish (no sleeping)."""
    await pilot.pause()  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]
