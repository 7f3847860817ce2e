"""A supervisor that starts over a sweep another one left (``kill -9``, a crash, a reboot) rebuilds
everything from the directory: it adopts running trials, keeps a t/f/p cohort, carries out logged
stops, runs lost trials again, and ignores a broken state file. In-process, on the fake backend."""

from __future__ import annotations

import json
from pathlib import Path

from seedtui.core.engine.control import send_command
from seedtui.log.decisions import Decision, read_decisions
from seedtui.testing.clock import FakeClock

from .inprocess import events_of, fake_backend, make_sweep, statuses, step_until, supervisor_on, tfp_sweep


def test_a_restarted_supervisor_adopts_running_trials(tmp_path: Path, clock: FakeClock) -> None:
    sweep_dir = make_sweep(tmp_path)
    backend = fake_backend(sweep_dir, clock, slot_count=2)
    first = supervisor_on(sweep_dir, backend, clock)
    step_until(first, lambda: statuses(first)["wi1-do2"] == "running", what="two trials to run")
    running = sorted(first.running)
    assert running == ["wi1-do1", "wi1-do2"]
    # the first supervisor is dropped as kill -9 would end it: no cleanup, the trainers keep running
    clock.sleep(3.0)

    second = supervisor_on(sweep_dir, backend, clock)
    assert sorted(second.running) == running  # adopted, not launched again
    assert second.run() == 0
    assert set(statuses(second).values()) == {"completed"}
    assert [r.trial_id for r in backend.launches] == ["wi1-do1", "wi1-do2", "wi2-do1", "wi2-do2"]
    for trial in running:
        assert [e["event"] for e in events_of(sweep_dir, trial)].count("start") == 1
    assert not list(sweep_dir.glob("trials/*/events.failed-*.jsonl"))


def test_a_broken_supervisor_json_is_ignored_and_old_commands_are_not_run_again(tmp_path: Path,
                                                                                 clock: FakeClock) -> None:
    sweep_dir = make_sweep(tmp_path)
    send_command(sweep_dir, "pause")  # already obeyed by the supervisor that wrote the broken state
    (sweep_dir / "supervisor.json").write_text(json.dumps(
        {"pid": 1, "host": "h", "started": 0, "heartbeat": 0, "state": "running", "control_offset": "abc",
         "policy_override": 5}))
    backend = fake_backend(sweep_dir, clock)
    supervisor = supervisor_on(sweep_dir, backend, clock)
    assert supervisor.run() == 0 and not supervisor.paused
    assert set(statuses(supervisor).values()) == {"completed"}


def test_a_restart_in_the_middle_of_tfp_keeps_the_cohort_and_decides_once(tmp_path: Path,
                                                                           clock: FakeClock) -> None:
    sweep_dir, backend, first = tfp_sweep(tmp_path, clock)
    step_until(first, lambda: list(statuses(first).values()).count("suspended") >= 2,
               what="part of the cohort to suspend")
    assert first.plan.tfp is not None and not first.plan.tfp.decided
    # the first supervisor is dropped (kill -9); a second one takes over the same trials
    second = supervisor_on(sweep_dir, backend, clock)
    assert second.run() == 0
    assert sorted(statuses(second).values()) == ["completed"] * 2 + ["stopped"] * 4
    assert len(read_decisions(sweep_dir)) == 6  # decided once, by the second supervisor
    assert len({r.trial_id for r in backend.launches if not r.resume}) == 6  # nobody started twice


def test_a_stop_decided_before_a_crash_is_carried_out_by_the_next_supervisor(tmp_path: Path,
                                                                              clock: FakeClock) -> None:
    sweep_dir, backend, first = tfp_sweep(tmp_path, clock)
    step_until(first, lambda: "suspended" in statuses(first).values(), what="a trial to suspend")
    waiting = next(t for t, status in statuses(first).items() if status == "suspended")
    # a decision logged by a supervisor that died before it acted on it
    first.record_decision(Decision(rule="tfp", trial=waiting, action="stop", rung=0.5, score=None,
                                   threshold=None, rank=None, of=6, reason="decided before the crash"))
    second = supervisor_on(sweep_dir, backend, clock)
    state = second.states()[waiting]
    assert (state.status, state.stopped_by) == ("stopped", "tfp")
    assert state.end_reason == "decided before the crash"


def test_a_trial_lost_while_no_supervisor_watched_runs_again(tmp_path: Path, clock: FakeClock) -> None:
    sweep_dir = make_sweep(tmp_path, wi_seeds=[1], do_seeds=[1])
    backend = fake_backend(sweep_dir, clock, slot_count=1)
    first = supervisor_on(sweep_dir, backend, clock)
    step_until(first, lambda: statuses(first)["wi1-do1"] == "running", what="the trial to run")
    backend.signal(first.running["wi1-do1"], 9)  # it dies with the supervisor: no end event
    second = supervisor_on(sweep_dir, backend, clock)
    assert second.run() == 0
    assert (sweep_dir / "trials" / "wi1-do1" / "events.failed-1.jsonl").exists()
    assert statuses(second) == {"wi1-do1": "completed"}


def test_a_sweep_reached_through_a_symlink_hands_out_resolved_paths(tmp_path: Path, clock: FakeClock) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "fake").symlink_to(real)  # the config's sweep_dir is the link (as /tmp on macOS)
    link = make_sweep(tmp_path)
    backend = fake_backend(link, clock)
    supervisor = supervisor_on(link, backend, clock)
    supervisor.step()
    assert supervisor.config.sweep_dir == real.resolve()  # what the local launcher builds argv from
    assert [r.directory.parent.parent for r in backend.launches] == [real.resolve()] * 2
