"""Stopping the whole sweep (``stop_sweep``, SIGTERM or the first Ctrl-C of the supervisor) interrupts
its trials instead of ending them: each checkpoints and ends ``suspended`` (``by: "sweep"``), or, when
it cannot checkpoint, is re-queued; the next ``seedtui run`` continues them with nothing lost or
repeated. A kill by the user or a policy stays a final ``stopped``. In-process, on the fake backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seedtui.core.engine.control import send_command
from seedtui.core.engine.supervisor import SWEEP_STOP_GRACE_S
from seedtui.log import append_event
from seedtui.log.decisions import read_decisions
from seedtui.state import SWEEP_STOP
from seedtui.testing.clock import FakeClock

from .inprocess import (
    EVAL_STEPS,
    events_of,
    fake_backend,
    make_sweep,
    statuses,
    step_until,
    supervisor_on,
    tfp_sweep,
)


def _steps_done(sweep_dir: Path, trial: str) -> int:
    if not (sweep_dir / "trials" / trial / "events.jsonl").exists():
        return 0
    return max((e["step"] for e in events_of(sweep_dir, trial) if e["event"] == "train"), default=0)


def test_stop_sweep_suspends_the_running_trials_and_the_next_run_continues_them(tmp_path: Path,
                                                                                 clock: FakeClock) -> None:
    sweep_dir = make_sweep(tmp_path)
    backend = fake_backend(sweep_dir, clock)
    first = supervisor_on(sweep_dir, backend, clock)
    step_until(first, lambda: _steps_done(sweep_dir, "wi1-do2") >= 3, what="two trials part-way")
    send_command(sweep_dir, "stop_sweep")
    assert first.run() == 0
    interrupted = {t: s for t, s in first.states().items() if s.status == "suspended"}
    assert sorted(interrupted) == ["wi1-do1", "wi1-do2"]
    for state in interrupted.values():
        assert state.stopped_by == SWEEP_STOP and state.interrupted and not state.is_finished
        assert state.end_step is not None and 0 < state.end_step < 8
        assert (sweep_dir / "trials" / state.trial_id / "checkpoint" / "checkpoint.pt").is_file()
    summary = json.loads((sweep_dir / "summary.json").read_text())
    assert summary["unfinished"] == 4 and summary["counts"] == {"queued": 2, "suspended": 2}

    second = supervisor_on(sweep_dir, backend, clock)  # seedtui run CONFIG, again
    assert second.run() == 0
    assert set(statuses(second).values()) == {"completed"}
    resumed = sorted(r.trial_id for r in backend.launches if r.resume)
    assert resumed == ["wi1-do1", "wi1-do2"]
    for trial in statuses(second):
        names = [e["event"] for e in events_of(sweep_dir, trial)]
        assert names.count("start") == 1
        assert second.states()[trial].eval_steps == EVAL_STEPS  # none lost, none twice
    assert not list(sweep_dir.glob("trials/*/events.failed-*.jsonl"))
    assert json.loads((sweep_dir / "summary.json").read_text())["unfinished"] == 0


def test_sigterm_to_the_supervisor_interrupts_like_stop_sweep(tmp_path: Path, clock: FakeClock) -> None:
    sweep_dir = make_sweep(tmp_path, wi_seeds=[1], do_seeds=[1])
    backend = fake_backend(sweep_dir, clock, slot_count=1)
    first = supervisor_on(sweep_dir, backend, clock)
    step_until(first, lambda: _steps_done(sweep_dir, "wi1-do1") >= 3, what="the trial part-way")
    first.signalled = "SIGTERM"  # what its signal handler records (Ctrl-C: SIGINT, the same path)
    assert first.run() == 0
    state = first.states()["wi1-do1"]
    assert (state.status, state.stopped_by) == ("suspended", SWEEP_STOP)
    second = supervisor_on(sweep_dir, backend, clock)
    assert second.run() == 0
    assert second.states()["wi1-do1"].eval_steps == EVAL_STEPS


def test_a_trial_that_cannot_checkpoint_in_time_is_re_queued_and_runs_again(
        tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]) -> None:
    sweep_dir = make_sweep(tmp_path, wi_seeds=[1], do_seeds="1-2",
                           resources={"max_concurrent": 2, "kill_grace_s": 1})
    backend = fake_backend(sweep_dir, clock, step_s=60.0)  # 8 minutes a trial
    backend.ignores_sigterm.add("wi1-do1")  # SIGKILL after the grace: no checkpoint, no end
    first = supervisor_on(sweep_dir, backend, clock)
    step_until(first, lambda: _steps_done(sweep_dir, "wi1-do1") >= 3, what="the trials part-way")
    send_command(sweep_dir, "stop_sweep")
    assert first.run() == 0
    # not kill_grace_s (1 s): a trial the sweep's stop interrupts gets time to write its checkpoint
    assert f"did not stop within {SWEEP_STOP_GRACE_S:g}s" in capsys.readouterr().out
    assert statuses(first) == {"wi1-do1": "queued", "wi1-do2": "suspended"}
    moved = [json.loads(line) for line in
             (sweep_dir / "trials" / "wi1-do1" / "events.failed-1.jsonl").read_text().splitlines()]
    assert (moved[-1]["status"], moved[-1]["by"]) == ("stopped", SWEEP_STOP)

    backend.ignores_sigterm.clear()
    second = supervisor_on(sweep_dir, backend, clock)
    assert second.run() == 0
    assert set(statuses(second).values()) == {"completed"}
    assert [(r.trial_id, r.resume) for r in backend.launches[2:]] in (
        [("wi1-do1", False), ("wi1-do2", True)], [("wi1-do2", True), ("wi1-do1", False)])
    for trial in ("wi1-do1", "wi1-do2"):
        assert second.states()[trial].eval_steps == EVAL_STEPS


def test_an_interrupted_end_left_unreaped_is_re_queued_by_the_next_supervisor(tmp_path: Path,
                                                                              clock: FakeClock) -> None:
    sweep_dir = make_sweep(tmp_path, wi_seeds=[1], do_seeds=[1])
    backend = fake_backend(sweep_dir, clock, slot_count=1)
    first = supervisor_on(sweep_dir, backend, clock)
    step_until(first, lambda: _steps_done(sweep_dir, "wi1-do1") >= 3, what="the trial part-way")
    # a trainer that cannot suspend (a command-template script) ended 'stopped' by the sweep's stop,
    # and the supervisor died before it reaped it
    backend.signal(first.running["wi1-do1"], 9)
    append_event(sweep_dir / "trials" / "wi1-do1" / "events.jsonl", "end", t=clock.time(), status="stopped",
                 step=3, reason="the sweep was stopped", by=SWEEP_STOP)
    assert not first.states()["wi1-do1"].is_finished  # the one rule: not a final stop
    second = supervisor_on(sweep_dir, backend, clock)
    assert statuses(second) == {"wi1-do1": "queued"}
    assert (sweep_dir / "trials" / "wi1-do1" / "events.failed-1.jsonl").exists()
    assert second.run() == 0
    assert second.states()["wi1-do1"].eval_steps == EVAL_STEPS


def test_a_kill_by_the_user_stays_final_across_runs(tmp_path: Path, clock: FakeClock) -> None:
    sweep_dir = make_sweep(tmp_path, wi_seeds=[1], do_seeds="1-2")
    backend = fake_backend(sweep_dir, clock)
    first = supervisor_on(sweep_dir, backend, clock)
    step_until(first, lambda: _steps_done(sweep_dir, "wi1-do2") >= 3, what="the trials part-way")
    send_command(sweep_dir, "kill", trial="wi1-do1", by="user", reason="looks hopeless")
    step_until(first, lambda: statuses(first)["wi1-do1"] == "stopped", what="the kill")
    send_command(sweep_dir, "stop_sweep")
    assert first.run() == 0
    assert statuses(first) == {"wi1-do1": "stopped", "wi1-do2": "suspended"}
    assert first.states()["wi1-do1"].is_finished
    second = supervisor_on(sweep_dir, backend, clock)
    assert second.run() == 0
    assert statuses(second) == {"wi1-do1": "stopped", "wi1-do2": "completed"}
    assert [r.trial_id for r in backend.launches].count("wi1-do1") == 1  # never run again


def test_a_tfp_cohort_interrupted_before_its_milestone_is_judged_at_the_milestone(tmp_path: Path,
                                                                                  clock: FakeClock) -> None:
    sweep_dir, backend, first = tfp_sweep(tmp_path, clock)
    # the first two of the cohort are part-way to their milestone (step 4 of 8) when the sweep stops
    step_until(first, lambda: sum(_steps_done(sweep_dir, t) >= 1 for t in first.plan.trial_ids) == 2,
               what="two cohort trials training")
    send_command(sweep_dir, "stop_sweep")
    assert first.run() == 0
    interrupted = sorted(t for t, s in first.states().items() if s.interrupted)
    assert len(interrupted) == 2
    assert all(_steps_done(sweep_dir, t) < 4 for t in interrupted)
    assert read_decisions(sweep_dir) == []  # nobody judged on a partial run

    second = supervisor_on(sweep_dir, backend, clock)
    assert second.run() == 0
    states = second.states()
    assert sorted(s.status for s in states.values()) == ["completed"] * 2 + ["stopped"] * 4
    for trial, state in states.items():
        assert state.eval_steps == (EVAL_STEPS if state.status == "completed" else EVAL_STEPS[:2]), trial
    again = [r for r in backend.launches if r.trial_id in interrupted and r.resume]
    assert all(r.stop_at_fraction == 0.5 for r in again[:2])  # continued to the milestone, not past it
    decisions = read_decisions(sweep_dir)
    assert len(decisions) == 6 and all(d["rung"] == 0.5 for d in decisions)
