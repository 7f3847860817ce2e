"""The sweep switcher's ``c``: the WI seeds of a folder of sweeps ranked across them, as
``seedtui compare`` prints them (Pilot, on the shipped sample sweeps)."""

from __future__ import annotations

from pathlib import Path

import pytest

from seedtui.core.replay import load_timeline
from seedtui.state import find_sweeps
from seedtui.tui.app import create_app
from seedtui.tui.screens.compare import CompareScreen
from seedtui.tui.sources.replay import ReplaySource
from tests.tui.conftest import screen_text, settle

pytestmark = pytest.mark.anyio

SAMPLES = Path(__file__).resolve().parents[2] / "sample_logs"


def source_for(path: Path) -> ReplaySource:
    return ReplaySource(path, timeline=load_timeline(path), start_position=0.0, paused=True)


async def test_the_switcher_opens_the_comparison_of_the_folder() -> None:
    sweeps = find_sweeps(SAMPLES)
    app = create_app(source_for(sweeps[0]), sweeps=sweeps, source_factory=source_for, refresh_seconds=0,
                     stats_seconds=3600)
    async with app.run_test(size=(150, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("w")
        await pilot.pause()
        assert "c: compare their WI seeds" in screen_text(app)
        await pilot.press("c")
        await settle(app, pilot)
        assert isinstance(app.screen, CompareScreen)
        shown = screen_text(app)
        assert "rte-minilm-5x5" in shown and "mrpc-minilm-full-5x5" in shown
        assert "0.6043 (1)" in shown  # WI 4 on RTE, as in `seedtui compare`
        assert "Kendall's W = 0.4667" in shown
        assert "left out: cola-minilm-tfp" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CompareScreen)
        assert app.source.sweep_dir == sweeps[0]  # comparing opened no other sweep
