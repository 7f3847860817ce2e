"""The supervisor outlives its client, and a re-run after ``kill -9`` of the supervisor resumes
the sweep without running completed trials again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from seedtui.core.engine.control import supervisor_status
from seedtui.core.engine.detach import launch_detached
from seedtui.log.control import send_command
from seedtui.log.files import LAUNCH_FILE
from seedtui.log.supervisor_state import read_state
from seedtui.state import SweepFollower, load_trials, process_alive

from .conftest import read_log, supervisor_done, wait_for

pytestmark = pytest.mark.subprocess


def status_of(sweep_dir: Path, trial: str) -> str:
    events = read_log(sweep_dir, trial)
    ends = [e for e in events if e["event"] == "end"]
    if ends:
        return str(ends[-1]["status"])
    return "running" if any(e["event"] == "train" for e in events) else "waiting"


def test_client_exit_then_supervisor_kill_9_then_resume(sweep_config: Callable[..., Path],
                                                        tmp_path: Path) -> None:
    config = sweep_config("resilient", wi_seeds=[1], do_seeds="1-3", resources={"max_concurrent": 1},
                          data={"train_limit": 64}, trainer={"batch_size": 4})  # 16 steps each
    client = subprocess.Popen([sys.executable, "-m", "seedtui", "run", str(config), "--headless"],
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sweep_dir = tmp_path / "resilient"
    first = wait_for(lambda: next((t for t in ("wi1-do1", "wi1-do2", "wi1-do3")
                                   if status_of(sweep_dir, t) == "running"), None), what="a trial to train")
    info = supervisor_status(sweep_dir)
    assert info is not None and info.alive
    # hold the queue while the client leaves and comes back: under load that can take longer than the
    # remaining trials (a few seconds each), and the kill -9 below must find one in flight
    send_command(sweep_dir, "pause")
    wait_for(lambda: (read_state(sweep_dir) or {}).get("paused"), what="the queue to pause")

    # the client goes away as a dropped SSH session would take it
    client.send_signal(signal.SIGHUP)
    client.wait(timeout=30)
    assert process_alive(info.pid)

    # re-attaching finds the same supervisor and sees the trials as the directory has them
    assert launch_detached(config) == sweep_dir
    again = supervisor_status(sweep_dir)
    assert again is not None and again.pid == info.pid and again.alive
    follower = SweepFollower(sweep_dir)
    follower.poll()
    seen = {s.trial_id: s.status for s in follower.states()}
    assert seen[first] in ("running", "completed")
    # the trial that ran when the client left was not taken down with it: it completes
    wait_for(lambda: status_of(sweep_dir, first) == "completed", what="the first trial to complete")

    # kill -9 the supervisor once one trial has completed and the next one is launched (its trainer
    # started: launch.json written) but not ended. Its log says "running" for only a fraction of a
    # second (16 tiny steps), too short to poll for; the trainer's cold start before it is seconds.
    def one_done_one_in_flight() -> bool:
        trials = ("wi1-do1", "wi1-do2", "wi1-do3")
        statuses = {t: status_of(sweep_dir, t) for t in trials}
        in_flight = [t for t in trials if (sweep_dir / "trials" / t / LAUNCH_FILE).is_file()
                     and statuses[t] in ("waiting", "running")]
        return "completed" in statuses.values() and bool(in_flight)

    send_command(sweep_dir, "resume")
    wait_for(one_done_one_in_flight, what="one trial completed and another launched", every_s=0.05)
    trials = ("wi1-do1", "wi1-do2", "wi1-do3")
    completed_before = [t for t in trials if status_of(sweep_dir, t) == "completed"]
    os.kill(info.pid, signal.SIGKILL)
    wait_for(lambda: not process_alive(info.pid), what="the supervisor to die")
    dead = supervisor_status(sweep_dir)
    assert dead is not None and not dead.alive

    # running the same command again resumes the sweep
    launch_detached(config)
    resumed = supervisor_status(sweep_dir)
    assert resumed is not None and resumed.pid != info.pid
    wait_for(lambda: supervisor_done(sweep_dir), what="the resumed sweep to finish")
    states = {t.trial_id: t for t in load_trials(sweep_dir)}
    assert {t: s.status for t, s in states.items()} == dict.fromkeys(("wi1-do1", "wi1-do2", "wi1-do3"),
                                                                       "completed")
    for trial in states:
        starts = [e for e in read_log(sweep_dir, trial) if e["event"] == "start"]
        assert len(starts) == 1, f"{trial} was run again"
    assert not list(sweep_dir.glob("trials/*/events.failed-*.jsonl"))
    assert completed_before  # those were kept, not re-run (one start each, above)
