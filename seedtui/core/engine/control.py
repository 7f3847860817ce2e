"""Talking to a sweep's supervisor through its directory.

Clients (the TUI, ``seedtui ctl``, the headless front end) append commands to
``SWEEP_DIR/control.jsonl``; the supervisor reads them from its saved offset and reports its own
state in ``SWEEP_DIR/supervisor.json``. Nothing here needs the supervisor to be on this machine.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedtui.log.atomic_file import write_text_atomically
from seedtui.core.engine.procs import command_line, pid_running

CONTROL_FILE = "control.jsonl"
STATE_FILE = "supervisor.json"
SUPERVISOR_MODULE = "seedtui.core.engine.supervisor"
ACTIONS = ("kill", "kill_diverged", "apply_tfp", "pause", "resume", "stop_sweep")
# a supervisor on another host counts as alive while its heartbeat is this fresh
HEARTBEAT_STALE_S = 30.0


class ControlError(ValueError):
    """A command that the supervisor could not understand."""


def send_command(sweep_dir: Path, action: str, **args: Any) -> dict[str, Any]:
    """Append one command to ``control.jsonl`` and return it (with its ``t`` and ``id``).

    Actions: ``kill`` {trial, by="user", reason}, ``kill_diverged`` {}, ``apply_tfp`` {t, f, p},
    ``pause`` {}, ``resume`` {}, ``stop_sweep`` {}."""
    if action not in ACTIONS:
        raise ControlError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
    if action == "kill":
        if not isinstance(args.get("trial"), str):
            raise ControlError("kill needs trial=<trial id>")
        args.setdefault("by", "user")
    if action == "apply_tfp" and not all(k in args for k in ("t", "f", "p")):
        raise ControlError("apply_tfp needs t, f and p")
    command = {"t": time.time(), "id": uuid.uuid4().hex[:12], "action": action, **args}
    # one write of one line to a file opened for appending: concurrent clients do not interleave
    line = (json.dumps(command) + "\n").encode("utf-8")
    fd = os.open(Path(sweep_dir) / CONTROL_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    return command


def read_commands(sweep_dir: Path, offset: int) -> tuple[list[dict[str, Any]], int]:
    """Commands appended after byte ``offset`` and the offset to continue from. A line still
    being written is left for the next read; garbage lines are skipped."""
    try:
        with open(Path(sweep_dir) / CONTROL_FILE, "rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except FileNotFoundError:
        return [], offset
    complete = data[: data.rfind(b"\n") + 1]
    commands = []
    for line in complete.splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and isinstance(obj.get("action"), str):
            commands.append(obj)
    return commands, offset + len(complete)


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


def read_state(sweep_dir: Path) -> dict[str, Any] | None:
    try:
        state = json.loads((Path(sweep_dir) / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def write_state(sweep_dir: Path, state: dict[str, Any]) -> None:
    path = Path(sweep_dir) / STATE_FILE
    write_text_atomically(path, json.dumps(state, indent=1))


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
    if not pid_running(pid):
        return False
    line = command_line(pid)
    return line is None or SUPERVISOR_MODULE in line


def __getattr__(name: str) -> Any:
    # launch_detached lives with the supervisor; re-exported here for clients
    if name == "launch_detached":
        from seedtui.core.engine.detach import launch_detached

        return launch_detached
    raise AttributeError(name)
