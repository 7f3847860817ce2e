"""The supervisor's logic in-process: the real ``Supervisor`` over a ``FakeBackend`` (simulated
trainers writing real logs) and a ``FakeClock``. Fast and deterministic; the end-to-end tests with
real trainers are in test_sweep_runs.py, test_policies_live.py, test_control.py and test_resilience.py."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from seedtui.cli import app
from seedtui.core.engine.config import load_sweep_config
from seedtui.core.engine.control import read_state, send_command, write_state
from seedtui.core.engine.detach import prepare_sweep
from seedtui.core.engine.supervisor import Supervisor
from seedtui.core.engine.tomlwrite import dumps_toml
from seedtui.log.control import CONTROL_FILE, read_replies, wait_for_reply
from seedtui.log.decisions import Decision, read_decisions
from seedtui.testing.clock import FakeClock
from seedtui.testing.fake_backend import FakeBackend

# one epoch of 8 steps of 1 fake second, evaluations at steps 2, 4, 6 and 8 (the configs below say
# epochs = 1, evals_per_epoch = 4; the fake trainers take 8 steps an epoch)
TOTAL_STEPS = 8
EVAL_STEPS = [2, 4, 6, 8]
STEP_LIMIT = 1000
"""Every loop here is bounded by this many supervisor steps, so a broken engine fails, not hangs."""


def make_sweep(tmp_path: Path, **overrides: Any) -> Path:
    """A sweep directory with a resolved sweep.toml (the trainer never runs: the model is not read)."""
    (tmp_path / "data").mkdir(exist_ok=True)
    document: dict[str, Any] = {
        "name": "fake", "sweep_dir": str(tmp_path / "fake"), "task": "rte", "wi_seeds": "1-2",
        "do_seeds": "1-2", "data": {"dir": str(tmp_path / "data")},
        "trainer": {"epochs": 1, "evals_per_epoch": 4}, "resources": {"max_concurrent": 2, "kill_grace_s": 5},
    }
    document.update(overrides)
    path = tmp_path / "fake.toml"
    path.write_text(dumps_toml(document))
    return prepare_sweep(load_sweep_config(path))


def fake_backend(sweep_dir: Path, clock: FakeClock, *, slot_count: int = 2,
                 step_s: float = 1.0) -> FakeBackend:
    config = load_sweep_config(sweep_dir / "sweep.toml")
    return FakeBackend(config, clock, slot_count=slot_count, steps_per_epoch=TOTAL_STEPS, step_s=step_s)


def supervisor_on(sweep_dir: Path, backend: FakeBackend, clock: FakeClock) -> Supervisor:
    return Supervisor(sweep_dir, backend=backend, clock=clock, poll_s=0.5)


def step_until(supervisor: Supervisor, done: Any, *, what: str) -> None:
    """Step (and sleep on the fake clock) until ``done()``; fail after STEP_LIMIT steps."""
    for _ in range(STEP_LIMIT):
        if done():
            return
        supervisor.step()
        supervisor.clock.sleep(supervisor.poll_s)
    pytest.fail(f"not reached within {STEP_LIMIT} steps: {what}")


def statuses(supervisor: Supervisor) -> dict[str, str]:
    return {trial: state.status for trial, state in supervisor.states().items()}


def events_of(sweep_dir: Path, trial: str) -> list[dict[str, Any]]:
    path = sweep_dir / "trials" / trial / "events.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


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
    sweep_dir = make_sweep(tmp_path, wi_seeds="1-3", do_seeds="1-3",
                           policy={"rule": "tfp", "tfp": {"t": 6, "f": 0.5, "p": 2}})
    backend = fake_backend(sweep_dir, clock, slot_count=2)
    supervisor = supervisor_on(sweep_dir, backend, clock)
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
    sweep_dir = make_sweep(tmp_path, wi_seeds="1-3", do_seeds="1-3",
                           policy={"rule": "tfp", "tfp": {"t": 6, "f": 0.5, "p": 2}})
    backend = fake_backend(sweep_dir, clock)
    supervisor = supervisor_on(sweep_dir, backend, clock)
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


def test_a_restart_in_the_middle_of_tfp_keeps_the_cohort_and_decides_once(tmp_path: Path,
                                                                           clock: FakeClock) -> None:
    sweep_dir = make_sweep(tmp_path, wi_seeds="1-3", do_seeds="1-3",
                           policy={"rule": "tfp", "tfp": {"t": 6, "f": 0.5, "p": 2}})
    backend = fake_backend(sweep_dir, clock)
    first = supervisor_on(sweep_dir, backend, clock)
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
    sweep_dir = make_sweep(tmp_path, wi_seeds="1-3", do_seeds="1-3",
                           policy={"rule": "tfp", "tfp": {"t": 6, "f": 0.5, "p": 2}})
    backend = fake_backend(sweep_dir, clock)
    first = supervisor_on(sweep_dir, backend, clock)
    step_until(first, lambda: "suspended" in statuses(first).values(), what="a trial to suspend")
    waiting = next(t for t, status in statuses(first).items() if status == "suspended")
    # a decision logged by a supervisor that died before it acted on it
    first.record_decision(Decision(rule="tfp", trial=waiting, action="stop", rung=0.5, score=None,
                                   threshold=None, rank=None, of=6, reason="decided before the crash"))
    second = supervisor_on(sweep_dir, backend, clock)
    state = second.states()[waiting]
    assert (state.status, state.stopped_by) == ("stopped", "tfp")
    assert state.end_reason == "decided before the crash"


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
    assert statuses(supervisor) == {"wi1-do1": "stopped", "wi1-do2": "stopped", "wi2-do1": "queued",
                                    "wi2-do2": "queued"}
    assert len(backend.launches) == 2


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


def test_a_trainer_that_rejects_its_input_stops_the_launching(tmp_path: Path, clock: FakeClock) -> None:
    sweep_dir = make_sweep(tmp_path)
    backend = fake_backend(sweep_dir, clock, slot_count=1)
    backend.bad_input.add("wi1-do1")
    supervisor = supervisor_on(sweep_dir, backend, clock)
    assert supervisor.run() == 1
    assert [r.trial_id for r in backend.launches] == ["wi1-do1"]
    assert supervisor.states()["wi1-do1"].status == "failed"
    assert "exited with code 2" in supervisor.states()["wi1-do1"].end_reason


def test_bad_commands_are_rejected_never_fatal_and_never_read_twice(tmp_path: Path, clock: FakeClock) -> None:
    sweep_dir = make_sweep(tmp_path, wi_seeds="1-3", do_seeds="1-3")
    backend = fake_backend(sweep_dir, clock, slot_count=2)
    supervisor = supervisor_on(sweep_dir, backend, clock)
    supervisor.step()
    # lines a client that skipped the rules (or a person) could write: NaN, 1e999, nonsense
    with open(sweep_dir / CONTROL_FILE, "a") as handle:
        handle.write('{"t": 1, "id": "nan", "action": "kill_diverged", "args": {"min_fraction": NaN}}\n')
        handle.write('{"t": 1, "id": "huge", "action": "apply_tfp", "args": {"t": 1e999, "f": 0.5, "p": 2}}'
                     '\n')
        handle.write('{"t": 1, "id": "odd", "action": "explode"}\n')
        handle.write('not json at all\n')
    too_many = send_command(sweep_dir, "apply_tfp", t=12, f=0.5, p=2)  # valid alone; the grid has 9
    supervisor.step()
    replies = {r.id: r for r in read_replies(sweep_dir)[0]}
    assert replies["nan"].outcome == "rejected"
    assert "min_fraction must be a finite number" in replies["nan"].reason
    assert replies["huge"].outcome == "rejected" and "t must be a whole number" in replies["huge"].reason
    assert replies["odd"].text.startswith("rejected: unknown action 'explode'")
    assert replies[too_many.id].outcome == "rejected" and "9" in replies[too_many.id].reason
    supervisor.write_state(force=True)
    state = read_state(sweep_dir)
    assert state is not None and state["control_offset"] == (sweep_dir / CONTROL_FILE).stat().st_size
    assert supervisor.run() == 0  # the sweep went on as if nothing had been sent
    assert len(read_replies(sweep_dir)[0]) == 4  # each answered once


def test_commands_reach_the_supervisor_after_control_jsonl_was_deleted(tmp_path: Path,
                                                                        clock: FakeClock) -> None:
    sweep_dir = make_sweep(tmp_path)
    supervisor = supervisor_on(sweep_dir, fake_backend(sweep_dir, clock, slot_count=2), clock)
    for action in ("pause", "resume", "pause"):
        send_command(sweep_dir, action)
    supervisor.step()
    assert supervisor.paused
    (sweep_dir / CONTROL_FILE).unlink()  # deleted (or truncated) while the supervisor runs
    resume = send_command(sweep_dir, "resume")  # a new, shorter file than the saved offset
    supervisor.step()
    answer = wait_for_reply(sweep_dir, resume.id, limit_s=0)
    assert answer is not None and answer.text == "done" and not supervisor.paused


def test_control_lines_keep_command_parameters_apart_from_the_timestamp(tmp_path: Path) -> None:
    command = send_command(tmp_path, "apply_tfp", t=6, f=0.5, p=2)
    record = json.loads((tmp_path / CONTROL_FILE).read_text())
    assert record["t"] != 6 and record["t"] == command.t and record["t"] > 1e9  # the record's own time
    assert record["args"] == {"t": 6, "f": 0.5, "p": 2}
    # a line written before the fix: apply_tfp's t stood where the timestamp belongs
    with open(tmp_path / CONTROL_FILE, "a") as handle:
        handle.write('{"t": 6, "id": "old", "action": "apply_tfp", "f": 0.5, "p": 2}\n')
        handle.write('{"t": 1700000000.5, "id": "old2", "action": "kill", "trial": "wi1-do1", "by": "user"}'
                     '\n')
    from seedtui.log.control import read_commands

    commands = read_commands(tmp_path, 0)[0]
    assert [(c.action, c.args, c.t) for c in commands] == [
        ("apply_tfp", {"t": 6, "f": 0.5, "p": 2}, command.t),
        ("apply_tfp", {"t": 6, "f": 0.5, "p": 2}, None),
        ("kill", {"trial": "wi1-do1", "by": "user"}, 1700000000.5),
    ]


def test_ctl_and_kill_print_the_supervisors_answer(tmp_path: Path, clock: FakeClock) -> None:
    sweep_dir = make_sweep(tmp_path, wi_seeds="1-3", do_seeds="1-3")
    supervisor = supervisor_on(sweep_dir, fake_backend(sweep_dir, clock, slot_count=2), clock)
    supervisor.step()

    def pretend_remote() -> None:
        # the CLI sends only to a live supervisor; this one lives in the test process, so its state
        # file says it runs on another host (alive by its heartbeat); the fake clock stands still, so
        # the supervisor rewrites it only when a command makes it (resume, below, comes last)
        state = read_state(sweep_dir)
        assert state is not None
        elsewhere = socket.gethostname() + "-elsewhere"
        write_state(sweep_dir, {**state, "host": elsewhere, "heartbeat": time.time()})

    pretend_remote()
    runner = CliRunner()
    stop = threading.Event()

    def supervise() -> None:
        while not stop.is_set():
            supervisor.step()
            stop.wait(0.02)

    thread = threading.Thread(target=supervise)
    thread.start()
    try:
        rejected = runner.invoke(app, ["ctl", str(sweep_dir), "apply-tfp", "--t", "12", "--f", "0.5",
                                       "--p", "2"])
        unknown = runner.invoke(app, ["kill", str(sweep_dir), "wi7-do7"])
        done = runner.invoke(app, ["ctl", str(sweep_dir), "resume"])
    finally:
        stop.set()
        thread.join()
    assert rejected.exit_code == 1 and "rejected: " in rejected.output and "9" in rejected.output
    assert unknown.exit_code == 1 and "rejected: wi7-do7 is not a trial of this sweep" in unknown.output
    assert done.exit_code == 0 and done.output.splitlines()[-1] == "done"  # (after the supervisor's log)

    pretend_remote()  # and now nobody steps it
    quiet = runner.invoke(app, ["ctl", str(sweep_dir), "pause", "--wait", "0.3"])
    assert quiet.exit_code == 0 and "sent (no supervisor answered within 0.3 s)" in quiet.output
    no_wait = runner.invoke(app, ["ctl", str(sweep_dir), "pause", "--no-wait"])
    assert no_wait.exit_code == 0 and no_wait.output.startswith("sent pause")
    bad = runner.invoke(app, ["ctl", str(sweep_dir), "kill-diverged", "--min-fraction", "nan"])
    assert bad.exit_code == 2 and "min_fraction must be a finite number" in bad.output
