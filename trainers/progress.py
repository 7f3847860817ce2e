"""What a trial run by hand is doing, on stderr: the setup steps, a line per evaluation and a
step/loss line every few seconds.

Without it a trainer started by hand is silent for the half minute that importing torch, loading the
model and tokenizing take. It speaks only when stderr is a terminal or ``--progress`` is given, so
the ``stderr.log`` the engine keeps for each trial still holds only warnings and errors. Imports
neither torch nor transformers: it must speak before they load.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

STEP_LINE_INTERVAL_S = 5.0
"""At most one step/loss line per this many seconds (every eval gets its own line)."""


class Progress:
    """Progress lines of one trial, or nothing when disabled."""

    def __init__(self, enabled: bool, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 step_interval_s: float = STEP_LINE_INTERVAL_S) -> None:
        self.enabled = enabled
        self._stream = stream
        self._clock = clock
        self._step_interval_s = step_interval_s
        self._last_step_line: float | None = None

    @classmethod
    def for_run(cls, requested: bool) -> Progress:
        """Enabled by ``--progress``, or when a person is watching stderr (a terminal)."""
        return cls(requested or sys.stderr.isatty())

    @classmethod
    def disabled(cls) -> Progress:
        return cls(False)

    def say(self, message: str) -> None:
        """One line about what the trial is doing now."""
        if self.enabled:
            stream = self._stream or sys.stderr  # looked up late: tests and shells replace sys.stderr
            stream.write(f"[trainer] {message}\n")
            stream.flush()

    def step(self, step: int, total_steps: int, loss: float) -> None:
        """A step/loss line, at most one per ``step_interval_s`` (the first step always has one)."""
        if not self.enabled:
            return
        now = self._clock()
        if self._last_step_line is not None and now - self._last_step_line < self._step_interval_s:
            return
        self._last_step_line = now
        self.say(f"step {step}/{total_steps}  loss {loss:.4f}")

    def evaluation(self, step: int, total_steps: int, number: int, evals: int, metric: str, score: float,
                   best_score: float) -> None:
        """A line per evaluation: its place in the schedule, its score and the best so far."""
        self.say(f"eval {number}/{evals} at step {step}/{total_steps}: {metric} {score:.4f} "
                 f"(best {best_score:.4f})")
