"""The one liveness rule: is the process that runs a trial still there?

A trial's process is named by its latest ``start`` or ``resume`` event (``TrialState.process``): a
promoted trial is suspended by one process and continued by another, so the ``start`` event's pid is
the wrong one for its whole second phase. Liveness can only be decided on the host that runs the
process; for other hosts (Ray nodes, another machine) the answer is "unknown" and the log is
trusted. The live TUI, headless mode, ``seedtui status``, ``load_trials`` and the follower all settle
orphaned trials through ``settle_orphan``.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from seedtui.state.trial import TrialState

ORPHAN_REASON = "the trainer process is gone and its log has no end event"


def process_alive(pid: int) -> bool:
    """Whether ``pid`` is a live process on this machine (zombies count as gone): the one pid
    check, for trials here and for the engine's own processes."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # OverflowError: beyond pid_t, no process has it
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no procfs (macOS): trust kill(0)
    # the state letter follows the parenthesised command name, which may itself hold spaces
    state = stat[stat.rfind(")") + 2: stat.rfind(")") + 3]
    return state not in ("Z", "X")


def trial_process_alive(state: TrialState, *, this_host: str | None = None) -> bool | None:
    """Whether the latest process of ``state`` is alive: None when this host cannot tell (no
    process record yet, no pid, or the process runs on another host)."""
    record = state.process
    if record is None or record.pid is None:
        return None
    host = this_host if this_host is not None else socket.gethostname()
    if record.host != host:
        return None
    return process_alive(record.pid)


def settle_orphan(state: TrialState, *, this_host: str | None = None) -> TrialState:
    """Mark a running trial ``failed`` when its log has no end and its latest process is gone.

    Only decidable for trials whose latest process ran on this host; others are left as they are.
    """
    if state.status != "running":
        return state
    if trial_process_alive(state, this_host=this_host) is False:
        mark_orphaned(state)
    return state


def mark_orphaned(state: TrialState) -> None:
    """What a trial whose process is gone becomes: ``failed``, saying why."""
    state.status = "failed"
    state.end_reason = ORPHAN_REASON
