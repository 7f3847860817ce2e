"""Stopping a running trial: SIGTERM/SIGINT set a flag the loop checks between steps.

A supervisor (the sweep engine, a policy, a person in the TUI) that wants to say why it stops a trial
writes ``TRIAL_DIR/stop_request.json`` (``{"by": "user"|"tfp"|"asha"|"divergence"|"sweep", "reason":
"..."}``) before it signals; the trainer copies both into its ``end`` event. ``by: "sweep"`` (the whole
sweep is being stopped: ``suspends_on_stop``) makes the trainer checkpoint and end ``suspended``, so
the sweep's next run continues the trial instead of losing it.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from seedtui.log.launch_records import SWEEP_STOP, read_stop_request

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@dataclass
class StopFlag:
    signal_name: str | None = None
    """Name of the first stop signal received, or None."""

    @property
    def requested(self) -> bool:
        return self.signal_name is not None


@contextmanager
def stop_on_signals(flag: StopFlag) -> Iterator[StopFlag]:
    """Turn SIGTERM and SIGINT into ``flag`` for the duration; the previous handlers come back after."""

    def handle(signum: int, _frame: FrameType | None) -> None:
        if flag.signal_name is None:
            flag.signal_name = signal.Signals(signum).name

    previous = {sig: signal.signal(sig, handle) for sig in STOP_SIGNALS}
    try:
        yield flag
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def suspends_on_stop(by: str) -> bool:
    """Whether a stop by ``by`` suspends the trial (checkpoint, end ``suspended``) rather than ends it:
    only the sweep's own stop does (``SWEEP_STOP``); a person or a policy that stops a trial means it
    to stay stopped."""
    return by == SWEEP_STOP


def stop_details(trial_dir: str | Path, flag: StopFlag) -> tuple[str, str]:
    """(by, reason) for a ``stopped`` end: from the supervisor's stop request when there is one."""
    by, reason = "signal", f"received {flag.signal_name or 'a stop signal'}"
    request = read_stop_request(trial_dir)
    if request is not None:
        by = str(request.get("by") or by)
        reason = str(request.get("reason") or f"stopped by {by} ({reason})")
    return by, reason
