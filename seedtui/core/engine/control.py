"""Talking to a sweep's supervisor through its directory.

Clients (the TUI, ``seedtui ctl``, the headless front end) append commands to
``SWEEP_DIR/control.jsonl`` (``seedtui.log.control``: the format, its rules, replies); the
supervisor reads them from its saved offset, answers each in ``control-replies.jsonl`` and reports
its own state in ``SWEEP_DIR/supervisor.json``. Nothing here needs the supervisor on this machine.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedtui.core.engine.procs import command_line
from seedtui.log.control import (  # re-exported: clients send commands through this module
    ACTIONS,
    CONTROL_FILE,
    ControlCommand,
    ControlError,
    ControlReply,
    read_commands,
    read_replies,
    send_command,
    wait_for_reply,
)
from seedtui.log.supervisor_state import STATE_FILE, read_state, write_state  # re-exported
from seedtui.state.liveness import process_alive

__all__ = ["ACTIONS", "CONTROL_FILE", "ControlCommand", "ControlError", "ControlReply", "STATE_FILE",
           "SupervisorInfo", "read_commands", "read_replies", "read_state", "send_command",
           "supervisor_status", "wait_for_reply", "write_state"]

SUPERVISOR_MODULE = "seedtui.core.engine.supervisor"
# a supervisor on another host counts as alive while its heartbeat is this fresh
HEARTBEAT_STALE_S = 30.0


@dataclass(frozen=True)
class SupervisorInfo:
    pid: int
    host: str
    started: float
    alive: bool
    paused: bool
    state: str = "running"
    """``running``, ``finished`` (every planned trial ended), ``stopped`` (by stop_sweep)."""
    heartbeat: float = 0.0
    exit_code: int | None = None
    """What the headless front end exits with: 0 finished, 1 a trial failed."""


def supervisor_status(sweep_dir: Path) -> SupervisorInfo | None:
    """The supervisor's state as its state file says, or None if no supervisor ever ran here."""
    state = read_state(sweep_dir)
    if state is None or not isinstance(state.get("pid"), int):
        return None
    return SupervisorInfo(
        pid=state["pid"], host=str(state.get("host", "")), started=float(state.get("started", 0.0)),
        alive=_is_alive(state), paused=bool(state.get("paused", False)),
        state=str(state.get("state", "running")), heartbeat=float(state.get("heartbeat", 0.0)),
        exit_code=state.get("exit_code"),
    )


def _is_alive(state: dict[str, Any]) -> bool:
    if state.get("state", "running") != "running":
        return False
    if state.get("host") != socket.gethostname():
        return time.time() - float(state.get("heartbeat", 0.0)) < HEARTBEAT_STALE_S
    pid = int(state["pid"])
    if not process_alive(pid):
        return False
    line = command_line(pid)
    return line is None or SUPERVISOR_MODULE in line


def __getattr__(name: str) -> Any:
    # launch_detached lives with the supervisor; re-exported here for clients
    if name == "launch_detached":
        from seedtui.core.engine.detach import launch_detached

        return launch_detached
    raise AttributeError(name)
