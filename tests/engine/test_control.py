"""Commands through the sweep directory: pause, resume and stop_sweep reach a real supervisor
(sent with the ``seedtui ctl`` CLI), and a stopped sweep resumes with ``seedtui run``."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from seedtui.core.engine.config import TfpConfig
from seedtui.core.engine.control import ControlError, read_commands, read_state, send_command
from seedtui.core.engine.detach import launch_detached
from seedtui.core.engine.plan import SweepPlan, tfp_override
from seedtui.state import TrialState, load_trials

from .conftest import read_log, supervisor_done, wait_for


def ctl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "seedtui", "ctl", *args], capture_output=True, text=True,
                          timeout=120)


def test_commands_are_appended_once_and_read_from_an_offset(tmp_path: Path) -> None:
    first = send_command(tmp_path, "kill", trial="wi1-do2", reason="hopeless")
    assert first.args["by"] == "user" and first.action == "kill" and first.id
    commands, offset = read_commands(tmp_path, 0)
    assert [c.id for c in commands] == [first.id]
    with open(tmp_path / "control.jsonl", "a") as handle:
        handle.write('{"action": "pause", "t": 1')  # a client mid-write: left for the next read
    assert read_commands(tmp_path, offset) == ([], offset)
    with pytest.raises(ControlError):
        send_command(tmp_path, "explode")
    with pytest.raises(ControlError):
        send_command(tmp_path, "apply_tfp", t=3)


def test_tfp_applied_mid_sweep_puts_started_trials_first() -> None:
    ids = ["a", "b", "c", "d", "e"]
    plan = SweepPlan(trial_ids=ids, seeds={i: (n, 0) for n, i in enumerate(ids)})
    states = {i: TrialState(trial_id=i) for i in ids}
    for name, t in (("d", 5.0), ("b", 3.0)):  # started: b first, then d
        states[name].apply({"event": "start", "t": t})
    override = tfp_override(TfpConfig(t=3, f=0.5, p=1), plan, states, order_seed=0)
    assert override["cohort"][:2] == ["b", "d"] and len(override["cohort"]) == 3
    crowded = tfp_override(TfpConfig(t=1, f=0.5, p=1), plan, states, order_seed=0)
    assert crowded["cohort"] == ["b", "d"]  # more started than t: all of them are compared


@pytest.mark.subprocess
def test_pause_resume_and_stop_sweep_then_run_again(sweep_config: Callable[..., Path]) -> None:
    config = sweep_config("control", wi_seeds=[1], do_seeds="1-3", resources={"max_concurrent": 1},
                          data={"train_limit": 96}, trainer={"batch_size": 4})  # 24 steps each
    sweep_dir = config.parent / "control"
    sweep_dir.mkdir()
    send_command(sweep_dir, "pause")  # before the supervisor starts: its first step reads it
    launch_detached(config)
    wait_for(lambda: (read_state(sweep_dir) or {}).get("paused"), what="the queue to pause")
    assert not list(sweep_dir.glob("trials/*/launch.json"))  # nothing launched while paused

    assert ctl(str(sweep_dir), "resume").returncode == 0
    wait_for(lambda: any(e["event"] == "train" for t in ("wi1-do1", "wi1-do2", "wi1-do3")
                         for e in read_log(sweep_dir, t)), what="a trial to train")
    assert ctl(str(sweep_dir), "stop-sweep").returncode == 0
    wait_for(lambda: supervisor_done(sweep_dir), what="the supervisor to stop")
    state = read_state(sweep_dir)
    assert state is not None and state["state"] == "stopped" and state["running"] == {}
    statuses = {t.trial_id: t for t in load_trials(sweep_dir)}
    assert all(s.status in ("completed", "suspended") for s in statuses.values())
    # the trial training when stop-sweep came was interrupted: checkpointed and suspended (unless it
    # finished just before), not stopped for good
    interrupted = [s.trial_id for s in statuses.values() if s.status == "suspended"]
    assert len(interrupted) <= 1 and all(statuses[t].stopped_by == "sweep" for t in interrupted)
    assert len(statuses) < 3  # the queue was not drained

    launch_detached(config)  # run again: the interrupted trial continues from its checkpoint, the rest run
    wait_for(lambda: supervisor_done(sweep_dir), what="the resumed sweep to finish")
    final = {t.trial_id: t for t in load_trials(sweep_dir)}
    trials = ("wi1-do1", "wi1-do2", "wi1-do3")
    assert {t: s.status for t, s in final.items()} == dict.fromkeys(trials, "completed")
    for state in final.values():  # 24 steps, 4 evaluations: none lost, none twice
        assert len(state.eval_steps) == 4 and len(set(state.eval_steps)) == 4
        assert state.resumes == (1 if state.trial_id in interrupted else 0)
    counts = json.loads((sweep_dir / "summary.json").read_text())["counts"]
    assert counts == {"completed": 3}
    assert ctl(str(sweep_dir), "explode").returncode == 2
