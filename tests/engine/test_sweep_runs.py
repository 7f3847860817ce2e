"""A sweep run end to end by a detached supervisor with real trainer subprocesses (tiny model, CPU):
the grid completes within the concurrency limit, one trial can be killed, a failing trainer is
marked failed with its stderr kept, and bad configs are refused before anything runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from seedtui.core.engine.control import send_command, supervisor_status
from seedtui.core.engine.detach import launch_detached
from seedtui.state import load_trials

from .conftest import read_log, supervisor_done, wait_for

pytestmark = pytest.mark.subprocess


def seedtui_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "seedtui", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300, env={**os.environ, "COLUMNS": "120"})


def max_overlap(intervals: list[tuple[float, float]]) -> int:
    points = sorted([(a, 1) for a, _ in intervals] + [(b, -1) for _, b in intervals])
    running = peak = 0
    for _, change in points:
        running += change
        peak = max(peak, running)
    return peak


def test_a_3x3_grid_completes_within_the_concurrency_limit(sweep_config: Callable[..., Path]) -> None:
    config = sweep_config("grid", wi_seeds="1-3", do_seeds="1-3")
    sweep_dir = launch_detached(config)
    wait_for(lambda: supervisor_done(sweep_dir), what="the sweep to finish")
    trials = load_trials(sweep_dir)
    assert sorted(t.trial_id for t in trials) == sorted(f"wi{w}-do{d}" for w in (1, 2, 3) for d in (1, 2, 3))
    assert all(t.status == "completed" for t in trials), [(t.trial_id, t.status, t.end_reason)
                                                          for t in trials]
    logged, processes = [], []
    for trial in trials:
        events = read_log(sweep_dir, trial.trial_id)
        starts = [e for e in events if e["event"] == "start"]
        ends = [e for e in events if e["event"] == "end"]
        assert len(starts) == 1 and len(ends) == 1  # each trial ran once
        logged.append((starts[0]["t"], ends[0]["t"]))
        launched = json.loads((sweep_dir / "trials" / trial.trial_id / "launch.json").read_text())["t"]
        processes.append((launched, ends[0]["t"]))  # from launch: the trainer's start-up counts too
    assert max_overlap(logged) <= 2  # max_concurrent = 2, never exceeded ...
    assert max_overlap(processes) == 2  # ... and used (both slots fill at once)
    info = supervisor_status(sweep_dir)
    assert info is not None and info.state == "finished" and info.exit_code == 0 and not info.alive
    summary = json.loads((sweep_dir / "summary.json").read_text())
    assert summary["counts"] == {"completed": 9}
    resolved = (sweep_dir / "sweep.toml").read_text()
    assert "wi_seeds = [1, 2, 3]" in resolved


def test_killing_one_trial_stops_exactly_that_one(sweep_config: Callable[..., Path]) -> None:
    # 500 steps each: the kill lands long before either trial could finish
    config = sweep_config("kill", wi_seeds=[1], do_seeds="1-2",
                          data={"train_limit": 2000}, trainer={"batch_size": 4, "evals_per_epoch": 2})
    sweep_dir = launch_detached(config)

    def has_trained(trial: str) -> bool:
        return any(e["event"] == "train" for e in read_log(sweep_dir, trial))

    wait_for(lambda: has_trained("wi1-do1") and has_trained("wi1-do2"), what="both trials to train")
    send_command(sweep_dir, "kill", trial="wi9-do9", by="user")  # not a trial of this sweep: ignored
    send_command(sweep_dir, "kill", trial="wi1-do2", by="user", reason="looks hopeless")
    killed_end = wait_for(lambda: next((e for e in read_log(sweep_dir, "wi1-do2") if e["event"] == "end"),
                                       None), what="the killed trial to end")

    def other_went_on() -> bool:  # the other trial trained on after the kill (or finished normally)
        events = read_log(sweep_dir, "wi1-do1")
        return any(e["event"] == "train" and e["t"] > killed_end["t"] for e in events) or any(
            e["event"] == "end" and e["status"] == "completed" for e in events)

    wait_for(other_went_on, what="the other trial to go on training")
    assert not any(e["event"] == "end" for e in read_log(sweep_dir, "wi1-do1")
                   if e.get("status") != "completed")
    send_command(sweep_dir, "stop_sweep")  # end the test without training 500 steps
    wait_for(lambda: supervisor_done(sweep_dir), what="the sweep to stop")
    states = {t.trial_id: t for t in load_trials(sweep_dir)}
    assert set(states) == {"wi1-do1", "wi1-do2"}
    killed, other = states["wi1-do2"], states["wi1-do1"]
    assert killed.status == "stopped" and killed.stopped_by == "user"
    assert killed.end_reason == "looks hopeless"
    assert killed.end_step is not None and killed.total_steps and killed.end_step < killed.total_steps
    assert other.end_reason != "looks hopeless"
    assert "not a trial of this sweep" in (sweep_dir / "supervisor.log").read_text()


def test_a_failing_trainer_is_marked_failed_with_its_stderr_kept(
        sweep_config: Callable[..., Path], tmp_path: Path, tiny_model_dir: Path) -> None:
    broken_model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, broken_model)
    (broken_model / "config.json").rename(tmp_path / "config.json.good")
    (broken_model / "config.json").write_text("{ this is not json")
    config = sweep_config("failing", wi_seeds=[1], do_seeds=[1], model=str(broken_model))
    result = seedtui_cli("run", str(config), "--headless", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    sweep_dir = tmp_path / "failing"
    (trial,) = load_trials(sweep_dir)
    assert trial.status == "failed" and trial.end_reason
    stderr = (sweep_dir / "trials" / "wi1-do1" / "stderr.log").read_text()
    assert stderr.strip(), "the trainer's stderr was not kept"
    assert "failed" in result.stdout

    # once the cause is fixed, running again re-runs the failed trial with a clean log
    (tmp_path / "config.json.good").replace(broken_model / "config.json")
    again = seedtui_cli("run", str(config), "--headless", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    (trial,) = load_trials(sweep_dir)
    assert trial.status == "completed"
    trial_dir = sweep_dir / "trials" / "wi1-do1"
    assert (trial_dir / "stderr.failed-1.log").read_text() == stderr  # the old stderr is kept
    old = [json.loads(line) for line in (trial_dir / "events.failed-1.jsonl").read_text().splitlines()]
    assert old[-1]["event"] == "end" and old[-1]["status"] == "failed"
    assert [e["event"] for e in read_log(sweep_dir, "wi1-do1")].count("start") == 1


@pytest.mark.parametrize(("override", "message"), [
    ({"task": "mnli"}, "task: 'mnli' is not one of"),
    ({"policy": {"rule": "tfp", "tfp": {"t": 6, "f": 0.5, "p": 2}}}, "policy.tfp.t: t = 6 is more trials"),
    ({"resources": {"max_concurrent": 0}}, "resources.max_concurrent: must be at least 1"),
])
def test_bad_configs_exit_2_naming_the_key_and_launch_nothing(
        sweep_config: Callable[..., Path], tmp_path: Path, override: dict[str, Any], message: str) -> None:
    config = sweep_config("bad", **override)
    result = seedtui_cli("--auto-stop", str(config), cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert not (tmp_path / "bad").exists()


def test_auto_stop_without_a_policy_is_bad_input(sweep_config: Callable[..., Path], tmp_path: Path) -> None:
    result = seedtui_cli("--auto-stop", str(sweep_config("nopolicy")), cwd=tmp_path)
    assert result.returncode == 2 and "--auto-stop needs a policy" in result.stderr
    assert not (tmp_path / "nopolicy").exists()
