"""A sweep of any training script (``[trainer] command``): t/f/p with suspend and resume through
the logging client, a kill from the TUI's source, and a script that never logs."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from pathlib import Path

from seedtui.core.engine.detach import launch_detached
from seedtui.core.engine.supervisor import Supervisor
from seedtui.core.replay import load_timeline
from seedtui.tui.app import create_app
from seedtui.tui.sources.live import LiveSource
from seedtui.tui.sources.replay import ReplaySource
from tests.byo.client_trainer import straight_run
from tests.byo.sweeps import (
    CLIENT_TRAINER,
    command_sweep,
    events_of,
    statuses,
    step_until,
    stop_supervisor,
    supervisor_finished,
    trials_of,
    wait_until,
)
from tests.tui.conftest import screen_text

STEPS, EVALS = 12, 6


def test_tfp_grid_of_a_client_script_suspends_resumes_and_stops(tmp_path: Path) -> None:
    sweep_dir = command_sweep(
        tmp_path, ["{python}", str(CLIENT_TRAINER), "--steps", str(STEPS), "--evals", str(EVALS)],
        policy={"rule": "tfp", "tfp": {"t": 6, "f": 0.5, "p": 2}})
    supervisor = Supervisor(sweep_dir, poll_s=0.05)
    step_until(supervisor, lambda: supervisor.step(), what="the sweep to end")

    ended = Counter(statuses(supervisor).values())
    assert ended == Counter({"completed": 2, "stopped": 4})
    for trial, state in supervisor.states().items():
        events = events_of(sweep_dir, trial)
        # the launcher's start, then the script's own, which every reader takes
        assert [e.get("written_by") for e in events if e["event"] == "start"] == ["launcher", None]
        assert state.metric == "accuracy"
        expected = straight_run(state.wi_seed or 0, state.do_seed or 0, STEPS, EVALS)
        if state.status == "completed":
            # suspended at evaluation 3 of 6, resumed from its own checkpoint: the straight run's numbers
            assert [e["status"] for e in events if e["event"] == "end"] == ["suspended", "completed"]
            assert [e["event"] for e in events].count("resume") == 1
            assert list(zip(state.eval_steps, state.eval_scores, strict=True)) == expected
        else:
            assert state.eval_steps == [2, 4, 6]
            assert list(zip(state.eval_steps, state.eval_scores, strict=True)) == expected[:3]
            assert not (sweep_dir / "trials" / trial / "checkpoint").exists()

    # the TUI shows it like any other sweep: the metric, the grid, each trial's status
    text = asyncio.run(screen_at_the_end(sweep_dir))
    assert "accuracy" in text
    for trial, state in supervisor.states().items():
        assert any(trial in line and state.status in line for line in text.splitlines()), trial


async def screen_at_the_end(sweep_dir: Path) -> str:
    source = ReplaySource(sweep_dir, timeline=load_timeline(sweep_dir), start_position=1e9, paused=True)
    app = create_app(source, refresh_seconds=0, stats_seconds=3600)
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        return screen_text(app)


def test_a_kill_from_the_tui_source_stops_exactly_that_trial(tmp_path: Path) -> None:
    sweep_dir = command_sweep(
        tmp_path, ["{python}", str(CLIENT_TRAINER), "--steps", "300", "--evals", "6",
                   "--step-seconds", "0.02"], wi_seeds=[1], do_seeds="1-2")
    launch_detached(sweep_dir / "sweep.toml")  # a real supervisor: the TUI's source talks to it
    try:
        wait_until(lambda: all(s.metric == "accuracy" and s.status == "running" for s in trials_of(sweep_dir))
                   and len(trials_of(sweep_dir)) == 2, what="both trials to log their start")
        source = LiveSource(sweep_dir, threaded=False)
        source.poll_once()
        assert source.kill("wi1-do2").startswith("sent kill")
        wait_until(lambda: supervisor_finished(sweep_dir), what="the sweep to end")
    finally:
        stop_supervisor(sweep_dir)

    states = {state.trial_id: state for state in trials_of(sweep_dir)}
    assert {trial: s.status for trial, s in states.items()} == {"wi1-do1": "completed", "wi1-do2": "stopped"}
    assert states["wi1-do2"].stopped_by == "user"
    assert len(states["wi1-do2"].eval_steps) < 6


def test_a_script_that_never_logs_is_running_then_ended_by_its_exit_code(tmp_path: Path) -> None:
    marker = tmp_path / "go"
    script = ("import os, sys, time\n"
              f"while not os.path.exists({str(marker)!r}): time.sleep(0.02)\n"
              "sys.exit(0 if os.environ['SEEDTUI_DO_SEED'] == '1' else int('{do}') + 1)")
    sweep_dir = command_sweep(tmp_path, [sys.executable, "-c", script], wi_seeds=[1], do_seeds="1-2")
    supervisor = Supervisor(sweep_dir, poll_s=0.05)
    step_until(supervisor, lambda: set(statuses(supervisor).values()) == {"running"},
               what="both trials to be shown running")
    marker.touch()
    step_until(supervisor, lambda: supervisor.step(), what="the sweep to end")

    states = supervisor.states()
    assert states["wi1-do1"].status == "completed"
    assert states["wi1-do2"].status == "failed"
    assert "exited with code 3" in states["wi1-do2"].end_reason
    assert not states["wi1-do1"].eval_scores
