"""The event log: the contract between trainer, engine, TUI, replay and statistics.

One append-only JSON-lines file per trial (``trials/<trial_id>/events.jsonl``). Every line is one
JSON object with ``"event"`` and ``"t"`` (Unix time, float seconds). The schema is documented in
``docs/log-format.md``; this module is the only place that writes and validates it, and reads it
through the one tolerant reader and tail of ``seedtui.log.jsonl``.

Readers are tolerant by design: a writer may be mid-line or killed, so a partial last line is
left for the next read, and blank lines, unknown events, unknown fields and malformed lines are
skipped (malformed ones are counted), never fatal.

This module imports neither torch nor Textual.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from seedtui.log.files import parse_trial_id
from seedtui.log.jsonl import JsonlTail, ReadResult, decode_line, parse_jsonl, read_bytes_from, read_jsonl
from seedtui.log.schema import NUMBER, field_problems

SCHEMA_VERSION = 1

END_STATUSES = ("completed", "stopped", "diverged", "failed", "suspended")


# event name -> {field: accepted python types}. Required fields only; extra fields are allowed.
REQUIRED_FIELDS: dict[str, dict[str, tuple[type, ...]]] = {
    "start": {
        "schema": (int,),
        "trial": (str,),
        "wi_seed": (int,),
        "do_seed": (int,),
        "task": (str,),
        "model": (str,),
        "metric": (str,),
        "greater_is_better": (bool,),
        "epochs": NUMBER,
        "steps_per_epoch": (int,),
        "total_steps": (int,),
        "evals_per_epoch": (int,),
        "batch_size": (int,),
        "lr": NUMBER,
        "train_size": (int,),
        "eval_size": (int,),
        "majority_baseline": NUMBER,
        "pid": (int,),
        "host": (str,),
        "config": (dict,),
    },
    "train": {"step": (int,), "epoch": NUMBER, "loss": NUMBER, "lr": NUMBER},
    "eval": {"step": (int,), "epoch": NUMBER, "metrics": (dict,), "score": NUMBER},
    "end": {"status": (str,), "step": (int,), "reason": (str,)},
    "resume": {"step": (int,)},
}

# event name -> {field: accepted python types}: the fields producers write beyond the required ones.
# Readers accept them with any value (and any other field); writers check their types, so a value a
# reader could not use never reaches a log.
OPTIONAL_FIELDS: dict[str, dict[str, tuple[type, ...]]] = {
    "start": {"dropout_seed": (int,), "device": (str,), "resumable": (bool,), "num_labels": (int,),
              "head_init_std": NUMBER, "imported_from": (str,),
              "evals": (int,),  # evaluations of a full training, when the trainer's schedule is its own
              "written_by": (str,)},  # "launcher": the command-template wrapper's start, before the script's
    "train": {},
    "eval": {"eval_index": (int,), "epoch_end": (bool,),
             "milestone": (bool,)},  # written only by trainers before k/E milestones (extra eval)
    "end": {"by": (str,), "best_score": NUMBER, "written_by": (str,), "node": (str,)},
    "resume": {"pid": (int,), "host": (str,), "device": (str,), "written_by": (str,)},
}

KNOWN_EVENTS = frozenset(REQUIRED_FIELDS)

INT_MAX = 2**63 - 1
"""Every integer field (steps, sizes, seeds, counts) is 0 to this: what a 64-bit column holds."""
PID_MAX = 2**31 - 1
"""A process id is a 32-bit signed integer (``pid_t``); a larger one cannot be signalled."""


class EventLogError(ValueError):
    """An event that does not follow the schema (raised by writers, never by readers)."""


def validate_event(obj: Any, *, writing: bool = False) -> list[str]:
    """Problems with one decoded event (empty when valid). Unknown events and fields are valid;
    ``writing`` also checks the types of the optional fields of ``OPTIONAL_FIELDS``."""
    if not writing and _plainly_valid(obj):  # most events a reader sees: [] without the full check
        return []
    return _event_problems(obj, writing=writing)


def _event_problems(obj: Any, *, writing: bool) -> list[str]:
    """``validate_event`` in full: every problem, worded."""
    if not isinstance(obj, dict):
        return [f"an event must be a JSON object, not {type(obj).__name__}"]
    problems: list[str] = []
    name = obj.get("event")
    if not isinstance(name, str):
        problems.append("missing string field 'event'")
    if not is_finite_number(obj.get("t")):
        problems.append("missing numeric field 't' (a finite number)")
    if not isinstance(name, str) or name not in REQUIRED_FIELDS:
        return problems
    problems += field_problems(name, obj, REQUIRED_FIELDS[name], OPTIONAL_FIELDS[name] if writing else None)
    problems += _range_problems(name, obj)
    if name == "end" and obj.get("status") not in END_STATUSES:
        problems.append(f"end: status {obj.get('status')!r} is not one of {', '.join(END_STATUSES)}")
    if name == "start" and obj.get("schema") != SCHEMA_VERSION and isinstance(obj.get("schema"), int):
        problems.append(f"start: schema {obj.get('schema')} is not {SCHEMA_VERSION}")
    if name == "start" and isinstance(obj.get("trial"), str):
        seeds = parse_trial_id(obj["trial"])
        if seeds is not None and seeds != (obj.get("wi_seed"), obj.get("do_seed")):
            problems.append(f"start: trial {obj['trial']!r} does not match wi_seed/do_seed")
    return problems


def _range_problems(name: str, obj: dict[str, Any]) -> list[str]:
    """Known fields holding values no reader can use: an integer field outside 0..``INT_MAX``
    (``pid``: ..``PID_MAX``), a number too large for a float. Checked for optional fields too
    (when they have their type), as readers use them."""
    problems = []
    for key, types in _KNOWN_FIELDS[name].items():
        value = obj.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            continue
        if types == (int,):
            high = PID_MAX if key == "pid" else INT_MAX
            if not 0 <= value <= high:
                problems.append(f"{name}: field '{key}' must be 0 to {high}")
        elif types == NUMBER and not is_finite_number(value):
            problems.append(f"{name}: field '{key}' is too large for a number")
    return problems


_KNOWN_FIELDS = {name: {**REQUIRED_FIELDS[name], **OPTIONAL_FIELDS[name]} for name in REQUIRED_FIELDS}
"""Required and optional fields of each known event (what ``_range_problems`` checks)."""
_INT, _NUMBER_FIELD, _OTHER_TYPE = 0, 1, 2


def _kind(types: tuple[type, ...]) -> int:
    return _INT if types == (int,) else _NUMBER_FIELD if types == NUMBER else _OTHER_TYPE


_READ_CHECKS = {
    name: (
        tuple((key, types, _kind(types), PID_MAX if key == "pid" else INT_MAX)
              for key, types in REQUIRED_FIELDS[name].items()),
        # readers check an optional field only for an int out of range (_range_problems)
        tuple((key, _kind(types), PID_MAX if key == "pid" else INT_MAX)
              for key, types in OPTIONAL_FIELDS[name].items()
              if key not in REQUIRED_FIELDS[name] and _kind(types) != _OTHER_TYPE),
    )
    for name in REQUIRED_FIELDS
}
"""Per known event, for ``_plainly_valid``: (field, types, kind, highest integer) of the required
fields, and (field, kind, highest integer) of the optional integer and number fields."""
_ABSENT = object()
_FLOAT_LIMIT = 2**1000
"""Integers below this in size are finite floats, so no ``is_finite_number`` is needed."""


def _plainly_valid(obj: Any) -> bool:
    """True only when ``_event_problems(obj, writing=False)`` finds nothing, checked with exact types
    (what a JSON decoder returns). False means "ask the full check", never "invalid"."""
    if type(obj) is not dict:
        return False
    name, t = obj.get("event"), obj.get("t")
    if type(name) is not str or type(t) is not float or t - t != 0.0:  # t - t: NaN for NaN and +-inf
        return False
    checks = _READ_CHECKS.get(name)
    if checks is None:
        return name not in REQUIRED_FIELDS  # an unknown event: only event and t are checked
    required, optional = checks
    for key, types, kind, high in required:
        value = obj.get(key, _ABSENT)
        value_type = type(value)
        if value_type is int:
            if kind == _INT:
                if not 0 <= value <= high:
                    return False
            elif kind != _NUMBER_FIELD or not -_FLOAT_LIMIT < value < _FLOAT_LIMIT:
                return False  # an int where the schema wants a str, a dict or a bool; or a huge one
        elif value_type not in types:  # exactly a type the schema names (bool only where it names bool)
            return False  # missing, a wrong type or a subclass: the full check decides
    for key, kind, high in optional:
        value = obj.get(key)
        if type(value) is int:
            if not (0 <= value <= high if kind == _INT else -_FLOAT_LIMIT < value < _FLOAT_LIMIT):
                return False
        elif type(value) is not bool and isinstance(value, int):
            return False  # a subclass of int: the full check decides
    if name == "start":  # schema and trial are there, an int and a str
        seeds = parse_trial_id(obj["trial"])
        matches = seeds is None or seeds == (obj["wi_seed"], obj["do_seed"])
        return obj["schema"] == SCHEMA_VERSION and matches
    return name != "end" or obj["status"] in END_STATUSES


def encode_event(event: Mapping[str, Any]) -> str:
    """One event as its JSON line (without the newline).

    Non-finite floats (a diverged loss) are written as the tokens ``NaN``/``Infinity``, which
    Python's json and most JSON-lines tools read back; see docs/log-format.md.
    """
    return json.dumps(event, separators=(",", ":"), allow_nan=True, default=_json_default)


def _json_default(value: Any) -> Any:
    # numpy scalars and paths show up in configs and metrics; everything else is a bug.
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to the event log")


class EventWriter:
    """Appends validated events to one trial's log, flushing each line as it is written."""

    def __init__(self, path: str | os.PathLike[str], *, fsync: bool = False) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "a", encoding="utf-8")
        self._fsync = fsync

    def write(self, event: str, **fields: Any) -> dict[str, Any]:
        """Write one event, stamping ``t`` unless given; raises EventLogError if it is invalid."""
        record: dict[str, Any] = {"event": event, "t": fields.pop("t", time.time()), **fields}
        problems = validate_event(record, writing=True)
        if problems:
            raise EventLogError("; ".join(problems))
        self._file.write(encode_event(record) + "\n")
        self._file.flush()
        if self._fsync:
            os.fsync(self._file.fileno())
        return record

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> EventWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def append_event(path: str | os.PathLike[str], event: str, **fields: Any) -> dict[str, Any]:
    """Open, append one event, close: for writers other than the trainer (e.g. a supervisor
    writing ``end`` for a trial whose process is gone)."""
    with EventWriter(path, fsync=True) as writer:
        return writer.write(event, **fields)


# What a ``train`` line starts with when this module wrote it; readers that need no training losses
# (statistics, reports) skip such lines without decoding them. Lines written with other spacing are
# decoded and dropped after parsing, so skipping never depends on the writer's formatting.
_TRAIN_PREFIX = b'{"event":"train"'


def _without_train(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [event for event in events if event.get("event") != "train"]


def parse_lines(data: bytes, *, final: bool,
                skip_train: bool = False) -> tuple[list[dict[str, Any]], int, int]:
    """Decode complete lines of an event log. Returns (events, malformed count, bytes consumed).

    Without ``final``, a last line with no newline is not consumed (a writer may be mid-line);
    with ``final`` it is parsed like any other (a killed writer leaves it cut, so it usually
    counts as malformed). With ``skip_train``, ``train`` events are left out (and lines that this
    module wrote as ``train`` events are not even decoded). Known events that break the schema
    count as malformed.
    """
    events, malformed, consumed = parse_jsonl(data, final=final, validate=validate_event,
                                              skip_prefix=_TRAIN_PREFIX if skip_train else None)
    return (_without_train(events) if skip_train else events), malformed, consumed


def read_events(path: str | os.PathLike[str], offset: int = 0, *, final: bool = False,
                skip_train: bool = False) -> ReadResult:
    """Read a log from byte ``offset``. A missing file reads as empty."""
    result = read_jsonl(path, offset, final=final, validate=validate_event,
                        skip_prefix=_TRAIN_PREFIX if skip_train else None)
    if skip_train:
        result.records = _without_train(result.records)
    return result


class EventTail(JsonlTail):
    """Incremental reader of one growing event log: each ``poll()`` returns only the new events."""

    def __init__(self, path: str | os.PathLike[str], *, skip_train: bool = False) -> None:
        super().__init__(path, validate=validate_event,
                         skip_prefix=_TRAIN_PREFIX if skip_train else None)
        self.skip_train = skip_train

    def poll(self, *, final: bool = False) -> list[dict[str, Any]]:
        events = super().poll(final=final)
        return _without_train(events) if self.skip_train else events


def run_start_offset(path: str | os.PathLike[str]) -> int:
    """Byte offset of the log's last ``start`` or ``resume`` line: where the running trainer's
    events begin (0 when there is none). A supervisor that adopts a running trial reads its log from
    here to judge the current run alone."""
    data = read_bytes_from(path, 0) or b""  # missing, a directory or a FIFO: nothing to adopt
    offset = position = 0
    for line in data.splitlines(keepends=True):
        if b'"start"' in line or b'"resume"' in line:  # cheap filter before parsing
            try:
                event = decode_line(line.strip())
            except (ValueError, RecursionError):
                event = None
            if isinstance(event, dict) and event.get("event") in ("start", "resume"):
                offset = position
        position += len(line)
    return offset


def known_majority_baseline(start: Mapping[str, Any]) -> float | None:
    """A start event's majority baseline, or None when it is unknown (written as NaN by importers
    of runs made elsewhere)."""
    value = start.get("majority_baseline")
    return float(value) if isinstance(value, (int, float)) and is_finite_number(value) else None


def is_finite_number(value: Any) -> bool:
    """A number (not a bool) that is neither NaN nor infinite; an int too large for a float (JSON
    allows 400 digits) does not count, as no reader could use it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False
