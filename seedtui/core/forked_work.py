"""Work on many items in forked worker processes that hand their answers back through shared memory.

``read_recordings`` parses a sweep's logs this way. It used a ``ProcessPoolExecutor`` before, whose
parent hands out tasks and reads answers in a thread that needs the interpreter: while the app
started (Textual holds the interpreter for 0.1-0.2 s) and while it drew, the workers waited for
work and for their answers to be read. Here each worker is given its whole share when it is forked,
writes each answer into memory it shares with the parent, and tells where the answer lies through a
pipe (16 bytes an answer), so a worker never waits for the parent.

Workers are forked: the function they run and everything it reads are the parent's own, nothing is
pickled on the way there. A worker that dies, an answer too big for the room left, or work that
raises: the answer is None, and the caller does that item itself.
"""

from __future__ import annotations

import contextlib
import gc
import mmap
import multiprocessing as mp
import os
import signal
import struct
from collections.abc import Callable, Iterator, Sequence

_WHERE = struct.Struct("<qq")
"""What a worker writes to its pipe for each item: offset and length of the answer in the shared
memory; a length of -1 says it has none."""
_NONE = -1
ROOM_PER_BYTE = 1.5
"""Shared memory reserved for a worker's answers per byte of its items (plus ``ROOM_SLACK``): a
parsed log is smaller than the log (0.6 of it at the paper's scale). Only what is written takes
memory."""
ROOM_SLACK = 1 << 20


def can_fork() -> bool:
    """True where worker processes can be forked (Linux and the other Unixes, not Windows)."""
    return hasattr(os, "fork") and "fork" in mp.get_all_start_methods()


def shares(sizes: Sequence[int], workers: int) -> list[range]:
    """``workers`` runs of consecutive items (some maybe empty), in order, each of about the same
    total size (of the same count when no size is known)."""
    weights = [max(0, size) for size in sizes]
    if not any(weights):
        weights = [1] * len(sizes)
    total, bounds, done = sum(weights), [0], 0
    for index, weight in enumerate(weights):
        done += weight
        while len(bounds) < workers and done * workers >= len(bounds) * total:
            bounds.append(index + 1)
    bounds += [len(sizes)] * (workers + 1 - len(bounds))
    return [range(bounds[i], bounds[i + 1]) for i in range(workers)]


class ForkedWork:
    """``work(item)`` for every item, computed in ``workers`` forked processes (started at once, each
    with a consecutive share of about the same total ``sizes``) and returned in order by iterating:
    its bytes, or None where the caller must do the item itself. ``close`` (also at the end of the
    iteration) stops and reaps the workers."""

    def __init__(self, items: Sequence[object], sizes: Sequence[int],
                 work: Callable[[object], bytes | None], workers: int) -> None:
        if len(sizes) != len(items):
            raise ValueError("one size per item")
        self._items = items
        self._shares = shares(sizes, workers)
        rooms = [int(sum(sizes[i] for i in share) * ROOM_PER_BYTE) + ROOM_SLACK for share in self._shares]
        self._memory = mmap.mmap(-1, sum(rooms))  # anonymous and shared: forked workers write into it
        self._pids: list[int | None] = []
        self._pipes: list[int | None] = []
        self._unread = [b""] * workers
        """Bytes read from each worker's pipe and not used yet."""
        self._next = 0
        try:
            start = 0
            for share, room in zip(self._shares, rooms, strict=True):
                self._fork(share, start, room, work)
                start += room
        except OSError:
            self.close()
            raise

    def _fork(self, share: range, start: int, room: int, work: Callable[[object], bytes | None]) -> None:
        if not share:
            self._pids.append(None)
            self._pipes.append(None)
            return
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            raise
        if pid == 0:  # the worker: it never returns into the caller's code
            try:
                os.close(read_end)
                for pipe in self._pipes:  # the earlier workers' pipes
                    if pipe is not None:
                        os.close(pipe)
                self._run(share, start, room, work, write_end)
            finally:
                os._exit(0)
        os.close(write_end)
        self._pids.append(pid)
        self._pipes.append(read_end)

    def _run(self, share: range, start: int, room: int, work: Callable[[object], bytes | None],
             pipe: int) -> None:
        with contextlib.suppress(ValueError):  # Ctrl-C in a terminal not in raw mode: the parent's
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        gc.freeze()  # what the parent made is never this process's garbage: collections skip it
        at, end = start, start + room
        for index in share:
            try:
                answer = work(self._items[index])
            except Exception:
                answer = None
            if answer is None or at + len(answer) > end:
                os.write(pipe, _WHERE.pack(0, _NONE))
                continue
            self._memory[at : at + len(answer)] = answer
            os.write(pipe, _WHERE.pack(at, len(answer)))  # after the answer: the parent reads it next
            at += len(answer)

    def __iter__(self) -> Iterator[bytes | None]:
        return self

    def __next__(self) -> bytes | None:
        index = self._next
        if index >= len(self._items) or self._memory.closed:
            self.close()
            raise StopIteration
        self._next += 1
        worker = next(w for w, share in enumerate(self._shares) if index < share.stop)
        where = self._read_where(worker)
        if index == self._shares[worker].stop - 1:
            self._reap(worker)  # its last answer: it has ended, or is about to
        if where is None:
            return None
        offset, length = where
        return self._memory[offset : offset + length]

    def _read_where(self, worker: int) -> tuple[int, int] | None:
        """Where ``worker``'s next answer is; None when it has none or has died."""
        while len(self._unread[worker]) < _WHERE.size:
            pipe = self._pipes[worker]
            chunk = b""
            if pipe is not None:
                with contextlib.suppress(OSError):
                    chunk = os.read(pipe, 4096 * _WHERE.size)
            if not chunk:  # it died: the caller does the rest of its share
                self._reap(worker)
                return None
            self._unread[worker] += chunk
        offset, length = _WHERE.unpack_from(self._unread[worker])
        self._unread[worker] = self._unread[worker][_WHERE.size :]
        return None if length == _NONE else (offset, length)

    def _reap(self, worker: int) -> None:
        """Done with ``worker``: its pipe closed, its process stopped if it still runs, and waited for."""
        pipe, pid = self._pipes[worker], self._pids[worker]
        self._pipes[worker] = self._pids[worker] = None
        if pipe is not None:
            os.close(pipe)
        if pid is None:
            return
        if self._next < self._shares[worker].stop:  # answers not taken: stop it
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)

    def close(self) -> None:
        """Stop every worker still running, wait for them, and free the shared memory."""
        for worker in range(len(self._pids)):
            self._reap(worker)
        if not self._memory.closed:
            self._memory.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()
