"""The body of a trial's Ray actor: runs the trainer as a subprocess on the node it was placed on.

A plain class with no Ray import at module level, so the same code is tested directly (a real
subprocess, no cluster) and wrapped with ``ray.remote`` by the launcher. Every method is quick:
the trainer runs in its own process group, and the supervisor polls with :meth:`sync`.

The trainer gets ``PR_SET_PDEATHSIG``: when the actor's worker dies with its node (or is killed),
the kernel kills the trainer too, instead of leaving a training run no supervisor can see.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from seedtui.log.files import CHECKPOINT_DIR, EVENTS_FILE, STDERR_FILE, STOP_REQUEST_FILE
from seedtui.log.jsonl import file_size, read_bytes_from
from seedtui.log.launch_records import write_stop_request

TRIAL_DIR_PLACEHOLDER = "{TRIAL_DIR}"
"""Stands for the trial directory in the argv the supervisor sends: only the node knows its path."""
SYNC_CHUNK_BYTES = 1 << 20
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Runs in the child between fork and exec (Linux only; elsewhere a no-op)."""
    os.setsid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _read_from(path: Path, offset: int, limit: int) -> bytes:
    """At most ``limit`` bytes from ``offset`` (none for ``limit`` 0: shared storage, nothing to copy)."""
    return (read_bytes_from(path, offset, limit) or b"") if limit > 0 else b""


def _current_node() -> tuple[str, str]:
    """(node id, node IP) of this Ray node, or ("", hostname) outside Ray."""
    try:
        import ray

        if ray.is_initialized():
            context = ray.get_runtime_context()
            return context.get_node_id(), ray.util.get_node_ip_address()
    except Exception:  # outside a Ray worker: there is no node to name
        pass
    return "", socket.gethostname()


class TrialRunner:
    """Starts one trainer run and answers the supervisor's polls until it is released."""

    def __init__(self, argv: list[str], directory: str, *, resume: bool, fresh_directory: bool,
                 threads: int | None = None) -> None:
        self.directory = Path(directory).expanduser()
        self.directory.mkdir(parents=True, exist_ok=True)
        if fresh_directory and not resume:
            # a node-local directory left by an earlier attempt of this trial: start clean
            for name in (EVENTS_FILE, STDERR_FILE):
                (self.directory / name).unlink(missing_ok=True)
            shutil.rmtree(self.directory / CHECKPOINT_DIR, ignore_errors=True)
        (self.directory / STOP_REQUEST_FILE).unlink(missing_ok=True)
        self.events_start = file_size(self.directory / EVENTS_FILE)
        self.stderr_start = file_size(self.directory / STDERR_FILE)
        # the trainer runs under this node's interpreter, wherever the supervisor's lives
        command = [sys.executable] + [str(self.directory) if a == TRIAL_DIR_PLACEHOLDER else a
                                      for a in argv[1:]]
        env = dict(os.environ)
        env["PYTHONUNBUFFERED"] = "1"
        if threads is not None:
            env["OMP_NUM_THREADS"] = str(threads)
        if "CUDA_VISIBLE_DEVICES" not in env:
            env["CUDA_VISIBLE_DEVICES"] = ""  # Ray sets it for actors that asked for GPUs
        with open(self.directory / STDERR_FILE, "ab") as stderr:
            self.popen = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr, env=env,
                close_fds=True, preexec_fn=_die_with_parent,
            )
        self.started = time.time()
        self.node_id, self.node_ip = _current_node()

    def info(self) -> dict[str, Any]:
        return {
            "pid": self.popen.pid, "node_id": self.node_id, "node_ip": self.node_ip,
            "hostname": socket.gethostname(), "directory": str(self.directory),
            "events_start": self.events_start, "stderr_start": self.stderr_start, "started": self.started,
        }

    def poll(self) -> int | None:
        return self.popen.poll()

    def sync(self, events_offset: int, stderr_offset: int, limit: int = SYNC_CHUNK_BYTES) -> dict[str, Any]:
        """The exit code (None while running) and the log and stderr bytes this run wrote, from the
        given offsets (counted from where each file stood when this actor started the trainer).

        The exit code is read before the files, so when it is set the bytes that follow are all the
        trainer wrote; ``more`` says a chunk was cut at ``limit`` and another call is needed.
        ``limit`` 0 copies nothing (the sweep directory is shared storage)."""
        exit_code = self.popen.poll()
        events = _read_from(self.directory / EVENTS_FILE, self.events_start + events_offset, limit)
        stderr = _read_from(self.directory / STDERR_FILE, self.stderr_start + stderr_offset, limit)
        more = limit > 0 and (len(events) == limit or len(stderr) == limit)
        return {"exit_code": exit_code, "events": events, "stderr": stderr, "more": more, **self.info()}

    def signal(self, signum: int, stop_request: dict[str, str] | None = None) -> bool:
        """Signal the trainer's process group, first leaving the stop request the trainer copies into
        its end event; False when the trainer has already exited."""
        if self.popen.poll() is not None:
            return False
        if stop_request is not None:
            write_stop_request(self.directory, by=stop_request["by"], reason=stop_request["reason"])
        try:
            os.killpg(self.popen.pid, signum)
        except ProcessLookupError:
            return False
        return True
