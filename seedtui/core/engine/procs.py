"""Process checks the engine needs before it signals anything: is a pid alive (a zombie is not),
which process group is it in, and is it really the process we launched (pids are reused)."""

from __future__ import annotations

import fcntl
import os
import signal
from pathlib import Path

from seedtui.state.liveness import process_alive


def command_line(pid: int) -> str | None:
    """The process's command line joined by spaces, or None where /proc cannot tell."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return raw.replace(b"\0", b" ").decode("utf-8", "replace")


def owns_process(pid: int, *, pgid: int, marker: str) -> bool:
    """True when ``pid`` is alive, leads process group ``pgid`` and its command line holds
    ``marker`` (e.g. the trial directory): the checks that keep us from signalling a stranger."""
    if not process_alive(pid):
        return False
    try:
        if os.getpgid(pid) != pgid:
            return False
    except ProcessLookupError:
        return False
    line = command_line(pid)
    return line is None or marker in line


def signal_group(pgid: int, signum: int) -> bool:
    """Send ``signum`` to a whole process group; False if it is already gone."""
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        return False
    return True


SIGTERM = signal.SIGTERM
SIGKILL = signal.SIGKILL


def acquire_lock(lock_path: Path) -> int | None:
    """Hold the lock for this process's life; None if another supervisor holds it."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd
