"""Copying a remote trial's log into the local sweep directory, and the record that lets a restarted
supervisor pick the copy up where it stopped.

The local ``events.jsonl`` is the bytes it held at launch followed by the remote log from the
launch on, appended whole lines at a time, so a reader never sees a line cut by a network chunk and
the supervisor can append its own ``end`` after the last one. Nothing else writes to the local file
while the actor runs, so the position reached in the remote file (counted from where it stood when
the trainer started) is always ``local size - local size at launch``: the record written once at
launch (``trials/<id>/ray.json``: ``seedtui.log.launch_records.RayLaunchRecord``) is all a restarted
supervisor needs to continue without duplicating lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seedtui.log.jsonl import complete_lines_length


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
            cut = complete_lines_length(buffered)
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


def continue_offset(*, local_start: int, local_now: int) -> int:
    """Where to continue reading the remote file, given what the local copy holds now."""
    return max(0, local_now - local_start)
