"""Work on many items in forked worker processes that hand their answers back through shared memory.

``read_recordings`` parses a sweep's logs this way. It used a ``ProcessPoolExecutor`` before, whose
parent hands out tasks and reads answers in a thread that needs the interpreter: while the app
started (Textual holds the interpreter for 0.1-0.2 s) and while it drew, the workers waited for
work and for their answers to be read. Here nothing a worker needs comes from the parent once it
is forked:

- the items are cut into runs (*chunks*) whose numbers wait in a pipe written before the workers
  start; each worker takes the next number when it is free, so a worker on a busier core does
  fewer (a read of 4 bytes from a pipe is whole and taken by one reader);
- each chunk has its own room in memory shared with the parent (anonymous and shared, so only
  what is written takes memory); a worker writes each answer there and says which item it is and
  where it lies through one pipe shared by all workers (24 bytes, which a pipe never interleaves).

Workers are forked: the function they run and everything it reads are the parent's own, nothing is
pickled on the way there. Work that raises, an answer too big for its chunk's room, or a worker
that dies: the answer is None, and the caller does that item itself.
"""

from __future__ import annotations

import contextlib
import gc
import math
import mmap
import multiprocessing as mp
import os
import signal
import struct
from collections.abc import Callable, Iterator, Sequence

_CHUNK = struct.Struct("<i")
_ANSWER = struct.Struct("<qqq")
"""What a worker writes for each item: its index, and offset and length of its answer in the shared
memory (a length of -1 says it has none)."""
_NONE = -1
ROOM_PER_BYTE = 1.5
"""Shared memory reserved for answers per byte of the items (plus ``ROOM_SLACK`` a chunk): a parsed
log is smaller than the log (0.6 of it at the paper's scale)."""
ROOM_SLACK = 1 << 16
CHUNK_ITEMS = 8
"""Items a worker takes at once: few, so that workers finish together; answers come back nearly in
order, as the parent hands them out."""
_MAX_CHUNKS = 2048
"""At most this many chunks (4 bytes each), so that their numbers fit in a pipe's buffer (64 KB on
Linux, 16 KB at least on macOS) before any worker reads one: writing them never waits."""


def can_fork() -> bool:
    """True where worker processes can be forked (Linux and the other Unixes, not Windows)."""
    return hasattr(os, "fork") and "fork" in mp.get_all_start_methods()


def chunks(count: int, chunk_items: int = CHUNK_ITEMS) -> list[range]:
    """``count`` items cut into consecutive runs of ``chunk_items`` (more when there would be more
    than ``_MAX_CHUNKS`` runs), in order."""
    size = max(chunk_items, math.ceil(count / _MAX_CHUNKS), 1)
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


class ForkedWork:
    """``work(item)`` for every item, computed in ``workers`` forked processes (started at once) and
    returned in order by iterating: its bytes, or None where the caller must do the item itself.
    ``close`` (also at the end of the iteration) stops and reaps the workers."""

    def __init__(self, items: Sequence[object], sizes: Sequence[int],
                 work: Callable[[object], bytes | None], workers: int) -> None:
        if len(sizes) != len(items):
            raise ValueError("one size per item")
        self._items = items
        self._chunks = chunks(len(items))
        rooms = [int(sum(max(0, sizes[i]) for i in chunk) * ROOM_PER_BYTE) + ROOM_SLACK
                 for chunk in self._chunks]
        self._starts = [0]
        for room in rooms[:-1]:
            self._starts.append(self._starts[-1] + room)
        self._rooms = rooms
        self._memory = mmap.mmap(-1, max(1, sum(rooms)))  # anonymous and shared with forked workers
        self._pids: list[int] = []
        self._found: dict[int, tuple[int, int]] = {}
        self._unread = b""
        self._next = 0
        self._answers: int | None = None
        task_read, task_write = os.pipe()
        try:
            os.write(task_write, b"".join(_CHUNK.pack(number) for number in range(len(self._chunks))))
        finally:
            os.close(task_write)  # a worker that finds the pipe empty has nothing left to take
        answer_read, answer_write = os.pipe()
        try:
            for _ in range(min(workers, len(self._chunks))):
                self._fork(work, task_read, answer_read, answer_write)
        except OSError:
            os.close(answer_write)
            os.close(answer_read)
            self._stop_workers()
            self._memory.close()
            raise
        finally:
            os.close(task_read)
        os.close(answer_write)  # the workers hold it: once all have ended, reading it finds the end
        self._answers = answer_read

    def _fork(self, work: Callable[[object], bytes | None], tasks: int, answers_read: int,
              answers: int) -> None:
        pid = os.fork()
        if pid == 0:  # the worker: it never returns into the caller's code
            try:
                os.close(answers_read)
                self._run(work, tasks, answers)
            finally:
                os._exit(0)
        self._pids.append(pid)

    def _run(self, work: Callable[[object], bytes | None], tasks: int, answers: int) -> None:
        with contextlib.suppress(ValueError):  # Ctrl-C in a terminal not in raw mode: the parent's
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        gc.freeze()  # what the parent made is never this process's garbage: collections skip it
        while taken := os.read(tasks, _CHUNK.size):
            (number,) = _CHUNK.unpack(taken)
            at = self._starts[number]
            end = at + self._rooms[number]
            for index in self._chunks[number]:
                try:
                    answer = work(self._items[index])
                except Exception:
                    answer = None
                if answer is None or at + len(answer) > end:
                    os.write(answers, _ANSWER.pack(index, 0, _NONE))
                    continue
                self._memory[at : at + len(answer)] = answer
                os.write(answers, _ANSWER.pack(index, at, len(answer)))  # after the answer is there
                at += len(answer)

    def __iter__(self) -> Iterator[bytes | None]:
        return self

    def __next__(self) -> bytes | None:
        index = self._next
        if index >= len(self._items) or self._memory.closed:
            self.close()
            raise StopIteration
        self._next += 1
        while index not in self._found and self._read_answers():
            pass
        where = self._found.pop(index, None)
        answer = None
        if where is not None and where[1] != _NONE:
            offset, length = where
            answer = self._memory[offset : offset + length]
        if self._next == len(self._items):
            self.close()  # every answer is taken: the workers have ended, or are about to
        return answer

    def _read_answers(self) -> bool:
        """Read what the workers said since; False once they have all ended (nothing more comes)."""
        if self._answers is None:
            return False
        try:
            data = os.read(self._answers, 4096 * _ANSWER.size)
        except OSError:
            data = b""
        if not data:
            os.close(self._answers)
            self._answers = None
            return False
        data = self._unread + data
        whole = len(data) - len(data) % _ANSWER.size
        for index, offset, length in _ANSWER.iter_unpack(data[:whole]):
            self._found[index] = (offset, length)
        self._unread = data[whole:]
        return True

    def _stop_workers(self) -> None:
        """Stop the workers still running (those whose answers were all taken have ended) and wait
        for every one of them."""
        taken_all = self._next >= len(self._items)
        for pid in self._pids:
            if not taken_all:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self._pids = []

    def close(self) -> None:
        """Stop every worker still running, wait for them, and free the shared memory."""
        self._stop_workers()
        if self._answers is not None:
            os.close(self._answers)
            self._answers = None
        if not self._memory.closed:
            self._memory.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()
