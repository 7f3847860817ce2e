"""The supervisor's writes that can fail: a full disk (ENOSPC), a quota, a permission taken away.

Every file the supervisor writes (``supervisor.json``, ``decisions.jsonl``, control replies, the
``end`` events it writes for trials, stop requests, launch records, ``summary.json``) goes through
``WriteGuard.attempt``: a failure is logged in one line (once per kind of error, not once per
poll), the supervisor carries on without that write (the next heartbeat, launch or summary tries
again), and launches wait while writes fail. When nothing has been written for ``limit_s``, the
supervisor gives up cleanly: it stops the sweep (its trials suspend or are re-queued, as for
``stop_sweep``) and exits 1 with one line saying what to free. Never a traceback: what is already
on disk stays valid (every write is an append of whole lines or an atomic replace), so a later
``seedtui run`` continues.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from seedtui.core.engine.clock import Clock

T = TypeVar("T")

WRITE_FAILURE_LIMIT_S = 60.0
"""How long the supervisor keeps going while every write fails before it stops the sweep."""
LAUNCH_BACKOFF_S = 5.0
"""How long launches wait after a write failed (a launch writes a record and opens stderr)."""


def describe(error: OSError) -> str:
    """One line for a failed write: ``No space left on device: /x/decisions.jsonl``."""
    reason = error.strerror or type(error).__name__
    return f"{reason}: {error.filename}" if error.filename else reason


def end_partial_line(path: Path) -> None:
    """End a last line that a write cut short (a full disk) with a newline, so the next line appended
    is read whole (the cut one is skipped as malformed, as readers do). Called before appending to
    a JSON-lines file after a write to it failed."""
    try:
        with open(path, "rb+") as handle:
            size = handle.seek(0, os.SEEK_END)
            if size == 0:
                return
            handle.seek(size - 1)
            if handle.read(1) != b"\n":
                handle.write(b"\n")
    except FileNotFoundError:
        return


class WriteGuard:
    """Runs the supervisor's writes, remembers which kinds fail and since when, says when to give up.

    ``what`` names a kind of write (``decisions.jsonl``, ``a trial's end``); the error's file name
    says which one. A kind that fails is logged once, and once more when it works again."""

    def __init__(self, log: Callable[[str], None], clock: Clock, *,
                 limit_s: float = WRITE_FAILURE_LIMIT_S) -> None:
        self.log = log
        self.clock = clock
        self.limit_s = limit_s
        self.failing_since: dict[str, float] = {}
        """Kind of write -> supervisor-clock time of its first failure since it last worked."""
        self.last_failure: str | None = None
        """What the latest failure said (``describe``)."""
        self.launch_failed_at: float | None = None

    def attempt(self, what: str, write: Callable[[], object], *, launch: bool = False) -> bool:
        """Run ``write()``; False when it raised ``OSError`` (logged). ``launch``: it was a launch,
        and launches wait a while (``launches_wait``)."""
        def written() -> bool:
            write()
            return True

        return self.produce(what, written, launch=launch) is not None

    def produce(self, what: str, make: Callable[[], T], *, launch: bool = False) -> T | None:
        """``make()``'s result (never None itself), or None when it raised ``OSError``."""
        try:
            result = make()
        except OSError as error:
            self.failed(what, error)
            if launch:
                self.launch_failed_at = self.clock.time()
            return None
        if self.failing_since.pop(what, None) is not None:
            self.log(f"writing {what} works again")
        return result

    def failed(self, what: str, error: OSError) -> None:
        self.last_failure = describe(error)
        if what not in self.failing_since:  # one line when a kind of write starts failing, not one per poll
            self.failing_since[what] = self.clock.time()
            self.log(f"could not write {what} ({self.last_failure}); going on without it, and trying again")

    @property
    def failing(self) -> bool:
        return bool(self.failing_since)

    def launches_wait(self) -> bool:
        """Whether launching waits: a launch failed to write in the last ``LAUNCH_BACKOFF_S`` (a
        trainer started then would be killed again at once: its launch record could not be kept)."""
        failed_at = self.launch_failed_at
        return failed_at is not None and self.clock.time() - failed_at < LAUNCH_BACKOFF_S

    def failing_for(self) -> float:
        """Seconds the longest-failing kind of write has failed without working once (0: none)."""
        now = self.clock.time()
        return max((now - since for since in self.failing_since.values()), default=0.0)

    def given_up(self) -> bool:
        """Some kind of write has failed for ``limit_s`` without working once (``supervisor.json``
        is rewritten every few seconds: a disk that stays full shows there within the limit)."""
        return self.failing_for() >= self.limit_s
