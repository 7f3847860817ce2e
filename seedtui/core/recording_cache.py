"""Parsed trial logs kept on disk, so that opening a recorded sweep again skips the parsing.

A replay of 625 trials spends most of its loading parsing ~330,000 JSON lines (about 0.4 s of CPU
on one core). ``read_recordings`` keeps what it parsed in one *pack* per batch of logs (a sweep's
trial logs: the pack is named after the directory that holds them all): for each log, its
identity and its recording, as the columns' raw arrays and the other events as JSON. A kept
recording is used only while its log is the very file it was made from (same path, size,
modification time in nanoseconds, inode and device); a changed log is parsed again, and a
damaged or foreign pack, or one of another format version, is ignored. Nothing is ever read from a
pack but numbers and JSON.

One file per sweep, not one per log: creating a file cost 0.2-0.7 ms of kernel time on this
project's machines, so keeping 625 logs as 625 files took 0.13-0.4 s of a first open's CPU, and one
18 MB pack takes 10-50 ms. Reading one file back is quicker too.

Where: ``logs`` under seedtui's cache root (``seedtui.cache_dirs``: ``$SEEDTUI_CACHE_DIR``, ``off``
for no cache, else ``$XDG_CACHE_HOME/seedtui``, else ``~/.cache/seedtui``). At most ``MAX_BYTES``
of packs are kept: beyond that the least recently used go until half is left. A cache that cannot
be written (read-only home, full disk) is skipped silently: it only ever saves time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from seedtui.cache_dirs import seedtui_cache

try:  # optional: a faster JSON codec; the standard one gives the same values
    import orjson
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from seedtui.core.recording import TrialRecording

FORMAT = 2
"""Bumped whenever the file layout, what a recording holds or what ``parse_recording`` makes of a
log changes (a reader fix must not be hidden by logs kept before it): older packs are ignored.
(Format 1 kept one ``.log-columns`` file per log; those are deleted when packs are pruned.)"""
PACK_MAGIC = b"seedtui-parsed-logs\n"
ENTRY_MAGIC = b"seedtui-parsed-log\n"
PACK_SUFFIX = ".logs-pack"
FORMAT_1_SUFFIX = ".log-columns"
MAX_BYTES = 512 * 1024 * 1024
"""Packs kept (~28 sweeps of 625 trials, ~18 MB each) before the least recently used go."""
_COLUMNS = (("times", "<f8"), ("train_steps", "<i8"), ("train_epochs", "<f8"), ("train_losses", "<f8"),
            ("train_lrs", "<f8"), ("other_rows", "<i8"))


def cache_dir() -> Path | None:
    """The directory packs are kept in (not created here), or None when caching is off."""
    return seedtui_cache("logs")


def log_identity(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """What a kept recording must have been made from: the log's absolute path and its file status
    (None when it is not a regular file). A log reached through a symbolic link is kept apart from
    the same log reached directly, not mistaken for another: inode and device name the file
    itself."""
    try:
        absolute = os.path.abspath(path)
        status = os.stat(absolute)
    except OSError:
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    return {"path": absolute, "size": status.st_size, "mtime_ns": status.st_mtime_ns,
            "ino": status.st_ino, "dev": status.st_dev}


def pack_file(paths: Sequence[str | os.PathLike[str]], directory: Path) -> Path:
    """The pack of a batch of logs: named after the directory that holds them all."""
    common = os.path.commonpath([os.path.abspath(path) for path in paths])
    digest = hashlib.sha256(common.encode("utf-8", "surrogateescape")).hexdigest()[:40]
    return directory / (digest + PACK_SUFFIX)


@dataclass
class KeptEntry:
    """One log's entry in a pack: the log's identity when it was parsed, and its encoded recording."""

    identity: dict[str, Any]
    data: bytes


class KeptLogs:
    """What the pack of a batch of logs holds for each of them, as each log is now."""

    def __init__(self, entries: list[KeptEntry | None]) -> None:
        self._entries = entries

    def has(self, index: int) -> bool:
        """Whether the pack holds log ``index`` as the file is now."""
        return self._entries[index] is not None

    def entry(self, index: int) -> KeptEntry | None:
        return self._entries[index]

    def recording(self, index: int) -> TrialRecording | None:
        """Log ``index``'s kept recording, or None (not kept, or its entry is damaged)."""
        entry = self._entries[index]
        return None if entry is None else decode_entry(entry)


def has_pack(paths: Sequence[str | os.PathLike[str]]) -> bool:
    """True when a pack is kept (or being written) for this batch of logs, whatever it holds."""
    directory = cache_dir()
    if directory is None or not paths:
        return False
    pack = pack_file(paths, directory)
    with _writing_lock:
        if pack in _writing:
            return True
    return pack.exists()


def kept_logs(paths: Sequence[str | os.PathLike[str]]) -> KeptLogs:
    """What earlier reads kept for ``paths``: one pack read, and one file status call per log."""
    nothing = KeptLogs([None] * len(paths))
    directory = cache_dir()
    if directory is None or not paths:
        return nothing
    pack = pack_file(paths, directory)
    _wait_for_writer(pack)
    try:
        with open(pack, "rb") as handle:
            data = handle.read()
    except OSError:
        return nothing
    index = _pack_index(data)
    if not index:
        return nothing
    entries: list[KeptEntry | None] = []
    for path in paths:
        identity = log_identity(path)
        found = index.get(identity["path"]) if identity is not None else None
        entries.append(KeptEntry(identity, data[found[1] : found[2]])
                       if found is not None and identity is not None and found[0] == identity else None)
    try:
        os.utime(pack)  # recently used: pruned last
    except OSError:
        pass
    return KeptLogs(entries)


def store_pack_later(paths: Sequence[str | os.PathLike[str]], entries: Sequence[KeptEntry | None]) -> None:
    """``store_pack`` in a thread of its own, ``STORE_AFTER_SECONDS`` from now: writing a 625-trial
    sweep's pack (18 MB) took 15-35 ms, mostly in the kernel, and its thread took turns with the app
    drawing the sweep just loaded. It is written at once when the next ``kept_logs`` of the same
    logs (or ``finish_writing``) asks for it, or when the interpreter exits (the thread is not a
    daemon)."""
    directory = cache_dir()
    if directory is None or not paths:
        return
    pack = pack_file(paths, directory)
    hurry = threading.Event()
    writer = threading.Thread(target=_store_when_asked, args=(list(paths), list(entries), directory, hurry),
                              name="seedtui-pack", daemon=False)  # not a daemon, even made by one
    with _writing_lock:
        _writing[pack] = (writer, hurry)
    writer.start()


STORE_AFTER_SECONDS = 1.0
_STORE_POLL_SECONDS = 0.05


def _store_when_asked(paths: list[str | os.PathLike[str]], entries: list[KeptEntry | None],
                      directory: Path, hurry: threading.Event) -> None:
    deadline = time.monotonic() + STORE_AFTER_SECONDS
    main = threading.main_thread()
    # the main thread stops being alive when the interpreter starts to exit (and waits for this one)
    while not hurry.wait(_STORE_POLL_SECONDS) and main.is_alive() and time.monotonic() < deadline:
        pass
    store_pack(paths, entries, directory=directory)  # where the cache was when the logs were read


def finish_writing() -> None:
    """Write every pack ``store_pack_later`` was given now, and wait until they are written."""
    with _writing_lock:
        writers = list(_writing.values())
        _writing.clear()
    for writer, hurry in writers:
        hurry.set()
        writer.join()


def _wait_for_writer(pack: Path) -> None:
    with _writing_lock:
        pending = _writing.pop(pack, None)
    if pending is not None:
        writer, hurry = pending
        hurry.set()
        writer.join()


_writing: dict[Path, tuple[threading.Thread, threading.Event]] = {}
"""Packs ``store_pack_later`` is to write: their threads, and the event that makes them write now."""
_writing_lock = threading.Lock()


def store_pack(paths: Sequence[str | os.PathLike[str]], entries: Sequence[KeptEntry | None], *,
               directory: Path | None = None) -> bool:
    """Keep the entries of a batch of logs (None: a log not kept) in the batch's pack (in
    ``directory``, by default the cache's), replacing what it held; False when nothing is kept
    (cache off or not writable)."""
    directory = directory if directory is not None else cache_dir()
    kept = [entry for entry in entries if entry is not None]
    if directory is None or not paths or not kept:
        return False
    index, at = [], 0
    for entry in kept:
        index.append([entry.identity, at, len(entry.data)])
        at += len(entry.data)
    header = _dumps({"format": FORMAT, "logs": index})
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    except OSError:
        return False
    pack = pack_file(paths, directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(PACK_MAGIC + header + b"\n")
            for entry in kept:
                out.write(entry.data)
        os.replace(temporary, pack)  # whole or not at all
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        return False
    _prune(directory, keep=pack)
    return True


def _pack_index(data: bytes) -> dict[str, tuple[dict[str, Any], int, int]]:
    """Log path -> (identity, start, stop of its entry in ``data``); empty for a damaged, foreign
    or older pack."""
    if not data.startswith(PACK_MAGIC):
        return {}
    end = data.find(b"\n", len(PACK_MAGIC))
    try:
        header = _loads(data[len(PACK_MAGIC) : end])
        if end < 0 or not isinstance(header, dict) or header.get("format") != FORMAT:
            return {}
        index: dict[str, tuple[dict[str, Any], int, int]] = {}
        at, size = end + 1, len(data)
        for identity, offset, length in header["logs"]:
            start, stop = at + int(offset), at + int(offset) + int(length)
            if not isinstance(identity, dict) or not at <= start <= stop <= size:
                return {}
            index[str(identity["path"])] = (identity, start, stop)
    except (ValueError, KeyError, TypeError):
        return {}
    return index


def _dumps(value: Any) -> bytes:
    if orjson is not None:
        return orjson.dumps(value)
    return json.dumps(value, allow_nan=False, separators=(",", ":")).encode("utf-8")


def _loads(data: bytes) -> Any:
    return orjson.loads(data) if orjson is not None else json.loads(data)


def encode_entry(recording: TrialRecording, identity: dict[str, Any]) -> KeptEntry | None:
    """``recording``, parsed from the log ``identity`` describes (taken before the log was read, and
    equal after it), as a pack entry; None when JSON cannot carry its other events exactly (a NaN)."""
    try:
        others = _dumps(recording.other_events)
        # orjson writes a NaN or an infinity as null, and refuses what else it cannot write back
        # exactly (the standard codec refuses those too): without a null, the JSON is the events
        if (orjson is not None and b"null" in others) and _loads(others) != recording.other_events:
            return None  # a value JSON would change: not kept
    except (TypeError, ValueError):  # NaN, a huge integer, a lone surrogate
        return None
    arrays = [np.ascontiguousarray(getattr(recording, name), dtype=dtype).tobytes()
              for name, dtype in _COLUMNS]
    header = {"format": FORMAT, "log": identity, "events": len(recording.times),
              "trains": len(recording.train_steps), "others": len(recording.other_rows),
              "malformed": recording.malformed, "others_bytes": len(others)}
    return KeptEntry(identity, ENTRY_MAGIC + _dumps(header) + b"\n" + b"".join(arrays) + others)


def entry_from_data(data: bytes) -> KeptEntry | None:
    """An entry handed over without its log's identity (a worker process's answer), with the
    identity its header names; None when it is not an entry."""
    if not data.startswith(ENTRY_MAGIC):
        return None
    try:
        header = _loads(data[len(ENTRY_MAGIC) : data.find(b"\n", len(ENTRY_MAGIC))])
    except ValueError:
        return None
    identity = header.get("log") if isinstance(header, dict) else None
    return KeptEntry(identity, data) if isinstance(identity, dict) else None


def decode_entry(entry: KeptEntry) -> TrialRecording | None:
    """The recording an entry holds, or None when it is not one this module wrote for its log."""
    from seedtui.core.recording import TrialRecording, train_rows_between

    data, identity = entry.data, entry.identity
    if not data.startswith(ENTRY_MAGIC):
        return None
    end = data.find(b"\n", len(ENTRY_MAGIC))
    try:
        header = _loads(data[len(ENTRY_MAGIC) : end])
        if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("log") != identity:
            return None
        events, trains, others = int(header["events"]), int(header["trains"]), int(header["others"])
        sizes = {"times": events, "train_steps": trains, "train_epochs": trains, "train_losses": trains,
                 "train_lrs": trains, "other_rows": others}
        if events != trains + others or min(events, trains, others) < 0:
            return None
        columns: dict[str, np.ndarray] = {}
        at = end + 1
        for name, dtype in _COLUMNS:
            size = sizes[name] * 8
            columns[name] = np.frombuffer(data, dtype=dtype, count=sizes[name], offset=at).astype(
                np.float64 if dtype == "<f8" else np.int64)
            at += size
        if len(data) - at != int(header["others_bytes"]):
            return None
        other_events = _loads(data[at:])
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(other_events, list) or len(other_events) != others:
        return None
    other_rows = columns["other_rows"]
    if others and (other_rows[0] < 0 or other_rows[-1] >= events or np.any(np.diff(other_rows) <= 0)):
        return None  # positions out of order or outside the log: not a file this module wrote
    return TrialRecording(
        times=columns["times"], train_rows=train_rows_between(events, other_rows),
        train_steps=columns["train_steps"], train_epochs=columns["train_epochs"],
        train_losses=columns["train_losses"], train_lrs=columns["train_lrs"],
        other_rows=other_rows, other_events=other_events, malformed=int(header["malformed"]),
    )


def _prune(directory: Path, *, keep: Path) -> None:
    """Beyond ``MAX_BYTES`` of packs, delete the least recently used until half is left (never
    ``keep``, just written); files of the older one-per-log format are deleted outright."""
    _delete_format_1(directory.parent)  # where SEEDTUI_CACHE_DIR=DIR put them
    try:
        packs = []
        for entry in os.scandir(directory):
            if _FORMAT_1_NAME.fullmatch(entry.name):
                os.unlink(entry.path)
            elif entry.name.endswith(PACK_SUFFIX) and entry.path != str(keep):
                status = entry.stat()
                packs.append((status.st_mtime_ns, status.st_size, entry.path))
        total = sum(size for _, size, _ in packs) + os.stat(keep).st_size
        if total <= MAX_BYTES:
            return
        for _, size, path in sorted(packs):
            if total <= MAX_BYTES // 2:
                break
            os.unlink(path)
            total -= size
    except OSError:
        pass


_FORMAT_1_NAME = re.compile(r"[0-9a-f]{40}" + re.escape(FORMAT_1_SUFFIX))


def _delete_format_1(directory: Path) -> None:
    """Delete the one-per-log files of format 1 in ``directory``: with ``SEEDTUI_CACHE_DIR=DIR`` they
    were kept in DIR itself, which is now the root of every cache."""
    try:
        for entry in os.scandir(directory):
            if _FORMAT_1_NAME.fullmatch(entry.name):
                os.unlink(entry.path)
    except OSError:
        pass
