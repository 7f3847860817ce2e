"""The supervisor's clock: where its loop reads the time and how it waits.

Injected, so tests drive a supervisor with a ``seedtui.testing.clock.FakeClock`` whose ``sleep``
moves time forward at once (and a fake backend's trials with it): the loop runs in-process, fast
and deterministic, with the same code that runs a real sweep.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def time(self) -> float:
        """Seconds since the epoch (Unix time)."""
        ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real one."""

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


SYSTEM_CLOCK = SystemClock()
