"""Whatever a client (or a person with an editor) appends to control.jsonl, the supervisor answers
each command exactly once, rejects what breaks the rules, never raises, and reads past every line."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seedtui.core.engine.supervisor import Supervisor
from seedtui.log.control import ACTIONS, CONTROL_FILE, command_from_record, command_problems, read_replies
from seedtui.testing.clock import FakeClock

from .inprocess import fake_backend, make_sweep

JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**400), max_value=10**400), st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(["wi1-do1", "wi9-do9", "wi2-do2"]),
)
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=3), max_leaves=5)
ARG_NAMES = st.sampled_from(["trial", "by", "reason", "min_fraction", "t", "f", "p", "k", "x"])
COMMANDS = st.fixed_dictionaries(
    {"action": st.one_of(st.sampled_from(ACTIONS), st.text(max_size=8)),
     "args": st.dictionaries(ARG_NAMES, JSON_VALUES, max_size=4)},
    optional={"t": JSON_SCALARS, "old_style": st.booleans()},
)


def line_of(command: dict[str, Any], command_id: str) -> str:
    """One control.jsonl line: the current layout, or the old one (arguments beside the action)."""
    args = command["args"]
    if command.get("old_style"):
        record = {"t": command.get("t", 1.0), **args, "id": command_id, "action": command["action"]}
    else:
        record = {"t": command.get("t", 1.0), "id": command_id, "action": command["action"], "args": args}
    return json.dumps(record, allow_nan=True)


_supervisors: dict[Path, Supervisor] = {}
"""One supervisor per test directory, kept across hypothesis examples: commands pile up as in a
long sweep (a pause, an apply_tfp, a stop_sweep earlier must not break what comes after)."""


def supervisor_in(tmp_path: Path) -> Supervisor:
    if tmp_path not in _supervisors:
        sweep_dir = make_sweep(tmp_path, wi_seeds="1-2", do_seeds="1-2")
        clock = FakeClock()
        _supervisors[tmp_path] = Supervisor(sweep_dir, backend=fake_backend(sweep_dir, clock), clock=clock)
    return _supervisors[tmp_path]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(COMMANDS, min_size=1, max_size=4), garbage=st.booleans())
def test_every_command_is_answered_once_and_none_is_fatal(tmp_path: Path, batch: list[dict[str, Any]],
                                                          garbage: bool) -> None:
    supervisor = supervisor_in(tmp_path)
    sweep_dir = supervisor.sweep_dir
    ids = [uuid.uuid4().hex for _ in batch]
    lines = [line_of(command, command_id) for command, command_id in zip(batch, ids, strict=True)]
    with open(sweep_dir / CONTROL_FILE, "a") as handle:
        for line in lines:
            handle.write(line + "\n")
            if garbage:
                handle.write('{"id": "no action"}\nnot json\n')
    _, replies_before = read_replies(sweep_dir)
    supervisor.step()
    supervisor.step()
    replies = [r for r in read_replies(sweep_dir, replies_before)[0] if r.id in ids]
    assert sorted(r.id for r in replies) == sorted(ids)  # each answered, once
    for line, command_id in zip(lines, ids, strict=True):
        command = command_from_record(json.loads(line))
        assert command is not None
        reply = next(r for r in replies if r.id == command_id)
        if command_problems(command.action, command.args):
            assert reply.outcome == "rejected" and reply.reason
    assert supervisor.commands.offset == (sweep_dir / CONTROL_FILE).stat().st_size
