"""The fault suite: a real sweep (tiny BERT, real supervisor and trainer processes) in a sweep
directory reached through a symbolic link, hit by ``kill -9`` at seeded random points, of its
supervisor and of its trainers, each followed by a re-run (``seedtui run`` = ``launch_detached``).
However it was hit, once re-run to its end every trial has a final status, every evaluation of its
schedule is in its log exactly once (none lost, none twice), and a killed trainer's partial log is
kept aside, not mixed in.

The kill points are drawn from ``SEEDTUI_FAULT_SEED`` (default 15; the seed is printed) as counts
of training steps logged across the sweep, so a failure can be replayed with the same seed.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from seedtui.core.engine.control import read_state, supervisor_status
from seedtui.core.engine.detach import launch_detached
from seedtui.core.engine.procs import owns_process
from seedtui.log import read_events, validate_event
from seedtui.policy.schedule import eval_schedule
from seedtui.state import load_trials, process_alive

from .conftest import supervisor_done, wait_for

pytestmark = pytest.mark.subprocess

TRIALS = ("wi1-do1", "wi1-do2")
STEPS = 40
"""Steps of each trial: 160 training examples in batches of 4, one epoch."""
EVALS_PER_EPOCH = 4
KILLS = 3
MAX_RERUNS = 6


def _train_lines(sweep_dir: Path) -> int:
    """Training steps logged so far across the sweep, moved-aside logs included (never decreases)."""
    total = 0
    for path in sweep_dir.glob("trials/*/events*.jsonl"):
        try:
            total += path.read_bytes().count(b'"event":"train"')
        except OSError:
            continue
    return total


def _running_trainers(sweep_dir: Path) -> list[int]:
    """Pids of this sweep's trainers that run now (from their launch records, checked as the
    supervisor checks them before a signal: alive, leading its group, this trial's command line)."""
    pids = []
    for record_path in sorted(sweep_dir.resolve().glob("trials/*/launch.json")):
        try:
            record = json.loads(record_path.read_text())
        except (OSError, ValueError):
            continue
        if owns_process(int(record["pid"]), pgid=int(record["pgid"]), marker=str(record_path.parent)):
            pids.append(int(record["pid"]))
    return pids


def _clean_up(sweep_dir: Path) -> None:
    """Kill what the test left running (a failed assertion must not leave trainers behind)."""
    state = read_state(sweep_dir)
    info = supervisor_status(sweep_dir)
    if state is not None and info is not None and info.alive:
        os.kill(info.pid, signal.SIGKILL)
    for pid in _running_trainers(sweep_dir):
        os.killpg(pid, signal.SIGKILL)


def _kill_supervisor(sweep_dir: Path) -> int:
    info = supervisor_status(sweep_dir)
    assert info is not None and info.alive
    os.kill(info.pid, signal.SIGKILL)
    wait_for(lambda: not process_alive(info.pid), what="the killed supervisor to be gone")
    return info.pid


def _run_to_the_end(config: Path, sweep_dir: Path) -> int:
    """Re-run until every trial has completed (a trainer killed under a supervisor ends failed and
    runs again on the next run); returns how many runs that took."""
    for run in range(1, MAX_RERUNS + 1):
        wait_for(lambda: supervisor_done(sweep_dir), what="the sweep's supervisor to finish")
        if {t.trial_id: t.status for t in load_trials(sweep_dir)} == dict.fromkeys(TRIALS, "completed"):
            return run
        launch_detached(config)
    statuses = [(t.trial_id, t.status) for t in load_trials(sweep_dir)]
    pytest.fail(f"not completed after {MAX_RERUNS} runs: {statuses}")


def test_kill_9_of_the_supervisor_and_the_trainers_loses_and_repeats_nothing(
        sweep_config: Callable[..., Path], tmp_path: Path) -> None:
    seed = int(os.environ.get("SEEDTUI_FAULT_SEED", "15"))
    print(f"fault seed {seed}")
    real = tmp_path / "real-sweeps"
    real.mkdir()
    (tmp_path / "linked").symlink_to(real)  # as /tmp on macOS, or a cluster's home directory
    sweep_dir = tmp_path / "linked" / "faults"
    config = sweep_config("faults", sweep_dir=str(sweep_dir), wi_seeds=[1], do_seeds="1-2",
                          data={"train_limit": 4 * STEPS},
                          trainer={"batch_size": 4, "evals_per_epoch": EVALS_PER_EPOCH})
    try:
        _hit_and_rerun(config, sweep_dir, real / "faults", random.Random(seed))
    finally:
        _clean_up(sweep_dir)


def _hit_and_rerun(config: Path, sweep_dir: Path, real_dir: Path, rng: random.Random) -> None:
    started = time.monotonic()
    launch_detached(config)
    total_steps = STEPS * len(TRIALS)
    points = sorted(rng.sample(range(3, total_steps - 10), KILLS))
    victims: list[str] = []
    adopted_all: set[int] = set()
    """Trainers that ran on when their supervisor was killed, and still ran after the re-run."""
    for point in points:
        wait_for(lambda: _train_lines(sweep_dir) >= point or supervisor_done(sweep_dir),  # noqa: B023
                 what=f"{point} training steps", every_s=0.02)
        if supervisor_done(sweep_dir):
            break
        trainers = _running_trainers(sweep_dir)
        if trainers and rng.random() < 0.5:
            os.kill(rng.choice(trainers), signal.SIGKILL)
            victims.append("trainer")
        else:
            orphans = set(trainers)
            _kill_supervisor(sweep_dir)
            victims.append("supervisor")
            launch_detached(config)  # the re-run, through the link
            adopted_all.update(orphans & set(_running_trainers(sweep_dir)))
    runs = _run_to_the_end(config, sweep_dir)
    print(f"kills at steps {points}: {victims}; {runs} more run(s); {time.monotonic() - started:.1f} s")
    assert victims, "the sweep finished before the first kill point"

    expected_evals = [s.step for s in eval_schedule(STEPS, EVALS_PER_EPOCH, 1, protocol="default")]
    for trial in TRIALS:
        result = read_events(real_dir / "trials" / trial / "events.jsonl", final=True)
        assert result.malformed == 0 and all(validate_event(e) == [] for e in result.events)
        events: list[dict[str, Any]] = result.events
        assert [e["event"] for e in events].count("start") == 1, trial
        assert [e["step"] for e in events if e["event"] == "eval"] == expected_evals, trial  # once each
        train_steps = [e["step"] for e in events if e["event"] == "train"]
        assert train_steps == list(range(1, STEPS + 1)), trial
        assert events[-1]["event"] == "end" and events[-1]["status"] == "completed", trial
    # the orphans of a killed supervisor were adopted through the link, not run twice
    log = (real_dir / "supervisor.log").read_text()
    for pid in adopted_all:
        assert f"(pid {pid}), still running" in log
    # a killed trainer's partial log is kept aside, whole, and was not mixed into the new one
    aside = sorted(real_dir.glob("trials/*/events.failed-*.jsonl"))
    assert len(aside) <= victims.count("trainer")
    for path in aside:
        kept = read_events(path, final=True).events
        if [e["event"] for e in kept] == ["end"]:  # killed before it wrote its start: only the
            assert kept[0]["status"] == "failed" and kept[0]["step"] == 0  # supervisor's word
            continue
        assert kept and kept[0]["event"] == "start" and kept[-1].get("status") in (None, "failed")
    state = read_state(sweep_dir)
    assert state is not None and state["state"] == "finished" and state["exit_code"] == 0
    summary = json.loads((sweep_dir / "summary.json").read_text())
    assert summary["counts"] == {"completed": len(TRIALS)} and summary["unfinished"] == 0
    assert not _running_trainers(sweep_dir)
