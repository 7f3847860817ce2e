"""Fixtures for the state tests: pids of processes that are gone, and trial logs of promoted trials."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from seedtui.log import EventWriter, trial_id
from seedtui.testing.trial_log import start_fields


@pytest.fixture(scope="session")
def dead_pid() -> int:
    """A pid no process holds: a child that has exited and been reaped."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def write_promoted(sweep: Path, wi: int, do: int, *, start_pid: int, resume_pid: int,
                   host: str | None = None) -> Path:
    """A t/f/p-promoted trial still in its second phase: start, evals, suspended, then resumed by a
    new process (``resume_pid``) with one more eval and no end yet."""
    host = host or socket.gethostname()
    path = sweep / "trials" / trial_id(wi, do) / "events.jsonl"
    with EventWriter(path) as writer:
        writer.write("start", t=0.0, **start_fields(wi, do, pid=start_pid, host=host))
        writer.write("eval", t=10.0, step=10, epoch=1.0, metrics={"acc": 0.6}, score=0.6)
        writer.write("end", t=11.0, status="suspended", step=10, reason="tfp: milestone", by="tfp")
        writer.write("resume", t=20.0, step=10, pid=resume_pid, host=host, device="cpu")
        writer.write("eval", t=30.0, step=20, epoch=2.0, metrics={"acc": 0.7}, score=0.7)
    return path
