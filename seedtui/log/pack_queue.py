"""The files between the engine and a multi-trial worker (``python -m trainers.pack PACK_DIR``).

A worker owns one directory, ``SWEEP_DIR/packs/<slot>-<n>/``:

- ``queue.jsonl``: what the engine asks of it, one JSON object a line, appended under ``queue.lock``:
  ``{"op": "run", "trial", "trial_dir", "argv", "launch"}`` (train this trial: ``argv`` are the flags of
  ``python -m trainers.finetune``; ``launch`` is the launch time that ``launch.json`` records too),
  ``{"op": "stop", "trial", "launch"}`` (end it ``stopped`` after its current step, as SIGTERM does
  to a trial alone), ``{"op": "kill", "trial", "launch"}`` (drop it at once, writing nothing, as
  SIGKILL does).
- ``closed``: written, under the same lock, by a worker that takes no more work (idle, or stopping);
  the engine then starts a new worker for the next trial. The lock makes "submit" and "close when
  idle" exclusive, so no trial is ever queued to a worker that has already decided to exit.
- ``done.jsonl``: ``{"trial", "launch", "exit_code", "t"}`` appended by the worker once a trial has
  left the pack (its ``end`` written, or dropped): the trial's "process exit" for the engine.
- ``worker.log``: the worker's own stderr (each trial's stderr goes to its ``stderr.log``).

The worker reads the queue between optimizer steps. Here, in the log contract, because both sides
read it: the engine (``seedtui.core.engine.pack_launcher``) and the trainer (``trainers.pack``), which
imports nothing else of seedtui but the log and the policy. Imports neither torch nor Textual.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from seedtui.log.jsonl import JsonlTail, append_record, file_size

PACKS_DIR = "packs"
QUEUE_FILE = "queue.jsonl"
LOCK_FILE = "queue.lock"
CLOSED_FILE = "closed"
DONE_FILE = "done.jsonl"
WORKER_LOG_FILE = "worker.log"
WORKER_MODULE = "trainers.pack"


@contextmanager
def _queue_lock(pack_dir: Path) -> Iterator[None]:
    fd = os.open(Path(pack_dir) / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def submit(pack_dir: Path, record: dict[str, Any]) -> bool:
    """Queue ``record`` for the worker of ``pack_dir``; False when that worker takes no more work."""
    with _queue_lock(pack_dir):
        if (Path(pack_dir) / CLOSED_FILE).exists():
            return False
        append_record(Path(pack_dir) / QUEUE_FILE, record)
        return True


def is_closed(pack_dir: Path) -> bool:
    return (Path(pack_dir) / CLOSED_FILE).exists()


def close(pack_dir: Path, *, unless_beyond: int | None = None) -> bool:
    """Take no more work. With ``unless_beyond`` (the queue offset the worker has read to), only when
    nothing was queued after it: False, and still open, when there is new work to take."""
    with _queue_lock(pack_dir):
        if unless_beyond is not None and file_size(Path(pack_dir) / QUEUE_FILE) > unless_beyond:
            return False
        (Path(pack_dir) / CLOSED_FILE).write_text(f"{time.time()}\n")
        return True


def queue_tail(pack_dir: Path) -> JsonlTail:
    return JsonlTail(Path(pack_dir) / QUEUE_FILE)


def record_done(pack_dir: Path, trial: str, launch: float, exit_code: int) -> None:
    append_record(Path(pack_dir) / DONE_FILE, {"trial": trial, "launch": launch, "exit_code": exit_code,
                                         "t": time.time()})


class DoneRecords:
    """The trials that have left one worker, read incrementally: (trial, launch) -> exit code."""

    def __init__(self, pack_dir: Path) -> None:
        self._tail = JsonlTail(Path(pack_dir) / DONE_FILE)
        self.codes: dict[tuple[str, float], int] = {}

    def poll(self) -> dict[tuple[str, float], int]:
        for record in self._tail.poll():
            try:
                self.codes[(str(record["trial"]), float(record["launch"]))] = int(record["exit_code"])
            except (KeyError, TypeError, ValueError):
                continue  # not a record of ours: ignore it, as every reader of the sweep's files does
        return self.codes
