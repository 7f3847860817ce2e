"""The one tolerant JSON-lines reader and the one tail of a growing JSON-lines file.

Every JSON-lines file of a sweep (events, decisions, control commands and replies) is appended by
one process while others read it, so every reader here is tolerant by design:

- a last line without its newline is left for the next read (its writer may be mid-line), unless
  the read is ``final`` (the writer is gone: the cut line is parsed, and usually counts as malformed);
- blank lines are skipped; lines that are not JSON objects, are longer than ``MAX_LINE_BYTES`` or
  fail the caller's validator are skipped and counted in ``malformed``, never fatal;
- a tail notices a file that was truncated (smaller than what it has read) or replaced (another
  inode, e.g. written atomically under the same name or rotated) and reads it again from the start.

A line is one JSON object in UTF-8 (``decode_line``: strict UTF-8, then ``json.loads``); that is the
whole rule. Decoding many lines takes a faster path with exactly the same answer: orjson line by
line where it is installed (a line it refuses, e.g. a ``NaN`` loss, is decided by ``decode_line``),
else the C scanner of ``json`` over the batch decoded once. (Joining the lines into one JSON array,
as this module once did, is not the same: three crafted lines, each invalid, could decode as three
valid objects.) tests/log/test_decoder_equivalence.py checks the paths agree on generated and
mutated lines.

A path that is not a regular file (a directory or a FIFO named ``events.jsonl``) reads as empty,
without blocking, and counts as one malformed line.

This module imports neither torch nor Textual.
"""

from __future__ import annotations

import bisect
import itertools
import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:  # optional (the ``fast`` extra): about 3x faster than json per line
    import orjson
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None  # type: ignore[assignment]

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


def decode_line(line: bytes) -> Any:
    """One line as every reader decodes it: strict UTF-8, then JSON (``NaN`` and ``Infinity``
    included, as ``encode_event`` writes a diverged loss). Raises ValueError (UnicodeDecodeError is
    one) or RecursionError when it is not JSON."""
    return json.loads(line.decode("utf-8"))


_NOT_JSON = (ValueError, RecursionError)
_scan_value = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
"""json's scanner (its C version): one JSON value from a position, and where it ends."""


def _decode_each(lines: list[bytes]) -> tuple[list[Any], int]:
    """Decode line by line (the reference); lines that are not JSON are counted, not returned."""
    decoded: list[Any] = []
    malformed = 0
    for line in lines:
        try:
            decoded.append(decode_line(line))
        except _NOT_JSON:
            malformed += 1
    return decoded, malformed


_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGITS = b"0" * 19
"""19 digits in a row (after ``_DIGITS_AS_ZERO``): maybe an integer beyond 64 bits, which orjson
reads as a float. Found with ``bytes.find``, many times faster than a regular expression."""


def _lines_with_long_digits(lines: list[bytes]) -> set[int]:
    """Indices of the lines holding 19 digits in a row (one search over the whole batch)."""
    masked = b"\n".join(lines).translate(_DIGITS_AS_ZERO)
    found = []
    at = masked.find(_LONG_DIGITS)
    while at != -1:
        found.append(at)
        at = masked.find(_LONG_DIGITS, masked.find(b"\n", at) + 1 or len(masked))
    if not found:
        return set()
    starts = list(itertools.accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
    return {bisect.bisect_right(starts, at) - 1 for at in found}


def _decode_with_orjson(lines: list[bytes]) -> tuple[list[Any], int]:
    """orjson line by line; a line it refuses is decided by ``decode_line`` (orjson refuses NaN and
    lone surrogates, which json accepts), and so is a line with 19 digits in a row (orjson turns an
    integer beyond 64 bits into a float; json keeps it exact)."""
    decoded: list[Any] = []
    malformed = 0
    loads, refused = orjson.loads, orjson.JSONDecodeError
    by_json = _lines_with_long_digits(lines)
    for index, line in enumerate(lines):
        if index not in by_json:
            try:
                decoded.append(loads(line))
                continue
            except refused:
                pass
        try:
            decoded.append(decode_line(line))
        except _NOT_JSON:
            malformed += 1
    return decoded, malformed


def _decode_scanned(lines: list[bytes]) -> tuple[list[Any], int]:
    """The batch decoded from UTF-8 once, then each line scanned for one whole JSON value (what
    ``json.loads`` does, without its per-call work); a batch that is not UTF-8 goes line by line."""
    if not lines:
        return [], 0  # "".split("\n") is one empty line, which would count as malformed
    try:
        text = b"\n".join(lines).decode("utf-8")
    except UnicodeDecodeError:
        return _decode_each(lines)
    decoded: list[Any] = []
    malformed = 0
    for line in text.split("\n"):  # lines hold no newline: each piece is one line
        try:
            value, end = _scan_value(line, 0)
        except (StopIteration, *_NOT_JSON):
            malformed += 1
            continue
        if end == len(line):  # stripped lines: nothing but the value may be on them
            decoded.append(value)
        else:
            malformed += 1
    return decoded, malformed


def decode_lines(lines: list[bytes]) -> tuple[list[Any], int]:
    """Decode many stripped, non-blank lines; returns (decoded values, lines that were not JSON).
    The same answer as ``decode_line`` on each line, faster."""
    return _decode_with_orjson(lines) if orjson is not None else _decode_scanned(lines)


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


def append_record(path: str | os.PathLike[str], record: dict[str, Any], *, fsync: bool = False) -> None:
    """Append ``record`` as one JSON line in one ``O_APPEND`` write: concurrent writers never
    interleave, and a reader sees a whole line or none of it. ``fsync``: on disk before returning."""
    line = (json.dumps(record, separators=(",", ":")) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
        if fsync:
            os.fsync(fd)
    finally:
        os.close(fd)


def file_size(path: str | os.PathLike[str]) -> int:
    """The size of a file in bytes; 0 when it does not exist (a log not written yet)."""
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return 0


def _open_regular(path: str | os.PathLike[str]) -> int | None:
    """A read-only descriptor of ``path`` when it is a regular file; None when it does not exist.
    Raises NotARegularFile for a directory, FIFO, socket or device (a FIFO is opened without
    blocking, so a reader never waits for a writer that may never come)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise NotARegularFile(path) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotARegularFile(path)
    return fd


class NotARegularFile(OSError):
    """A log path that is a directory, FIFO, socket or device: read as empty, counted as malformed."""


def _read_from(path: str | os.PathLike[str], offset: int, limit: int = -1) -> bytes | None:
    """``read_bytes_from`` that raises NotARegularFile for a directory or FIFO."""
    fd = _open_regular(path)
    if fd is None:
        return None
    with open(fd, "rb") as handle:
        handle.seek(offset)
        return handle.read(limit)


def read_bytes_from(path: str | os.PathLike[str], offset: int, limit: int = -1) -> bytes | None:
    """The bytes of ``path`` from ``offset`` on (at most ``limit`` of them when it is not negative),
    or None when there is no regular file there (missing, or a directory or FIFO: never blocks)."""
    try:
        return _read_from(path, offset, limit)
    except NotARegularFile:
        return None


def read_first_record(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The first line of a JSON-lines file decoded, without reading the rest (None when the file is
    missing or not a regular file, or its first line is not one JSON object): e.g. a log's start
    time before loading it."""
    try:
        fd = _open_regular(path)
        if fd is None:
            return None
        with open(fd, "rb") as handle:
            line = handle.readline(MAX_LINE_BYTES)
        record = decode_line(line.strip())
    except (OSError, *_NOT_JSON):
        return None
    return record if isinstance(record, dict) else None


def read_jsonl(path: str | os.PathLike[str], offset: int = 0, *, final: bool = False,
               validate: Validator | None = None, skip_prefix: bytes | None = None) -> ReadResult:
    """Read a JSON-lines file from byte ``offset``. A missing file reads as empty; a path that is
    not a regular file (a directory, a FIFO) reads as empty and counts as one malformed line."""
    try:
        data = _read_from(path, offset)
    except NotARegularFile:
        return ReadResult(offset=offset, malformed=1)
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
        self._not_a_file = False

    def _start_over_if_replaced(self, info: os.stat_result) -> None:
        inode = (info.st_dev, info.st_ino)
        replaced = self._inode is not None and inode != self._inode
        self._inode = inode
        if info.st_size < self.offset or replaced:
            self.offset = 0
            self.restarts += 1

    def poll(self, *, final: bool = False) -> list[dict[str, Any]]:
        """The records appended since the last poll (``final``: the writer is gone, take a cut line)."""
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return []
        if not stat.S_ISREG(info.st_mode):  # a directory or FIFO: never read, counted once
            if not self._not_a_file:
                self._not_a_file = True
                self.malformed += 1
            return []
        self._not_a_file = False
        self._start_over_if_replaced(info)
        if info.st_size == self.offset and not final:
            return []
        result = read_jsonl(self.path, self.offset, final=final, validate=self.validate,
                            skip_prefix=self.skip_prefix)
        self.offset = result.offset
        self.malformed += result.malformed
        return result.records

