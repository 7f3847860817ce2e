"""Copying a remote trial's log into the local sweep directory, and the record that lets a restarted
supervisor pick the copy up where it stopped.

The local ``events.jsonl`` is the bytes it held at launch followed by the remote log from the
launch on, appended whole lines at a time, so a reader never sees a line cut by a network chunk and
the supervisor can append its own ``end`` after the last one. Nothing else writes to the local file
while the actor runs, so the position reached in the remote file (counted from where it stood when
the trainer started) is always ``local size - local size at launch``: the record written once at
launch (``trials/<id>/ray.json``) is all a restarted supervisor needs to continue without
duplicating lines.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from seedtui.log.atomic_file import write_text_atomically

RAY_RECORD_FILE = "ray.json"


@dataclass
class StreamMirror:
    """Appends a remote file's bytes to a local file, whole lines only unless ``whole_lines`` is off."""

    local_path: Path
    remote_offset: int
    """Bytes of the remote file, counted from where it stood when the actor started the trainer,
    already accounted for (copied, or held in ``pending``)."""
    whole_lines: bool = True
    pending: bytes = b""

    def feed(self, data: bytes) -> int:
        """Take the next remote bytes; write what can be written; return the bytes written."""
        self.remote_offset += len(data)
        buffered = self.pending + data
        if self.whole_lines:
            cut = buffered.rfind(b"\n") + 1
            ready, self.pending = buffered[:cut], buffered[cut:]
        else:
            ready, self.pending = buffered, b""
        return self._append(ready)

    def flush(self) -> int:
        """At the end: write a last line the writer never finished, closed with a newline so the
        reader counts it as malformed instead of gluing it to the next writer's first line."""
        rest, self.pending = self.pending, b""
        return self._append(rest + b"\n") if rest else 0

    def _append(self, data: bytes) -> int:
        if not data:
            return 0
        self.local_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.local_path, "ab") as handle:
            handle.write(data)
            handle.flush()
        return len(data)


def local_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


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

    def write(self, directory: Path) -> None:
        write_text_atomically(directory / RAY_RECORD_FILE, json.dumps(asdict(self), indent=1))

    @classmethod
    def read(cls, directory: Path) -> RayLaunchRecord | None:
        try:
            raw: Any = json.loads((directory / RAY_RECORD_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(raw, dict):
            return None
        try:
            return cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})
        except TypeError:  # a record missing required keys (written by another version)
            return None


def continue_offset(*, local_start: int, local_now: int) -> int:
    """Where to continue reading the remote file, given what the local copy holds now."""
    return max(0, local_now - local_start)
