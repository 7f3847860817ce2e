"""Commands get answers: the supervisor rejects what it cannot carry out (bad arguments, unknown
trials, more trials than the grid) without crashing, ``seedtui ctl``/``kill`` print the answer, and
control.jsonl keeps command parameters apart from its own timestamp. In-process, on the fake backend."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seedtui.cli import app
from seedtui.core.engine.control import read_state, send_command, write_state
from seedtui.log.control import CONTROL_FILE, read_replies, wait_for_reply
from seedtui.testing.clock import FakeClock

from .inprocess import fake_backend, make_sweep, supervisor_on


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
    assert bad.exit_code == 2 and "--min-fraction must be a finite number" in bad.output


def test_a_command_that_trips_a_bug_is_rejected_and_the_sweep_goes_on(
        tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    sweep_dir = make_sweep(tmp_path, wi_seeds="1-3", do_seeds="1-3")
    supervisor = supervisor_on(sweep_dir, fake_backend(sweep_dir, clock), clock)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in the t/f/p rule")

    monkeypatch.setattr("seedtui.core.engine.supervisor_commands.validate_tfp", broken)  # fault injection
    command = send_command(sweep_dir, "apply_tfp", t=4, f=0.5, p=1)
    supervisor.step()
    answer = wait_for_reply(sweep_dir, command.id, limit_s=0)
    assert answer is not None and answer.outcome == "rejected" and "a bug in the t/f/p rule" in answer.reason
    assert supervisor.run() == 0
