"""Sweeps whose trials run in multi-trial workers (``[resources] trials_per_process`` > 1), with a real
detached supervisor and real worker subprocesses (tiny model, CPU): t/f/p through packs; a restarted
supervisor adopting the trials of running workers; one trial killed in a pack while its pack-mate goes
on; and a worker killed with ``kill -9``: exactly its trials are marked failed (or re-queued, as
configured) and the sweep goes on; the sweep's own stop (stop-sweep, then SIGTERM to the supervisor)
suspends every trial of a pack, and the next runs continue them with each step and evaluation once."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from seedtui.core.engine.config import ConfigError, load_sweep_config
from seedtui.core.engine.control import send_command
from seedtui.core.engine.detach import launch_detached
from seedtui.log import read_events, validate_event
from seedtui.log.decisions import read_decisions
from seedtui.log.files import checkpoint_path
from seedtui.policy.schedule import eval_schedule
from seedtui.state import SWEEP_STOP, load_trials, process_alive

from .conftest import read_log, supervisor_done, wait_for

pytestmark = pytest.mark.subprocess


def launches(sweep_dir: Path) -> dict[str, dict[str, object]]:
    """Each trial's latest launch record."""
    return {path.parent.name: json.loads(path.read_text()) for path in sweep_dir.glob("trials/*/launch.json")}


@pytest.fixture
def kill_workers() -> Iterator[list[Path]]:
    """Sweep dirs whose pack workers are killed after the test (only the pids their records name)."""
    sweeps: list[Path] = []
    yield sweeps
    for sweep_dir in sweeps:
        for log in sweep_dir.glob("packs/*/worker.log"):
            for record in launches(sweep_dir).values():
                if record.get("pack_dir") == str(log.parent) and process_alive(int(str(record["pid"]))):
                    os.kill(int(str(record["pid"])), signal.SIGKILL)


def test_tfp_6_half_2_through_packs_completes_two_and_stops_four(
        sweep_config: Callable[..., Path], varied_model_dir: Path, kill_workers: list[Path]) -> None:
    config = sweep_config("tfp-pack", wi_seeds="1-2", do_seeds="1-3", model=str(varied_model_dir),
                          data={"eval_limit": 128},
                          resources={"max_concurrent": 1, "trials_per_process": 3},
                          policy={"rule": "tfp", "tfp": {"t": 6, "f": 0.5, "p": 2}})
    sweep_dir = launch_detached(config)
    kill_workers.append(sweep_dir)
    wait_for(lambda: supervisor_done(sweep_dir), what="the sweep to finish")
    states = {t.trial_id: t for t in load_trials(sweep_dir)}
    completed = {t for t, s in states.items() if s.status == "completed"}
    stopped = {t for t, s in states.items() if s.status == "stopped"}
    assert len(states) == 6 and len(completed) == 2 and len(stopped) == 4, {
        t: (s.status, s.end_reason) for t, s in states.items()}
    assert all(states[t].stopped_by == "tfp" for t in stopped)
    assert {d["trial"] for d in read_decisions(sweep_dir) if d["action"] == "promote"} == completed
    for trial in completed:  # suspended at f in a pack, resumed (in a pack) to the end
        events = [e["event"] for e in read_log(sweep_dir, trial)]
        assert events.count("start") == 1 and events.count("resume") == 1
    records = launches(sweep_dir)
    assert all("pack_dir" in record for record in records.values())
    # 6 trials and 2 resumes in packs of 3: several trials share each worker process
    assert len({record["pack_dir"] for record in records.values()}) < len(records)
    assert not list(sweep_dir.glob("trials/*/checkpoint/*"))


@pytest.mark.parametrize("requeue", [False, True])
def test_a_kill_stops_one_trial_of_a_pack_and_kill_9_of_a_worker_fails_exactly_its_trials(
        sweep_config: Callable[..., Path], kill_workers: list[Path], requeue: bool) -> None:
    # 2 workers x 2 seats for a 1 x 6 grid; 500 steps a trial: long enough for the kills to land
    config = sweep_config(f"kill-pack-{requeue}", wi_seeds=[1], do_seeds="1-6",
                          data={"train_limit": 2000}, trainer={"batch_size": 4, "evals_per_epoch": 2},
                          resources={"max_concurrent": 2, "trials_per_process": 2,
                                     "requeue_on_node_failure": requeue})
    sweep_dir = launch_detached(config)
    kill_workers.append(sweep_dir)

    def training(trial: str) -> bool:
        events = read_log(sweep_dir, trial)
        return any(e["event"] == "train" for e in events) and not any(e["event"] == "end" for e in events)

    first_four = [f"wi1-do{do}" for do in range(1, 5)]
    wait_for(lambda: all(training(t) for t in first_four), what="four trials to train in two workers")
    # kill -9 of the supervisor: the workers go on, and the next supervisor adopts their trials
    supervisor_pid = int(json.loads((sweep_dir / "supervisor.json").read_text())["pid"])
    os.kill(supervisor_pid, signal.SIGKILL)
    wait_for(lambda: not process_alive(supervisor_pid), what="the supervisor to die")
    assert launch_detached(config) == sweep_dir
    log = sweep_dir / "supervisor.log"
    wait_for(lambda: log.read_text().count("adopted ") == 4, what="the restarted supervisor to adopt them")
    records = launches(sweep_dir)
    workers: dict[str, list[str]] = {}
    for trial in first_four:
        workers.setdefault(str(records[trial]["pack_dir"]), []).append(trial)
    assert sorted(len(trials) for trials in workers.values()) == [2, 2]
    (victims, victim_pid), (survivors, _) = [
        (trials, int(str(records[trials[0]]["pid"]))) for trials in workers.values()]

    # a kill through the supervisor stops one trial; its pack-mate trains on in the same process
    killed, mate = survivors
    send_command(sweep_dir, "kill", trial=killed, by="user", reason="looks hopeless")
    end = wait_for(lambda: next((e for e in read_log(sweep_dir, killed) if e["event"] == "end"), None),
                   what="the killed trial to end")
    assert end["status"] == "stopped" and end["by"] == "user" and end["reason"] == "looks hopeless"
    wait_for(lambda: any(e["event"] == "train" and e["t"] > end["t"] for e in read_log(sweep_dir, mate)),
             what="its pack-mate to train on")

    # kill -9 of the other worker: exactly its two trials end failed (or run again)
    os.kill(victim_pid, signal.SIGKILL)
    if requeue:  # the sweep goes on: they run again from their start, in the seats that were freed
        wait_for(lambda: all((sweep_dir / "trials" / t / "events.failed-1.jsonl").exists() for t in victims),
                 what="the worker's trials to be re-queued")
        for trial in victims:
            kept = [json.loads(line) for line in
                    (sweep_dir / "trials" / trial / "events.failed-1.jsonl").read_text().splitlines()]
            assert kept[-1]["event"] == "end" and kept[-1]["status"] == "failed"
        wait_for(lambda: all(training(t) for t in victims), what="the re-queued trials to train again")
    else:
        wait_for(lambda: all(any(e["event"] == "end" for e in read_log(sweep_dir, t)) for t in victims),
                 what="the worker's trials to be marked failed")
        for trial in victims:
            end = [e for e in read_log(sweep_dir, trial) if e["event"] == "end"][-1]
            assert end["status"] == "failed" and end["written_by"] == "supervisor"
        # the sweep goes on: the queued trials start in the seats that were freed
        wait_for(lambda: all(training(t) for t in ("wi1-do5", "wi1-do6")), what="the queued trials to start")
    # the other worker never noticed: its trial trained on (it may have completed by now)
    mate_ends = [e for e in read_log(sweep_dir, mate) if e["event"] == "end"]
    assert training(mate) or [e["status"] for e in mate_ends] == ["completed"], mate_ends
    send_command(sweep_dir, "stop_sweep")
    wait_for(lambda: supervisor_done(sweep_dir), what="the sweep to stop")
    states = {t.trial_id: t for t in load_trials(sweep_dir)}
    assert states[killed].status == "stopped" and states[killed].stopped_by == "user"
    failed = {t for t, s in states.items() if s.status == "failed"}
    assert failed == (set() if requeue else set(victims))


def test_trials_per_process_is_refused_for_a_command_trainer_and_for_ray(
        sweep_config: Callable[..., Path]) -> None:
    command = sweep_config("cmd", trainer={"command": ["{python}", "train.py"]},
                           resources={"trials_per_process": 2})
    with pytest.raises(ConfigError, match="resources.trials_per_process"):
        load_sweep_config(command)
    ray = sweep_config("ray", resources={"backend": "ray", "trials_per_process": 2})
    with pytest.raises(ConfigError, match="resources.trials_per_process"):
        load_sweep_config(ray)


PACK_STOP_STEPS = 100
"""Steps of each trial in the stop-and-resume test: 400 training examples in batches of 4, one epoch."""


def test_the_sweeps_stop_suspends_every_trial_of_a_pack_and_the_next_runs_continue_them(
        sweep_config: Callable[..., Path], kill_workers: list[Path]) -> None:
    # 4 trials in one worker (4 seats); stopped by stop-sweep, then by SIGTERM to the supervisor
    trials = [f"wi1-do{do}" for do in range(1, 5)]
    config = sweep_config("stop-pack", wi_seeds=[1], do_seeds="1-4",
                          data={"train_limit": 4 * PACK_STOP_STEPS}, trainer={"batch_size": 4},
                          resources={"max_concurrent": 1, "trials_per_process": 4})
    sweep_dir = launch_detached(config)
    kill_workers.append(sweep_dir)

    def steps_since_last_start(trial: str) -> int:
        """Train steps logged since its latest start or resume, while it has no end after it."""
        count, running = 0, False
        for event in read_log(sweep_dir, trial):
            if event["event"] in ("start", "resume"):
                count, running = 0, True
            elif event["event"] == "train":
                count += 1
            elif event["event"] == "end":
                running = False
        return count if running else 0

    def all_suspended_by_the_sweep(after: dict[str, int]) -> dict[str, int]:
        wait_for(lambda: supervisor_done(sweep_dir), what="the sweep to stop")
        states = {t.trial_id: t for t in load_trials(sweep_dir)}
        assert {t: (s.status, s.stopped_by) for t, s in states.items()} == dict.fromkeys(
            trials, ("suspended", SWEEP_STOP))
        for trial, state in states.items():
            assert state.end_step is not None and after[trial] < state.end_step < PACK_STOP_STEPS, trial
            assert checkpoint_path(sweep_dir / "trials" / trial).is_file(), trial
        return {t: int(s.end_step or 0) for t, s in states.items()}

    wait_for(lambda: all(steps_since_last_start(t) >= 5 for t in trials),
             what="four trials to train in a pack")
    assert len({str(record["pack_dir"]) for record in launches(sweep_dir).values()}) == 1
    send_command(sweep_dir, "stop_sweep")
    first_stop = all_suspended_by_the_sweep(dict.fromkeys(trials, 0))

    # the next run resumes them, in a pack; SIGTERM to its supervisor suspends them again
    assert launch_detached(config) == sweep_dir
    wait_for(lambda: all(steps_since_last_start(t) >= 5 and any(e["event"] == "resume" for e in read_log(
        sweep_dir, t)) for t in trials), what="the four trials to resume in a pack")
    records = launches(sweep_dir)
    assert all(record["resume"] for record in records.values())
    assert len({str(record["pack_dir"]) for record in records.values()}) == 1
    os.kill(int(json.loads((sweep_dir / "supervisor.json").read_text())["pid"]), signal.SIGTERM)
    all_suspended_by_the_sweep(first_stop)

    # the third run, once the idle worker has exited, resumes them in a new worker and takes them to
    # the end: each step and each evaluation exactly once
    worker_pid = int(str(records[trials[0]]["pid"]))
    wait_for(lambda: not process_alive(worker_pid), what="the idle worker to exit")
    assert launch_detached(config) == sweep_dir
    wait_for(lambda: supervisor_done(sweep_dir), what="the sweep to finish")
    assert {str(record["pack_dir"]) for record in launches(sweep_dir).values()}.isdisjoint(
        str(record["pack_dir"]) for record in records.values())
    assert {t.trial_id: t.status for t in load_trials(sweep_dir)} == dict.fromkeys(trials, "completed")
    expected_evals = [s.step for s in eval_schedule(PACK_STOP_STEPS, 4, 1, protocol="default")]
    for trial in trials:
        result = read_events(sweep_dir / "trials" / trial / "events.jsonl", final=True)
        assert result.malformed == 0 and all(validate_event(e) == [] for e in result.events)
        names = [e["event"] for e in result.events]
        assert names.count("start") == 1 and names.count("resume") == 2, trial
        assert [e["step"] for e in result.events if e["event"] == "train"] == list(
            range(1, PACK_STOP_STEPS + 1)), trial
        assert [e["step"] for e in result.events if e["event"] == "eval"] == expected_evals, trial
        ends = [e for e in result.events if e["event"] == "end"]
        assert [(e["status"], e.get("by")) for e in ends] == [
            ("suspended", SWEEP_STOP), ("suspended", SWEEP_STOP), ("completed", None)], trial
        # each resume continues from the step its suspension ended at
        resumes = [e for e in result.events if e["event"] == "resume"]
        assert [r["step"] for r in resumes] == [e["step"] for e in ends[:2]], trial
    assert not list(sweep_dir.glob("trials/*/checkpoint/*"))
    assert not list(sweep_dir.glob("trials/*/events.failed-*.jsonl"))
