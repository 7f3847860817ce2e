"""The per-trial records of how a trial was launched and asked to stop, each with its validator.

- ``trials/<id>/launch.json``: what the local launcher started (pid, process group, host, slot,
  argv, ...), so a restarted supervisor can adopt a trial that still runs.
- ``trials/<id>/ray.json``: which Ray actor runs the trial, on which node, and where the local copy
  of its log began (``RayLaunchRecord``), so a restarted supervisor continues the copy.
- ``trials/<id>/stop_request.json``: ``{"by", "reason"}``, written before a stop signal; the trainer
  copies it into its ``end`` event.

Each is written whole and atomically, only with the fields of its schema, and read tolerantly: a
missing, broken or invalid record reads as None, and unknown fields are ignored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from seedtui.log.atomic_file import write_text_atomically
from seedtui.log.files import LAUNCH_FILE, RAY_RECORD_FILE, STOP_REQUEST_FILE
from seedtui.log.schema import NUMBER, FieldTypes, field_problems

SWEEP_STOP = "sweep"
"""``by`` of a stop request (and of the ``end`` it leads to) when the whole sweep is being stopped
(``stop_sweep``, SIGTERM or Ctrl-C of the supervisor): the trial is interrupted, not judged. A
trainer that can checkpoint ends ``suspended`` and the sweep's next run continues it; one that
cannot ends ``stopped`` and the next run starts it over. Either way its fate is not final."""

LAUNCH_REQUIRED: FieldTypes = {"pid": (int,), "pgid": (int,), "host": (str,), "t": NUMBER, "resume": (bool,),
                               "argv": (list,)}
LAUNCH_OPTIONAL: FieldTypes = {"slot": (int, type(None)), "slot_label": (str,),
                               "stop_at_fraction": (*NUMBER, type(None)), "supervisor_pid": (int,),
                               "pack_dir": (str,)}
RAY_REQUIRED: FieldTypes = {"actor_name": (str,), "namespace": (str,), "started": NUMBER, "resume": (bool,),
                            "stop_at_fraction": (*NUMBER, type(None)), "events_local_start": (int,),
                            "stderr_local_start": (int,), "shared_storage": (bool,)}
RAY_OPTIONAL: FieldTypes = {"node_id": (str,), "node_ip": (str,), "remote_dir": (str,)}
STOP_REQUIRED: FieldTypes = {"by": (str,), "reason": (str,)}


class LaunchRecordError(ValueError):
    """A record that breaks its schema (raised by writers, never by readers)."""


def _problems(kind: str, record: Any, required: FieldTypes, optional: FieldTypes, writing: bool) -> list[str]:
    if not isinstance(record, dict):
        return [f"{kind} must hold a JSON object, not {type(record).__name__}"]
    return field_problems(kind, record, required, optional, only_known=writing)


def validate_launch_record(record: Any, *, writing: bool = False) -> list[str]:
    """Problems with a decoded ``launch.json`` (empty when valid). Unknown fields are valid, except
    when ``writing``."""
    return _problems(LAUNCH_FILE, record, LAUNCH_REQUIRED, LAUNCH_OPTIONAL, writing)


def validate_ray_record(record: Any, *, writing: bool = False) -> list[str]:
    """Problems with a decoded ``ray.json`` (empty when valid). Unknown fields are valid, except
    when ``writing``."""
    return _problems(RAY_RECORD_FILE, record, RAY_REQUIRED, RAY_OPTIONAL, writing)


def validate_stop_request(record: Any, *, writing: bool = False) -> list[str]:
    """Problems with a decoded ``stop_request.json`` (empty when valid)."""
    return _problems(STOP_REQUEST_FILE, record, STOP_REQUIRED, {}, writing)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_valid(path: Path, record: dict[str, Any], validate: Callable[..., list[str]]) -> None:
    problems = validate(record, writing=True)
    if problems:
        raise LaunchRecordError("; ".join(problems))
    write_text_atomically(path, json.dumps(record, indent=1))


def write_launch_record(trial_directory: str | os.PathLike[str], record: dict[str, Any]) -> None:
    """Replace ``launch.json``; raises LaunchRecordError for an invalid record."""
    _write_valid(Path(trial_directory) / LAUNCH_FILE, record, validate_launch_record)


def read_launch_record(trial_directory: str | os.PathLike[str]) -> dict[str, Any] | None:
    """``launch.json`` of a trial, or None when it is missing, broken or invalid."""
    record = _read_json(Path(trial_directory) / LAUNCH_FILE)
    return None if validate_launch_record(record) else record


def write_stop_request(trial_directory: str | os.PathLike[str], *, by: str, reason: str) -> None:
    """Tell the trainer who stopped it before signalling; it copies this into its end event."""
    record = {"by": by, "reason": reason}
    _write_valid(Path(trial_directory) / STOP_REQUEST_FILE, record, validate_stop_request)


def read_stop_request(trial_directory: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The stop request left for a trial, or None. Tolerant of requests written by hand or by an
    older writer: any JSON object is returned, and each reader defaults what it lacks."""
    record = _read_json(Path(trial_directory) / STOP_REQUEST_FILE)
    return record if isinstance(record, dict) else None


@dataclass
class RayLaunchRecord:
    """``trials/<id>/ray.json``: which actor runs the trial, where, and where its copy began."""

    actor_name: str
    namespace: str
    started: float
    resume: bool
    stop_at_fraction: float | None
    events_local_start: int
    stderr_local_start: int
    shared_storage: bool
    node_id: str = ""
    node_ip: str = ""
    remote_dir: str = ""

    def write(self, directory: str | os.PathLike[str]) -> None:
        record = asdict(self)
        _write_valid(Path(directory) / RAY_RECORD_FILE, record, validate_ray_record)

    @classmethod
    def read(cls, directory: str | os.PathLike[str]) -> RayLaunchRecord | None:
        """The record of a trial directory, or None when it is missing, broken or invalid."""
        raw = _read_json(Path(directory) / RAY_RECORD_FILE)
        if validate_ray_record(raw):
            return None
        return cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})
