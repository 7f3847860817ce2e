"""The control channel of a sweep directory: commands clients append, replies the supervisor appends.

``control.jsonl`` (``CONTROL_FILE``): one command a line,
``{"t": <Unix time>, "id": <hex>, "action": <name>, "args": {...}}``. The command's parameters live
under ``args`` so none of them can collide with the record's own fields (an ``apply_tfp`` used to
write its ``t`` over the record's timestamp ``t``). Lines written before ``args`` existed
(parameters beside ``action``) are still read.

``control-replies.jsonl`` (``CONTROL_REPLIES_FILE``): one reply a line,
``{"t", "id", "action", "outcome", "reason"}`` with ``outcome`` ``done`` or ``rejected``, so the
client that sent a command learns whether the supervisor carried it out, and why not.

``command_problems`` is the one set of rules a command must follow: the client checks it before it
writes, the supervisor again when it reads (a line may have been written by hand or by an older
client), and rejects what fails instead of crashing on it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedtui.log.events import is_finite_number
from seedtui.log.files import CONTROL_FILE, CONTROL_REPLIES_FILE, parse_trial_id
from seedtui.log.jsonl import JsonlTail, append_record, read_jsonl

ACTIONS = ("kill", "kill_diverged", "apply_tfp", "pause", "resume", "stop_sweep")
OUTCOMES = ("done", "rejected")
_ArgCheck = Callable[[Any], "str | None"]
"""Checks one argument: the problem with it, or None."""


class ControlError(ValueError):
    """A command that breaks the rules of ``command_problems`` (raised by ``send_command``)."""


def _shown(value: Any) -> str:
    """A bad value as a reply quotes it: short, whatever a client wrote."""
    if isinstance(value, int) and abs(value) >= 10**30:
        return "a number of more than 30 digits"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) else "must be a string"


def _trial_id(value: Any) -> str | None:
    if not isinstance(value, str) or parse_trial_id(value) is None:
        return "must be a trial id like wi7-do12"
    return None


def _count(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return f"must be a whole number of at least 1, not {_shown(value)}"
    return None


def _fraction(value: Any, *, zero_ok: bool) -> str | None:
    if not is_finite_number(value):
        return f"must be a finite number, not {_shown(value)}"
    low_ok = value >= 0 if zero_ok else value > 0
    if not (low_ok and value <= 1):
        return f"must be in {'[0' if zero_ok else '(0'}, 1], not {_shown(value)}"
    return None


# the arguments each action takes: name -> (required, check)
_ARGS: dict[str, dict[str, tuple[bool, _ArgCheck]]] = {
    "kill": {"trial": (True, _trial_id), "by": (False, _text), "reason": (False, _text)},
    "kill_diverged": {"min_fraction": (False, lambda v: _fraction(v, zero_ok=True))},
    "apply_tfp": {"t": (True, _count), "f": (True, lambda v: _fraction(v, zero_ok=False)),
                  "p": (True, _count)},
    "pause": {},
    "resume": {},
    "stop_sweep": {},
}


def command_problems(action: Any, args: Mapping[str, Any]) -> list[str]:
    """What is wrong with a command (empty when it may be carried out as far as its own fields go;
    whether its trial belongs to the sweep only the supervisor can say)."""
    if action not in ACTIONS:
        return [f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}"]
    rules = _ARGS[action]
    problems = [f"{action}: unknown argument {name!r}" for name in args if name not in rules]
    for name, (required, check) in rules.items():
        if name not in args or args[name] is None:
            if required:
                problems.append(f"{action} needs {name}")
            continue
        problem = check(args[name])
        if problem is not None:
            problems.append(f"{action}: {name} {problem}")
    if action == "apply_tfp" and not problems and args["p"] > args["t"]:
        problems.append(f"apply_tfp: p = {args['p']} keeps more trials than t = {args['t']} starts")
    return problems


@dataclass(frozen=True)
class ControlCommand:
    """One line of ``control.jsonl``."""

    id: str
    """Chosen by the client; its reply carries it back ("" on hand-written lines: no reply)."""
    action: str
    args: dict[str, Any]
    t: float | None
    """When it was sent (None on old ``apply_tfp`` lines, whose ``t`` was the parameter)."""

    def to_record(self) -> dict[str, Any]:
        return {"t": self.t, "id": self.id, "action": self.action, "args": self.args}


def command_from_record(record: Any) -> ControlCommand | None:
    """The command a decoded line holds, or None when it is not a command at all (no ``action``)."""
    if not isinstance(record, dict) or not isinstance(record.get("action"), str):
        return None
    raw_id = record.get("id")
    command_id = raw_id if isinstance(raw_id, str) else ""
    stamp = record.get("t")
    if isinstance(record.get("args"), dict):
        args = dict(record["args"])
    else:  # an old line: the parameters beside the action, and apply_tfp's t over the timestamp
        args = {k: v for k, v in record.items() if k not in ("t", "id", "action")}
        if record["action"] == "apply_tfp":
            args["t"], stamp = stamp, None
    return ControlCommand(id=command_id, action=record["action"], args=args, t=_timestamp(stamp))


def send_command(sweep_dir: Path, action: str, **args: Any) -> ControlCommand:
    """Check one command and append it to ``control.jsonl``; raises ControlError if it breaks a rule.

    Actions: ``kill`` {trial, by="user", reason}, ``kill_diverged`` {min_fraction?}, ``apply_tfp``
    {t, f, p}, ``pause``, ``resume``, ``stop_sweep``."""
    if action == "kill":
        args.setdefault("by", "user")
    problems = command_problems(action, args)
    if problems:
        raise ControlError("; ".join(problems))
    command = ControlCommand(id=uuid.uuid4().hex[:12], action=action, args=dict(args), t=time.time())
    append_record(Path(sweep_dir) / CONTROL_FILE, command.to_record(), fsync=True)
    return command


def command_record_problems(record: dict[str, Any]) -> list[str]:
    """The validator of ``control.jsonl`` lines for the JSON-lines reader: a line without an
    ``action`` is not a command (bad arguments are not its business: they get a reply)."""
    return [] if isinstance(record.get("action"), str) else ["a command needs a string 'action'"]


def read_commands(sweep_dir: Path, offset: int) -> tuple[list[ControlCommand], int]:
    """Commands appended after byte ``offset`` and the offset to continue from. A line still being
    written is left for the next read; lines that are not commands are skipped (the offset moves
    past them too). Commands are returned whether or not they follow ``command_problems``: the
    supervisor rejects those, with a reply."""
    result = read_jsonl(Path(sweep_dir) / CONTROL_FILE, offset, validate=command_record_problems)
    return [c for c in map(command_from_record, result.records) if c is not None], result.offset


def command_tail(sweep_dir: Path, offset: int = 0) -> JsonlTail:
    """The supervisor's tail of ``control.jsonl`` from a saved offset (a file deleted or truncated
    since is read from its start: the commands in it now are all new)."""
    return JsonlTail(Path(sweep_dir) / CONTROL_FILE, validate=command_record_problems, offset=offset)


@dataclass(frozen=True)
class ControlReply:
    """The supervisor's answer to one command."""

    id: str
    action: str
    outcome: str
    """``done`` or ``rejected``."""
    reason: str
    t: float

    @property
    def text(self) -> str:
        """How a client prints it: ``done``, ``done: <what>`` or ``rejected: <why>``."""
        return f"{self.outcome}: {self.reason}" if self.reason else self.outcome


def append_reply(sweep_dir: Path, reply: ControlReply) -> None:
    record = {"t": reply.t, "id": reply.id, "action": reply.action, "outcome": reply.outcome,
              "reason": reply.reason}
    append_record(Path(sweep_dir) / CONTROL_REPLIES_FILE, record, fsync=True)


def _reply_problems(record: dict[str, Any]) -> list[str]:
    if not isinstance(record.get("id"), str) or record.get("outcome") not in OUTCOMES:
        return ["a reply needs a string 'id' and an 'outcome' of " + " or ".join(OUTCOMES)]
    return []


def read_replies(sweep_dir: Path, offset: int = 0) -> tuple[list[ControlReply], int]:
    """Replies appended after byte ``offset`` and the offset to continue from."""
    result = read_jsonl(Path(sweep_dir) / CONTROL_REPLIES_FILE, offset, validate=_reply_problems)
    replies = [ControlReply(id=r["id"], action=str(r.get("action", "")), outcome=r["outcome"],
                            reason=str(r.get("reason", "")), t=_timestamp(r.get("t")) or 0.0)
               for r in result.records]
    return replies, result.offset


def wait_for_reply(sweep_dir: Path, command_id: str, *, limit_s: float,
                   sleep: Callable[[float], None] = time.sleep, every_s: float = 0.1) -> ControlReply | None:
    """The supervisor's reply to ``command_id``, waiting up to ``limit_s`` for it; None if none came."""
    offset = 0
    waited = 0.0
    while True:
        replies, offset = read_replies(sweep_dir, offset)
        for reply in replies:
            if reply.id == command_id:
                return reply
        if waited >= limit_s:
            return None
        sleep(every_s)
        waited += every_s


def _timestamp(value: Any) -> float | None:
    return float(value) if is_finite_number(value) else None
