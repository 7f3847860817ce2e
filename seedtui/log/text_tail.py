"""The end of a text log (a trial's ``stderr.log``), read without loading the whole file.

JSON-lines logs are read by ``seedtui.log.jsonl``; a plain text log is only ever shown, so all a
reader needs is its last lines, and the last line as a one-line reason for a failed trial.
"""

from __future__ import annotations

import os
from pathlib import Path


def _read_end(path: str | os.PathLike[str], max_bytes: int) -> tuple[str, bool] | None:
    """The last ``max_bytes`` bytes of a file as text, and whether the window cut the file; None for
    a file that cannot be read. Undecodable bytes are replaced, so any file reads."""
    try:
        with open(Path(path), "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - max_bytes))
            data = handle.read()
    except OSError:  # missing, a directory, unreadable: nothing to show
        return None
    return data.decode("utf-8", errors="replace"), size > max_bytes


def read_text_tail(path: str | os.PathLike[str], *, max_bytes: int = 16384, max_lines: int = 200) -> str:
    """The last ``max_lines`` lines within the last ``max_bytes`` bytes ('' for a missing file)."""
    end = _read_end(path, max_bytes)
    if end is None:
        return ""
    text, cut = end
    lines = text.splitlines()
    if cut and lines:
        lines = lines[1:]  # the first line was cut by the byte window
    return "\n".join(lines[-max_lines:])


def last_line(path: str | os.PathLike[str], limit: int = 300) -> str:
    """The last non-blank line of a (possibly large) text file, shortened to ``limit`` characters
    ('' for a missing file): the one-line reason shown for a trial that failed."""
    end = _read_end(path, 8192)
    lines = [] if end is None else [line.strip() for line in end[0].splitlines()]
    last = next((line for line in reversed(lines) if line), "")
    return last if len(last) <= limit else last[: limit - 3] + "..."
