"""SVG snapshots of a replay of the SYNTHETIC sweep frozen at fixed points (paused replay: no
clock moves), at 80x24 and 160x50. Update with ``pytest tests/tui --snapshot-update`` after
checking the new pictures."""

from __future__ import annotations

from typing import Any

from tests.tui.conftest import ReplayAppFactory, settle


def _settled(app: Any) -> Any:
    async def run_before(pilot: Any) -> None:
        await settle(app, pilot)

    return run_before


def test_replay_80x24_trials(snap_compare: Any, replay_app: ReplayAppFactory) -> None:
    app = replay_app(70.0)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settled(app))


def test_replay_80x24_grid_ordered_by_means(snap_compare: Any, replay_app: ReplayAppFactory) -> None:
    app = replay_app(130.0)

    async def run_before(pilot: Any) -> None:
        await settle(app, pilot)
        await pilot.press("2", "o", "down", "right")
        await settle(app, pilot)
        app.clear_notifications()  # the toast saying "ordered by means" would hide the grid
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_replay_80x24_curves(snap_compare: Any, replay_app: ReplayAppFactory) -> None:
    app = replay_app(130.0)

    async def run_before(pilot: Any) -> None:
        await settle(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_replay_160x50_everything(snap_compare: Any, replay_app: ReplayAppFactory) -> None:
    app = replay_app(130.0)
    assert snap_compare(app, terminal_size=(160, 50), run_before=_settled(app))
