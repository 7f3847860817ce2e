"""``SWEEP_DIR/supervisor.json``: the supervisor's state and heartbeat, rewritten atomically.

Clients (the TUI, ``seedtui status``, the headless front end, a restarted supervisor) learn from it
whether a supervisor runs, where, on which backend and nodes, what it planned and where it stopped
reading ``control.jsonl``. The supervisor writes it whole through ``write_state``, which refuses a
state that breaks the schema below or has a field it lacks; readers are tolerant (unknown and
missing fields are theirs to default), so ``read_state`` returns any JSON object and None for no
file or a broken one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from seedtui.log.atomic_file import write_text_atomically
from seedtui.log.files import SUPERVISOR_STATE_FILE
from seedtui.log.schema import NUMBER, FieldTypes, field_problems

STATE_FILE = SUPERVISOR_STATE_FILE
STATES = ("running", "finished", "stopped")
BACKENDS = ("local", "ray", "fake")

REQUIRED_FIELDS: FieldTypes = {
    "pid": (int,), "host": (str,), "started": NUMBER, "heartbeat": NUMBER, "state": (str,),
}
OPTIONAL_FIELDS: FieldTypes = {
    "paused": (bool,), "stopping": (bool,), "exit_code": (int, type(None)), "control_offset": (int,),
    "policy_override": (dict, type(None)), "planned": (list,), "grid_size": (int,), "slots": (list,),
    "running": (dict,), "backend": (str,), "nodes": (dict,),
}


class SupervisorStateError(ValueError):
    """A state that breaks the schema (raised by ``write_state``, never by ``read_state``)."""


def validate_supervisor_state(state: Any, *, writing: bool = False) -> list[str]:
    """Problems with one decoded ``supervisor.json`` (empty when valid). Unknown fields are valid,
    except when ``writing``."""
    if not isinstance(state, dict):
        return [f"supervisor.json must hold a JSON object, not {type(state).__name__}"]
    problems = field_problems(STATE_FILE, state, REQUIRED_FIELDS, OPTIONAL_FIELDS, only_known=writing)
    if isinstance(state.get("state"), str) and state["state"] not in STATES:
        problems.append(f"supervisor.json: state {state['state']!r} is not one of {', '.join(STATES)}")
    if isinstance(state.get("backend"), str) and state["backend"] not in BACKENDS:
        problems.append(f"supervisor.json: backend {state['backend']!r} is not one of {', '.join(BACKENDS)}")
    return problems


def read_state(sweep_dir: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The supervisor's last written state, or None when there is none (or it is not an object)."""
    try:
        state = json.loads((Path(sweep_dir) / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def write_state(sweep_dir: str | os.PathLike[str], state: dict[str, Any]) -> None:
    """Replace ``supervisor.json`` atomically; raises SupervisorStateError for an invalid state."""
    problems = validate_supervisor_state(state, writing=True)
    if problems:
        raise SupervisorStateError("; ".join(problems))
    write_text_atomically(Path(sweep_dir) / STATE_FILE, json.dumps(state, indent=1))
