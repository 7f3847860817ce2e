"""A write the supervisor cannot make (a full disk, a permission taken away) is logged in one line
and tried again, never a traceback: decisions taken meanwhile reach ``decisions.jsonl`` once it can
be written, and when nothing can be written for a minute the sweep stops cleanly, its trials
interrupted (not lost), with one line saying what to do. In-process, on the fake backend; the disk
is made full by failing the supervisor's own opens of the sweep directory's files (the thing under
test is the supervisor's handling of the error, not the disk)."""

from __future__ import annotations

import builtins
import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from seedtui.core.engine import supervisor as supervisor_module
from seedtui.log.decisions import read_decisions
from seedtui.state import SWEEP_STOP
from seedtui.testing.clock import FakeClock

from .inprocess import STEP_LIMIT, events_of, statuses, step_until, tfp_sweep

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT


@contextmanager
def disk_full(monkeypatch: pytest.MonkeyPatch, directory: Path, code: int = errno.ENOSPC) -> Iterator[None]:
    """Every open for writing of a file directly in ``directory`` fails with ``code`` (the trials'
    own directories are left alone: their trainers are other processes)."""
    real_open, real_os_open = builtins.open, os.open

    def refuses(path: Any) -> bool:
        try:
            return Path(os.fsdecode(path)).resolve().parent == directory.resolve()
        except (TypeError, ValueError):
            return False

    def fake_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(c in mode for c in "wax+") and refuses(file):
            raise OSError(code, os.strerror(code), os.fsdecode(file))
        return real_open(file, mode, *args, **kwargs)

    def fake_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & WRITE_FLAGS and refuses(path):
            raise OSError(code, os.strerror(code), os.fsdecode(path))
        return real_os_open(path, flags, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(builtins, "open", fake_open)
        patch.setattr(os, "open", fake_os_open)
        yield


def test_decisions_taken_while_the_disk_is_full_are_written_once_it_is_not(
        tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    sweep_dir, backend, supervisor = tfp_sweep(tmp_path, clock)
    supervisor.write_state(force=True)
    # full from before the cohort reaches its milestone until well after the t/f/p decision
    step_until(supervisor, lambda: list(statuses(supervisor).values()).count("suspended") >= 1,
               what="a cohort trial at its milestone")
    with disk_full(monkeypatch, sweep_dir):
        step_until(supervisor, lambda: len(supervisor.unwritten_decisions) == 6 and supervisor.promoted,
                   what="the decision, taken with the disk full")
        for _ in range(10):
            supervisor.step()
            clock.sleep(supervisor.poll_s)
        assert read_decisions(sweep_dir) == []
    with open(sweep_dir / "decisions.jsonl", "ab") as cut:  # what a write cut short by ENOSPC leaves
        cut.write(b'{"rule": "tfp", "trial": "wi1-')
    assert supervisor.run() == 0
    assert len(read_decisions(sweep_dir)) == 6  # written in order once it could be
    assert sorted(statuses(supervisor).values()) == ["completed"] * 2 + ["stopped"] * 4
    output = capsys.readouterr()
    assert "Traceback" not in output.out + output.err
    failures = [line for line in output.out.splitlines() if "could not write decisions.jsonl" in line]
    assert len(failures) == 1 and "No space left on device" in failures[0]  # one line, not one per poll
    assert "writing decisions.jsonl works again" in output.out


def test_a_sweep_that_cannot_write_for_a_minute_stops_cleanly(
        tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    sweep_dir, backend, supervisor = tfp_sweep(tmp_path, clock)
    step_until(supervisor, lambda: len(supervisor.running) == 2, what="two trials running")
    supervisor.writes.limit_s = 3.0  # a minute by default; these fake trials are shorter than that
    with disk_full(monkeypatch, sweep_dir, errno.EACCES):
        assert supervisor.run() == 1
    output = capsys.readouterr()
    assert "Traceback" not in output.out + output.err
    last = output.out.splitlines()[-1]
    assert "nothing could be written to" in last and "Permission denied" in last and "seedtui run" in last
    # its trials were interrupted, not lost: they continue on the next run
    assert sorted(statuses(supervisor).values()).count("suspended") == 2
    for trial, state in supervisor.states().items():
        if state.status == "suspended":
            assert state.stopped_by == SWEEP_STOP
            assert events_of(sweep_dir, trial)[-1]["by"] == SWEEP_STOP
    assert supervisor.clock.time() < FakeClock().time() + STEP_LIMIT  # it ended; it did not spin


def test_a_launch_that_cannot_be_written_waits_and_leaks_no_slot(
        tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    sweep_dir, backend, supervisor = tfp_sweep(tmp_path, clock)

    def launch_fails(request: Any) -> Any:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(request.directory / "stderr.log"))

    real_launch = backend.launch
    monkeypatch.setattr(backend, "launch", launch_fails)
    for _ in range(6):
        supervisor.step()
        clock.sleep(supervisor.poll_s)
    assert supervisor.running == {} and supervisor.pool.free_count == 2
    monkeypatch.setattr(backend, "launch", real_launch)
    assert supervisor.run() == 0
    assert sorted(statuses(supervisor).values()) == ["completed"] * 2 + ["stopped"] * 4


def test_the_supervisor_process_says_in_one_line_that_it_cannot_write(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    sweep_dir, _backend, _supervisor = tfp_sweep(tmp_path, FakeClock())
    with disk_full(monkeypatch, sweep_dir, errno.EROFS):
        assert supervisor_module.main([str(sweep_dir)]) == 1
    output = capsys.readouterr()
    assert output.out.strip().count("\n") == 0 and "cannot start the supervisor" in output.out
    assert "Read-only file system" in output.out and "Traceback" not in output.out + output.err



def test_a_supervisor_whose_every_step_fails_stops_the_sweep_and_ends(
        tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    sweep_dir, backend, supervisor = tfp_sweep(tmp_path, clock)
    step_until(supervisor, lambda: len(supervisor.running) == 2, what="two trials running")
    supervisor.writes.limit_s = 3.0

    def unreadable(_handles: Any) -> dict[str, int]:  # the disk under the sweep fails (EIO)
        raise OSError(errno.EIO, os.strerror(errno.EIO), str(sweep_dir / "trials"))

    monkeypatch.setattr(backend, "poll", unreadable)
    real_sleep, sleeps = clock.sleep, [0]

    def bounded_sleep(seconds: float) -> None:
        sleeps[0] += 1
        if sleeps[0] > STEP_LIMIT:
            pytest.fail("the supervisor did not end")
        real_sleep(seconds)

    monkeypatch.setattr(clock, "sleep", bounded_sleep)
    assert supervisor.run() == 1
    output = capsys.readouterr().out
    assert "Input/output error" in output and "Traceback" not in output
    assert "nothing could be written to" in output.splitlines()[-1]
