"""A clock for tests: time stands still until someone sleeps, then jumps by exactly that much."""

from __future__ import annotations


class FakeClock:
    """Satisfies ``seedtui.core.engine.clock.Clock``; a supervisor's ``sleep(poll_s)`` on it returns
    at once, ``poll_s`` later in fake time (a ``FakeBackend``'s trainers catch up when polled)."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
