"""One separate Python process for the app's statistics and planning jobs.

A summary of 625 trials is ~0.1 s of Python and importing scipy ~0.4 s more; in a worker thread
both hold the interpreter's lock that the UI thread needs to fold events and answer keys. The
worker threads hand ``function(*args)`` to this process instead and wait for the answer.

It is a plain ``python -c`` child (not ``multiprocessing``): it never imports the parent's
``__main__`` (a script without a ``__main__`` guard would run again in it) and needs no resource
tracker (which cannot start once Textual has captured ``sys.stderr``). Jobs and answers are
pickles on its stdin and stdout; it exits when its stdin closes. Nothing it prints reaches the
terminal the app draws on.
"""

from __future__ import annotations

import atexit
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import IO, Any, TypeVar

Result = TypeVar("Result")

_CHILD_CODE = (
    "import pickle, sys; sys.path[:] = pickle.load(sys.stdin.buffer); "
    "from seedtui.tui.stats_process import serve; serve()"
)
_lock = threading.Lock()
_child: subprocess.Popen[bytes] | None = None
_failed = False


def in_stats_process(function: Callable[..., Result], *args: Any) -> Result:
    """``function(*args)`` (both picklable) in the statistics process, started on first use and
    kept for the next jobs; computed in the calling thread instead, with the same result, when a
    value cannot be pickled or the process cannot start or dies. Jobs run one at a time. Call it
    from a worker thread: it waits for the answer. An exception ``function`` raises is raised here."""
    global _failed
    try:
        job = pickle.dumps((function, args), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return function(*args)  # a value that cannot travel to the process
    with _lock:
        child = None if _failed else _running_child()
        if child is not None:
            try:
                assert child.stdin is not None and child.stdout is not None
                child.stdin.write(job)
                child.stdin.flush()
                ok, answer = pickle.load(child.stdout)
            except (OSError, EOFError, pickle.UnpicklingError, ValueError):
                _failed = True  # it died: every later job is computed in its thread
                _end_child()
            else:
                if ok:
                    return answer  # type: ignore[no-any-return]
                raise answer
    return function(*args)


def _running_child() -> subprocess.Popen[bytes] | None:
    """The statistics process, started now if it is not running (None when it cannot start)."""
    global _child, _failed
    if _child is not None and _child.poll() is None:
        return _child
    try:
        _child = subprocess.Popen(
            [sys.executable, "-c", _CHILD_CODE], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, start_new_session=True,  # Ctrl-C is the app's, not its
        )
        assert _child.stdin is not None
        pickle.dump(sys.path, _child.stdin)  # it imports seedtui as this process does
        _child.stdin.flush()
    except (OSError, ValueError):
        _failed, _child = True, None
    return _child


@atexit.register
def _end_child() -> None:
    """Close its stdin: it exits after the job it is running."""
    global _child
    child, _child = _child, None
    if child is not None and child.stdin is not None:
        try:
            child.stdin.close()
        except OSError:
            pass


def serve(jobs: IO[bytes] | None = None, answers: IO[bytes] | None = None) -> None:
    """The process's loop: each pickled ``(function, args)`` read from ``jobs`` (stdin) is answered
    on ``answers`` (stdout) with ``(True, result)`` or ``(False, exception)``, until ``jobs`` ends.
    Whatever the jobs print goes nowhere: stdout is kept for the answers."""
    if answers is None:
        answers = os.fdopen(os.dup(1), "wb")
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the process's lifetime
    jobs = jobs if jobs is not None else sys.stdin.buffer
    while True:
        try:
            function, args = pickle.load(jobs)
        except EOFError:
            return
        try:
            reply: tuple[bool, Any] = (True, function(*args))
        except Exception as error:  # the caller raises it
            reply = (False, error)
        try:
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # an answer that cannot travel back
            data = pickle.dumps((False, RuntimeError(f"statistics process: {error}")))
        answers.write(data)
        answers.flush()
