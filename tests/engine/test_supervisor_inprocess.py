"""The supervisor's logic in-process: the real ``Supervisor`` over a ``FakeBackend`` (simulated
trainers writing real logs) and a ``FakeClock``: queue and slots, kill and SIGKILL, pause, t/f/p,
apply_tfp, stop_sweep. Restarts are in test_supervisor_restart.py, command answers in
test_control_replies.py; the end-to-end tests with real trainers in test_sweep_runs.py,
test_policies_live.py, test_control.py and test_resilience.py."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from seedtui.core import recording_cache
from seedtui.core.engine import supervisor as supervisor_module
from seedtui.core.engine.config import load_sweep_config
from seedtui.core.engine.control import read_state, send_command
from seedtui.log import iter_event_files
from seedtui.log.control import read_replies, wait_for_reply
from seedtui.log.decisions import read_decisions
from seedtui.testing.clock import FakeClock
from seedtui.testing.fake_backend import FakeBackend

from .inprocess import (
    EVAL_STEPS,
    STEP_LIMIT,
    TOTAL_STEPS,
    events_of,
    fake_backend,
    make_sweep,
    statuses,
    step_until,
    supervisor_on,
    tfp_sweep,
)


def test_queue_fills_the_slots_in_grid_order_and_runs_every_trial(tmp_path: Path, clock: FakeClock) -> None:
    sweep_dir = make_sweep(tmp_path, wi_seeds="1-2", do_seeds="1-3")
    backend = fake_backend(sweep_dir, clock, slot_count=2)
    supervisor = supervisor_on(sweep_dir, backend, clock)
    most_running = 0
    for _ in range(STEP_LIMIT):
        if supervisor.step():
            break
        most_running = max(most_running, len(backend.running()))
        clock.sleep(supervisor.poll_s)
    assert most_running == 2  # both slots used, never more
    assert [r.trial_id for r in backend.launches] == ["wi1-do1", "wi1-do2", "wi1-do3", "wi2-do1", "wi2-do2",
                                                       "wi2-do3"]
    assert set(statuses(supervisor).values()) == {"completed"}
    assert supervisor.run() == 0  # nothing left to do: it writes the summary and ends
    state = read_state(sweep_dir)
    assert state is not None and state["state"] == "finished" and state["backend"] == "fake"
    assert json.loads((sweep_dir / "summary.json").read_text())["counts"] == {"completed": 6}
    logs = list(iter_event_files(sweep_dir))
    kept = recording_cache.kept_logs(logs)  # parsed and kept at the end: a first replay reads no log
    assert len(logs) == 6 and all(kept.has(index) for index in range(len(logs)))


def test_a_cache_that_fails_never_fails_the_finished_sweep(tmp_path: Path, clock: FakeClock,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    sweep_dir = make_sweep(tmp_path, wi_seeds="1", do_seeds="1-2")
    supervisor = supervisor_on(sweep_dir, fake_backend(sweep_dir, clock), clock)

    def broken(directory: object) -> int:
        raise PermissionError(13, "Permission denied", "/cache/logs")

    monkeypatch.setattr(supervisor_module, "keep_parsed_logs", broken)
    step_until(supervisor, lambda: set(statuses(supervisor).values()) == {"completed"}, what="both complete")
    assert supervisor.run() == 0
    assert read_state(sweep_dir)["state"] == "finished"  # type: ignore[index]
    assert "the parsed logs were not kept for replays (PermissionError" in capsys.readouterr().out


def test_kill_stops_one_trial_and_the_reply_says_what_happened(tmp_path: Path, clock: FakeClock) -> None:
    sweep_dir = make_sweep(tmp_path)
    backend = fake_backend(sweep_dir, clock, slot_count=2)
    supervisor = supervisor_on(sweep_dir, backend, clock)
    step_until(supervisor, lambda: statuses(supervisor)["wi1-do1"] == "running", what="wi1-do1 to start")
    kill = send_command(sweep_dir, "kill", trial="wi1-do1", reason="looks hopeless")
    stranger = send_command(sweep_dir, "kill", trial="wi9-do9")
    supervisor.step()
    replies = {r.id: r for r in read_replies(sweep_dir)[0]}
    assert replies[kill.id].text == "done"
    assert replies[stranger.id].text == "rejected: wi9-do9 is not a trial of this sweep"
    assert supervisor.run() == 0  # the rest of the sweep
    killed = supervisor.states()["wi1-do1"]
    assert (killed.status, killed.stopped_by, killed.end_reason) == ("stopped", "user", "looks hopeless")
    assert killed.end_step is not None and killed.end_step < TOTAL_STEPS
    assert {t: s for t, s in statuses(supervisor).items() if t != "wi1-do1"} == dict.fromkeys(
        ("wi1-do2", "wi2-do1", "wi2-do2"), "completed")
    again = send_command(sweep_dir, "kill", trial="wi1-do1")
    supervisor.step()
    answer = wait_for_reply(sweep_dir, again.id, limit_s=0)
    assert answer is not None and answer.text == "rejected: wi1-do1 has already ended (stopped)"


def test_kill_diverged_stops_the_running_trials_stuck_at_the_majority_baseline(tmp_path: Path,
                                                                               clock: FakeClock) -> None:
    sweep_dir = make_sweep(tmp_path)
    config = load_sweep_config(sweep_dir / "sweep.toml")

    def score(trial: str, eval_index: int) -> float:
        return 0.1 if trial == "wi1-do2" else 0.9  # wi1-do2 never beats the majority class

    backend = FakeBackend(config, clock, slot_count=2, steps_per_epoch=TOTAL_STEPS, score=score)
    supervisor = supervisor_on(sweep_dir, backend, clock)
    step_until(supervisor, lambda: len(supervisor.states()["wi1-do2"].eval_steps) >= 3,
               what="wi1-do2 to pass half of its training")
    early = send_command(sweep_dir, "kill_diverged", min_fraction=1.0)  # nobody has trained fully
    command = send_command(sweep_dir, "kill_diverged", min_fraction=0.5)
    supervisor.step()
    early_answer = wait_for_reply(sweep_dir, early.id, limit_s=0)
    answer = wait_for_reply(sweep_dir, command.id, limit_s=0)
    assert early_answer is not None and early_answer.text == "done: no trial is diverging"
    assert answer is not None and answer.text == "done: stopped wi1-do2"
    assert supervisor.run() == 0
    assert statuses(supervisor) == {"wi1-do1": "completed", "wi1-do2": "stopped", "wi2-do1": "completed",
                                    "wi2-do2": "completed"}
    assert [d["trial"] for d in read_decisions(sweep_dir)] == ["wi1-do2"]


def test_a_trial_that_ignores_sigterm_gets_sigkill_after_the_grace(tmp_path: Path, clock: FakeClock) -> None:
    sweep_dir = make_sweep(tmp_path, wi_seeds=[1], do_seeds=[1])
    backend = fake_backend(sweep_dir, clock, slot_count=1, step_s=10.0)
    backend.ignores_sigterm.add("wi1-do1")
    supervisor = supervisor_on(sweep_dir, backend, clock)
    step_until(supervisor, lambda: statuses(supervisor)["wi1-do1"] == "running", what="the trial to start")
    send_command(sweep_dir, "kill", trial="wi1-do1")
    supervisor.step()
    killed_at = clock.time()
    step_until(supervisor, lambda: not supervisor.running, what="the trial to be killed")
    trainer = backend.trainers["wi1-do1"]
    assert trainer.exit_code == -9 and trainer.exited_at is not None
    assert trainer.exited_at - killed_at >= 5  # kill_grace_s
    end = events_of(sweep_dir, "wi1-do1")[-1]
    assert end["event"] == "end" and end["status"] == "stopped" and end["written_by"] == "supervisor"


def test_pause_holds_the_queue_and_resume_releases_it(tmp_path: Path, clock: FakeClock) -> None:
    sweep_dir = make_sweep(tmp_path)
    send_command(sweep_dir, "pause")  # before the supervisor starts: its first step reads it
    backend = fake_backend(sweep_dir, clock, slot_count=2)
    supervisor = supervisor_on(sweep_dir, backend, clock)
    for _ in range(20):
        supervisor.step()
        clock.sleep(supervisor.poll_s)
    state = read_state(sweep_dir)
    assert backend.launches == [] and state is not None and state["paused"]
    resume = send_command(sweep_dir, "resume")
    supervisor.step()
    assert [r.trial_id for r in backend.launches] == ["wi1-do1", "wi1-do2"]
    answer = wait_for_reply(sweep_dir, resume.id, limit_s=0)
    assert answer is not None and answer.text == "done"


def test_tfp_6_half_2_on_a_3x3_grid_completes_two_and_stops_four(tmp_path: Path, clock: FakeClock) -> None:
    sweep_dir, backend, supervisor = tfp_sweep(tmp_path, clock)
    assert supervisor.run() == 0
    states = supervisor.states()
    assert len(states) == 6  # the cohort: 3 of the 9 are never run
    completed = {t for t, s in states.items() if s.status == "completed"}
    stopped = {t for t, s in states.items() if s.status == "stopped"}
    assert len(completed) == 2 and len(stopped) == 4
    for trial in stopped:
        assert states[trial].stopped_by == "tfp"
        assert states[trial].eval_steps == [2, 4]  # suspended after the milestone's evaluation (2 of 4)
    for trial in completed:
        names = [e["event"] for e in events_of(sweep_dir, trial)]
        assert names.count("start") == 1 and names.count("resume") == 1
        assert states[trial].eval_steps == EVAL_STEPS  # exactly a straight run's evaluations
    at_milestone = {t: max(s.eval_scores[:2]) for t, s in states.items()}
    assert min(at_milestone[t] for t in completed) > max(at_milestone[t] for t in stopped)
    decisions = read_decisions(sweep_dir)
    assert sorted(d["rank"] for d in decisions) == [1, 2, 3, 4, 5, 6]
    decided_at = {d["t"] for d in decisions}  # one step decided them all, at the supervisor's time
    assert len(decided_at) == 1 and FakeClock().time() < decided_at.pop() < clock.time()
    assert {d["trial"] for d in decisions if d["action"] == "promote"} == completed
    resumed = [r.trial_id for r in backend.launches if r.resume]
    assert sorted(resumed) == sorted(completed)
    assert all(r.stop_at_fraction == 0.5 for r in backend.launches if not r.resume)
    assert json.loads((sweep_dir / "summary.json").read_text())["counts"]["stopped"] == 4
    assert not list(sweep_dir.glob("trials/*/checkpoint/*"))  # no stopped trial keeps one


def test_apply_tfp_on_a_running_sweep_judges_the_started_trials_with_the_queued_ones(tmp_path: Path,
                                                                                   clock: FakeClock) -> None:
    sweep_dir = make_sweep(tmp_path, wi_seeds="1-3", do_seeds="1-3")
    backend = fake_backend(sweep_dir, clock)
    supervisor = supervisor_on(sweep_dir, backend, clock)
    step_until(supervisor, lambda: len(backend.launches) == 2, what="two trials to start")
    started = [r.trial_id for r in backend.launches]
    command = send_command(sweep_dir, "apply_tfp", t=4, f=0.5, p=1)
    supervisor.step()
    answer = wait_for_reply(sweep_dir, command.id, limit_s=0)
    assert answer is not None and answer.outcome == "done" and "cohort" in answer.reason
    assert supervisor.run() == 0
    cohort = supervisor.plan.trial_ids
    assert len(cohort) == 4 and cohort[:2] == started  # the trials already started come first
    states = supervisor.states()
    assert all(s.status == "queued" for t, s in states.items() if t not in cohort)  # never run
    assert all(r.stop_at_fraction == 0.5 for r in backend.launches[2:] if not r.resume)  # queued: to f
    decisions = {d["trial"]: d for d in read_decisions(sweep_dir)}
    assert sorted(decisions) == sorted(cohort) and all(d["rung"] == 0.5 for d in decisions.values())
    # two slots: the started two trained to their end while the queued two went to f; the best of
    # the four was a queued one, resumed; the started two lost but had already completed
    assert {t: states[t].status for t in cohort} == {
        started[0]: "completed", started[1]: "completed", cohort[2]: "completed", cohort[3]: "stopped"}
    assert [decisions[t]["action"] for t in cohort] == ["stop", "stop", "promote", "stop"]
    assert all("already completed" in decisions[t]["reason"] for t in started)


def test_a_promoted_trial_whose_checkpoint_is_gone_runs_again_from_its_start(tmp_path: Path,
                                                                              clock: FakeClock) -> None:
    sweep_dir, backend, supervisor = tfp_sweep(tmp_path, clock)
    step_until(supervisor, lambda: supervisor.plan.tfp is not None and supervisor.plan.tfp.decided,
               what="the t/f/p decision")
    for checkpoint in sweep_dir.glob("trials/*/checkpoint"):  # lost (a disk cleaned up, a node gone)
        shutil.rmtree(checkpoint)
    assert supervisor.run() == 0  # the sweep was not stopped
    promoted = {d["trial"] for d in read_decisions(sweep_dir) if d["action"] == "promote"}
    assert len(promoted) == 2
    for trial in promoted:
        assert supervisor.states()[trial].status == "completed"
        assert (sweep_dir / "trials" / trial / "events.failed-1.jsonl").exists()  # the run that suspended
        assert [e["event"] for e in events_of(sweep_dir, trial)].count("start") == 1  # then a fresh one
    launches = [(r.trial_id, r.resume) for r in backend.launches if r.trial_id in promoted]
    assert sorted(launches) == sorted([(t, False) for t in promoted] * 2 + [(t, True) for t in promoted])


def test_stop_sweep_stops_the_running_trials_and_ends_the_supervisor(tmp_path: Path,
                                                                    clock: FakeClock) -> None:
    sweep_dir = make_sweep(tmp_path)
    backend = fake_backend(sweep_dir, clock)
    supervisor = supervisor_on(sweep_dir, backend, clock)
    step_until(supervisor, lambda: list(statuses(supervisor).values()).count("running") == 2,
               what="two trials to run")
    send_command(sweep_dir, "stop_sweep")
    assert supervisor.run() == 0
    state = read_state(sweep_dir)
    assert state is not None and state["state"] == "stopped" and state["running"] == {}
    # interrupted, not judged: they suspend, and the next run continues them (test_sweep_stop_resume.py)
    assert statuses(supervisor) == {"wi1-do1": "suspended", "wi1-do2": "suspended", "wi2-do1": "queued",
                                    "wi2-do2": "queued"}
    assert len(backend.launches) == 2


def test_a_trainer_that_rejects_its_input_stops_the_launching(tmp_path: Path, clock: FakeClock) -> None:
    sweep_dir = make_sweep(tmp_path)
    backend = fake_backend(sweep_dir, clock, slot_count=1)
    backend.bad_input.add("wi1-do1")
    supervisor = supervisor_on(sweep_dir, backend, clock)
    assert supervisor.run() == 1
    assert [r.trial_id for r in backend.launches] == ["wi1-do1"]
    assert supervisor.states()["wi1-do1"].status == "failed"
    assert "exited with code 2" in supervisor.states()["wi1-do1"].end_reason
