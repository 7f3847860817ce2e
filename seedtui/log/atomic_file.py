"""Replacing a file so that a reader never sees half of it.

Supervisor state, launch records, stop requests, summaries, checkpoints and the tokenization cache
are all rewritten while other processes may read them (or while the writer may be killed). Each is
written to a temporary file beside its target and moved into place with ``os.replace``, which is
atomic on one file system. The temporary name is unique per writer, so concurrent writers of the
same target never share one (the last ``os.replace`` wins), and the file is created with ``open``,
so it gets the usual permissions (umask), not ``mkstemp``'s owner-only ones.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def atomic_binary_writer(path: str | os.PathLike[str], *, fsync: bool = False) -> Iterator[IO[bytes]]:
    """A binary file that replaces ``path`` when the block ends without an exception (and is
    removed otherwise). With ``fsync`` the data reaches the disk before the replace."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(temporary, "xb") as handle:
            yield handle
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text_atomically(path: str | os.PathLike[str], text: str, *, fsync: bool = False) -> None:
    """Replace ``path`` with ``text`` (UTF-8) in one step."""
    with atomic_binary_writer(path, fsync=fsync) as handle:
        handle.write(text.encode("utf-8"))
