"""Parsed trial logs kept on disk, so that opening a recorded sweep again skips the parsing.

A replay of 625 trials spends most of its loading parsing ~330,000 JSON lines (about 0.4 s of CPU
on one core). ``read_recording`` keeps what it parsed in one file per log under the cache
directory: the columns as raw arrays and the other events as JSON. A kept file is used only while
the log is the very file it was made from (same path, size, modification time in nanoseconds,
inode and device); any change, a damaged or foreign cache file, or a different format version
reads the log again. Nothing is ever read from a cache file but numbers and JSON.

Where: ``$SEEDTUI_CACHE_DIR`` (``off`` turns the cache off), else ``$XDG_CACHE_HOME/seedtui/logs``,
else ``~/.cache/seedtui/logs``. At most ``MAX_FILES`` files are kept: beyond that the least
recently used half is deleted. A cache that cannot be written (read-only home, full disk) is
skipped silently: it only ever saves time.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

try:  # optional: a faster JSON codec; the standard one gives the same values
    import orjson
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from seedtui.core.recording import TrialRecording

FORMAT = 1
"""Bumped whenever the file layout, what a recording holds or what ``parse_recording`` makes of a
log changes (a reader fix must not be hidden by logs kept before it): older files are ignored."""
MAGIC = b"seedtui-parsed-log\n"
SUFFIX = ".log-columns"
MAX_FILES = 10_000
"""Files kept (~16 sweeps of 625 trials, ~30 kB each) before the least recently used half goes."""
_COLUMNS = (("times", "<f8"), ("train_steps", "<i8"), ("train_epochs", "<f8"), ("train_losses", "<f8"),
            ("train_lrs", "<f8"), ("other_rows", "<i8"))


def cache_dir() -> Path | None:
    """The cache directory (not created here), or None when the cache is off."""
    environ = os.environ
    return _cache_dir(environ.get("SEEDTUI_CACHE_DIR"), environ.get("XDG_CACHE_HOME"), environ.get("HOME"))


@functools.lru_cache(maxsize=8)
def _cache_dir(configured: str | None, xdg_cache_home: str | None, home: str | None) -> Path | None:
    """``cache_dir`` for these variables (asked once per log read: worked out once)."""
    if configured is not None:
        return None if configured.strip().lower() in ("", "off", "0", "no") else Path(configured)
    base = xdg_cache_home or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "seedtui" / "logs"


def log_identity(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """What a cache file must have been made from: the log's absolute path and its file status
    (None when it is not a regular file). A log reached through a symbolic link is kept apart from
    the same log reached directly (a few kB twice), not mistaken for another: inode and device
    name the file itself."""
    try:
        absolute = os.path.abspath(path)
        status = os.stat(absolute)
    except OSError:
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    return {"path": absolute, "size": status.st_size, "mtime_ns": status.st_mtime_ns,
            "ino": status.st_ino, "dev": status.st_dev}


def cache_file(identity: dict[str, Any], directory: Path) -> Path:
    """The file that holds the parsed log of ``identity``'s path."""
    return directory / _cache_name(identity["path"])


def _cache_name(absolute_path: str) -> str:
    return hashlib.sha256(absolute_path.encode("utf-8", "surrogateescape")).hexdigest()[:40] + SUFFIX


def load(path: str | os.PathLike[str], identity: dict[str, Any] | None = None) -> TrialRecording | None:
    """The recording of ``path`` kept by an earlier read, or None (none kept, or not for the log
    as it is now). ``identity``: the log's, when the caller has just taken it."""
    directory = cache_dir()
    identity = identity or (log_identity(path) if directory is not None else None)
    if directory is None or identity is None:
        return None
    kept = os.path.join(directory, _cache_name(identity["path"]))
    try:
        with open(kept, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    recording = _decode(data, identity)
    if recording is not None:
        try:
            os.utime(kept)  # recently used: pruned last
        except OSError:
            pass
    return recording


def store(identity: dict[str, Any], recording: TrialRecording) -> bool:
    """Keep ``recording``, parsed from the log ``identity`` describes (taken before the log was
    read, and equal after it); False when it is not kept (cache off or not writable, or other
    events JSON cannot carry exactly, e.g. a NaN)."""
    directory = cache_dir()
    if directory is None:
        return False
    encoded = _encode(recording, identity)
    if encoded is None:
        return False
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(encoded)
        os.replace(temporary, cache_file(identity, directory))  # whole or not at all
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        return False
    _prune_once(directory)
    return True


def have_kept(paths: Sequence[str | os.PathLike[str]]) -> list[bool]:
    """For each log path, whether a cache file exists for it (``load`` decides whether it holds
    the log as it is now), to choose which logs to parse in worker processes: one listing of the
    cache directory, not a file status call per log (on a busy interpreter each call waited for
    the lock the UI thread held)."""
    directory = cache_dir()
    if directory is None or not paths:
        return [False] * len(paths)
    try:
        names = set(os.listdir(directory))
    except OSError:
        return [False] * len(paths)
    return [_cache_name(os.path.abspath(path)) in names for path in paths]


def _dumps(value: Any) -> bytes:
    if orjson is not None:
        return orjson.dumps(value)
    return json.dumps(value, allow_nan=False, separators=(",", ":")).encode("utf-8")


def _loads(data: bytes) -> Any:
    return orjson.loads(data) if orjson is not None else json.loads(data)


def _encode(recording: TrialRecording, identity: dict[str, Any]) -> bytes | None:
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
    return MAGIC + _dumps(header) + b"\n" + b"".join(arrays) + others


def _decode(data: bytes, identity: dict[str, Any]) -> TrialRecording | None:
    from seedtui.core.recording import TrialRecording, train_rows_between

    if not data.startswith(MAGIC):
        return None
    end = data.find(b"\n", len(MAGIC))
    try:
        header = _loads(data[len(MAGIC) : end])
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


_pruned = False


def _prune_once(directory: Path) -> None:
    """At most once per process: beyond ``MAX_FILES`` files, delete the least recently used half."""
    global _pruned
    if _pruned:
        return
    _pruned = True
    try:
        entries = [entry for entry in os.scandir(directory) if entry.name.endswith(SUFFIX)]
        if len(entries) <= MAX_FILES:
            return
        entries.sort(key=lambda entry: entry.stat().st_mtime_ns)
        for entry in entries[: len(entries) // 2]:
            os.unlink(entry.path)
    except OSError:
        pass
