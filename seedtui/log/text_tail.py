"""The end of a text file (a trial's stderr), read without loading the whole file."""

from __future__ import annotations

import os
from pathlib import Path


def read_text_tail(path: str | os.PathLike[str], *, max_bytes: int = 16384, max_lines: int = 200) -> str:
    """The last ``max_lines`` lines within the last ``max_bytes`` bytes ('' for a missing file).
    Undecodable bytes are replaced, so any file reads."""
    try:
        with open(Path(path), "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - max_bytes))
            data = handle.read()
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        return ""
    text = data.decode("utf-8", errors="replace")
    lines = text.splitlines()
    if size > max_bytes and lines:
        lines = lines[1:]  # the first line was cut by the byte window
    return "\n".join(lines[-max_lines:])
