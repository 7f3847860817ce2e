"""Counts by status are one count: the live TUI, headless mode, ``seedtui status`` and summary.json
give the same numbers for the same sweep directory (each used to count on its own, and only the
TUI applied the liveness rule)."""

from __future__ import annotations

import io
import os
import re
import socket
import time
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from seedtui.cli import app
from seedtui.core.engine.config import load_sweep_config, write_resolved_config
from seedtui.core.engine.headless import render_progress, status_line
from seedtui.core.engine.plan import make_plan
from seedtui.core.engine.summary import summarize
from seedtui.log.supervisor_state import write_state
from seedtui.state import SweepFollower
from seedtui.testing.trial_log import write_trial
from seedtui.tui.app import create_app
from seedtui.tui.sources.live import LiveSource
from tests.state.conftest import write_promoted
from tests.tui.conftest import settle

CONFIG = """
name = "counts"
task = "rte"
wi_seeds = "1-2"
do_seeds = "1-4"
[data]
dir = "data"
"""

EXPECTED = {"queued": 1, "running": 2, "completed": 1, "stopped": 1, "failed": 2, "suspended": 1}


@pytest.fixture
def sweep(tmp_path: Path, dead_pid: int) -> Path:
    """A 2 x 4 grid in every state a trial can be in, as a supervisor on another host leaves it."""
    (tmp_path / "data").mkdir()
    (tmp_path / "sweep.toml").write_text(CONFIG)
    config = load_sweep_config(tmp_path / "sweep.toml")
    sweep_dir = tmp_path / "sweep"
    write_resolved_config(config, sweep_dir / "sweep.toml")
    here = socket.gethostname()
    write_trial(sweep_dir, 1, 1, [0.6, 0.7], status="completed")
    write_trial(sweep_dir, 1, 2, [0.5], status="stopped", total_evals=2)
    write_trial(sweep_dir, 1, 3, [0.5], status="failed", total_evals=2)
    write_trial(sweep_dir, 1, 4, [0.55], status="suspended", total_evals=2)
    write_trial(sweep_dir, 2, 1, [0.5], status=None, total_evals=2, pid=os.getpid(), host=here)
    write_trial(sweep_dir, 2, 2, [0.5], status=None, total_evals=2, pid=dead_pid, host=here)  # orphan
    write_promoted(sweep_dir, 2, 3, start_pid=dead_pid, resume_pid=os.getpid())
    (sweep_dir / "trials" / "wi2-do4").mkdir()  # launched, no log yet
    write_state(sweep_dir, {"pid": 4242, "host": here + "-elsewhere", "started": time.time(),
                            "heartbeat": time.time(), "state": "running", "paused": False})
    return sweep_dir


def _counts_in(text: str) -> dict[str, int]:
    return {name: int(n) for name, n in re.findall(r"([a-z_]+) (\d+)", text)}


def test_status_headless_and_summary_count_alike(sweep: Path) -> None:
    result = CliRunner().invoke(app, ["status", str(sweep)])
    assert result.exit_code == 0, result.output
    status_counts = _counts_in(result.output.split("trials: ")[1].splitlines()[0])

    follower = SweepFollower(sweep)
    follower.poll()
    out = io.StringIO()
    Console(file=out, width=200).print(render_progress(follower.states(), None))
    headless_counts = _counts_in(out.getvalue().splitlines()[0].split(" ended ", 1)[1])
    line = status_line(follower.states(), None).splitlines()[0]
    assert line.endswith("4/8 ended, 2 running")

    config = load_sweep_config(sweep / "sweep.toml")
    summary_counts = summarize(config, make_plan(config), follower.state.trials)["counts"]

    assert status_counts == headless_counts == summary_counts == EXPECTED


@pytest.mark.anyio
async def test_the_live_tui_counts_alike(sweep: Path) -> None:
    source = LiveSource(sweep, threaded=False)
    tui = create_app(source, refresh_seconds=0, stats_seconds=3600)
    async with tui.run_test(size=(160, 50)) as pilot:
        await settle(tui, pilot)
        counts = {status: n for status, n in tui.model.counts().items() if n}
        header = tui.query_one("#header").render().plain  # type: ignore[union-attr]
    assert counts == EXPECTED
    assert "8 trials: run 2 queue 1 done 1 stop 1 fail 2 susp 1" in header
