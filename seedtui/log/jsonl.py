"""The one tolerant JSON-lines reader and the one tail of a growing JSON-lines file.

Every JSON-lines file of a sweep (events, decisions, control commands and replies) is appended by
one process while others read it, so every reader here is tolerant by design:

- a last line without its newline is left for the next read (its writer may be mid-line), unless
  the read is ``final`` (the writer is gone: the cut line is parsed, and usually counts as malformed);
- blank lines are skipped; lines that are not JSON objects, are longer than ``MAX_LINE_BYTES`` or
  fail the caller's validator are skipped and counted in ``malformed``, never fatal;
- a tail notices a file that was truncated (smaller than what it has read) or replaced (another
  inode, e.g. written atomically under the same name or rotated) and reads it again from the start.

Decoding takes a fast path: one ``json.loads`` over the whole batch of lines, which is several times
faster than one call a line and gives the same answer (anything unusual falls back line by line).

This module imports neither torch nor Textual.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# A line longer than this is treated as malformed without being parsed (protects readers from a
# runaway writer); real lines are a few hundred bytes, a start event with its config a few KiB.
MAX_LINE_BYTES = 4 * 1024 * 1024

Validator = Callable[[dict[str, Any]], list[str]]
"""The problems with one decoded record (empty when it is valid)."""


@dataclass
class ReadResult:
    """What one read of a JSON-lines file returned."""

    records: list[dict[str, Any]] = field(default_factory=list)
    """Decoded records in file order (records that failed the validator excluded)."""
    malformed: int = 0
    """Lines that were not JSON objects, were too long, or failed the validator."""
    offset: int = 0
    """Byte offset just past the last complete line consumed: where the next read starts."""

    @property
    def events(self) -> list[dict[str, Any]]:
        """The records of an event log (``read_events``) under the name its callers use."""
        return self.records


def complete_lines_length(data: bytes) -> int:
    """How many leading bytes of ``data`` are whole lines (up to and including the last newline)."""
    return data.rfind(b"\n") + 1  # 0 when there is no newline at all


def split_complete_lines(data: bytes, *, final: bool) -> tuple[list[bytes], int]:
    """The stripped non-blank lines of ``data`` that are complete, and the bytes they span."""
    if final:
        region, consumed = data, len(data)
    else:
        consumed = complete_lines_length(data)
        region = data[:consumed]
    lines = [line.strip() for line in region.split(b"\n")]
    return [line for line in lines if line], consumed


def _decode_each(lines: list[bytes]) -> tuple[list[Any], int]:
    """Decode line by line; lines that are not JSON are counted, not returned."""
    decoded: list[Any] = []
    malformed = 0
    for line in lines:
        try:
            decoded.append(json.loads(line))
        except (ValueError, UnicodeDecodeError, RecursionError):
            malformed += 1
    return decoded, malformed


def decode_lines(lines: list[bytes]) -> tuple[list[Any], int]:
    """Decode many lines; returns (decoded values, lines that were not JSON).

    Takes one ``json.loads`` call over the batch when every line looks like one object (starts with
    ``{``, ends with ``}``) and the batch decodes to exactly one object per line; anything else
    falls back to line by line, so the result never depends on which path was taken.
    """
    if all(line[:1] == b"{" and line[-1:] == b"}" for line in lines):
        try:
            decoded = json.loads(b"[" + b",".join(lines) + b"]")
        except (ValueError, UnicodeDecodeError, RecursionError):
            decoded = None
        one_object_a_line = isinstance(decoded, list) and len(decoded) == len(lines)
        if one_object_a_line and all(isinstance(o, dict) for o in decoded):
            return decoded, 0
    return _decode_each(lines)


def parse_jsonl(data: bytes, *, final: bool, validate: Validator | None = None,
                skip_prefix: bytes | None = None) -> tuple[list[dict[str, Any]], int, int]:
    """Decode the complete lines of ``data``. Returns (records, malformed count, bytes consumed).

    ``validate`` rejects (and counts) records that break a file's schema. Lines starting with
    ``skip_prefix`` are dropped undecoded and uncounted: a reader that needs none of a frequent kind
    of record (training losses) saves decoding them.
    """
    lines, consumed = split_complete_lines(data, final=final)
    malformed = 0
    kept: list[bytes] = []
    for line in lines:
        if len(line) > MAX_LINE_BYTES:
            malformed += 1
        elif skip_prefix is None or not line.startswith(skip_prefix):
            kept.append(line)
    decoded, undecodable = decode_lines(kept)
    malformed += undecodable
    records: list[dict[str, Any]] = []
    for obj in decoded:
        if not isinstance(obj, dict) or (validate is not None and validate(obj)):
            malformed += 1
        else:
            records.append(obj)
    return records, malformed, consumed


def file_size(path: str | os.PathLike[str]) -> int:
    """The size of a file in bytes; 0 when it does not exist (a log not written yet)."""
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return 0


def read_bytes_from(path: str | os.PathLike[str], offset: int, limit: int = -1) -> bytes | None:
    """The bytes of ``path`` from ``offset`` on (at most ``limit`` of them when it is not negative),
    or None when the file does not exist."""
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            return handle.read(limit)
    except FileNotFoundError:
        return None


def read_first_record(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The first line of a JSON-lines file decoded, without reading the rest (None when the file is
    missing or its first line is not one JSON object): e.g. a log's start time before loading it."""
    try:
        with open(path, "rb") as handle:
            line = handle.readline(MAX_LINE_BYTES)
        record = json.loads(line)
    except (OSError, ValueError, RecursionError):
        return None
    return record if isinstance(record, dict) else None


def read_jsonl(path: str | os.PathLike[str], offset: int = 0, *, final: bool = False,
               validate: Validator | None = None, skip_prefix: bytes | None = None) -> ReadResult:
    """Read a JSON-lines file from byte ``offset``. A missing file reads as empty."""
    data = read_bytes_from(path, offset)
    if data is None:
        return ReadResult(offset=offset)
    records, malformed, consumed = parse_jsonl(data, final=final, validate=validate,
                                               skip_prefix=skip_prefix)
    return ReadResult(records=records, malformed=malformed, offset=offset + consumed)


class JsonlTail:
    """Incremental reader of one growing JSON-lines file: each ``poll()`` returns only new records.

    The file may not exist yet (reads as empty), may be truncated or replaced under the same name
    (read again from the start; ``restarts`` counts how often), and may end mid-line (that line
    waits for the next poll). ``offset`` may be set before the first poll to resume a saved position.
    """

    def __init__(self, path: str | os.PathLike[str], *, validate: Validator | None = None,
                 skip_prefix: bytes | None = None, offset: int = 0) -> None:
        self.path = Path(path)
        self.offset = offset
        self.malformed = 0
        self.restarts = 0
        self.validate = validate
        self.skip_prefix = skip_prefix
        self._inode: tuple[int, int] | None = None

    def _start_over_if_replaced(self, stat: os.stat_result) -> None:
        inode = (stat.st_dev, stat.st_ino)
        replaced = self._inode is not None and inode != self._inode
        self._inode = inode
        if stat.st_size < self.offset or replaced:
            self.offset = 0
            self.restarts += 1

    def poll(self, *, final: bool = False) -> list[dict[str, Any]]:
        """The records appended since the last poll (``final``: the writer is gone, take a cut line)."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return []
        self._start_over_if_replaced(stat)
        if stat.st_size == self.offset and not final:
            return []
        result = read_jsonl(self.path, self.offset, final=final, validate=self.validate,
                            skip_prefix=self.skip_prefix)
        self.offset = result.offset
        self.malformed += result.malformed
        return result.records

