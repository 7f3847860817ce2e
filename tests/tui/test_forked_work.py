"""Forked worker processes handing answers back through shared memory (``seedtui.core.forked_work``),
and ``read_recordings`` on top of them when workers fail."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from seedtui.core import forked_work, recording
from seedtui.core.forked_work import ForkedWork, chunks
from seedtui.log import iter_event_files, read_events

pytestmark = pytest.mark.skipif(not forked_work.can_fork(), reason="worker processes are forked")
SAMPLE_LOGS = Path(__file__).resolve().parents[2] / "sample_logs"


def test_items_are_cut_into_consecutive_chunks() -> None:
    assert chunks(20, 8) == [range(0, 8), range(8, 16), range(16, 20)]
    assert chunks(0) == [] and chunks(3, 8) == [range(0, 3)]
    many = chunks(100_000, 8)  # at most _MAX_CHUNKS numbers wait in the pipe
    assert len(many) <= forked_work._MAX_CHUNKS and many[-1].stop == 100_000
    assert all(a.stop == b.start for a, b in zip(many, many[1:], strict=False))


def _answer(item: object) -> bytes | None:
    value = int(item)  # type: ignore[call-overload]
    if value == 13:
        raise RuntimeError("the work failed")
    if value == 21:
        return None  # the work has no answer
    if value == 30:
        return b"x" * (forked_work.ROOM_SLACK + 100)  # more than the worker's room
    return str(value).encode() * value


def _exited(pids: list[int]) -> bool:
    """Every process was waited for (no zombie left behind)."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue
        return False
    return True


def test_answers_come_back_in_order_and_failures_are_left_to_the_caller() -> None:
    items = list(range(40))
    work = ForkedWork(items, [1] * len(items), _answer, workers=3)
    pids = list(work._pids)
    assert len(pids) == 3 and os.getpid() not in pids
    answers = list(work)
    expected = [None if i in (13, 21, 30) else str(i).encode() * i for i in items]
    assert answers == expected
    assert _exited(pids)
    assert list(work) == []  # spent


def test_a_worker_that_dies_leaves_the_rest_of_its_chunk_to_the_caller() -> None:
    def dies_at_5(item: object) -> bytes:
        if item == 5:
            os._exit(3)
        return b"%d" % int(item)  # type: ignore[call-overload]

    work = ForkedWork(list(range(40)), [1] * 40, dies_at_5, workers=2)  # chunks 0-7, 8-15, ...
    pids = list(work._pids)
    answers = list(work)
    assert answers[:5] == [b"0", b"1", b"2", b"3", b"4"] and answers[5:8] == [None] * 3
    assert answers[8:] == [b"%d" % i for i in range(8, 40)]  # the other worker took every other chunk
    assert _exited(pids)


def test_closing_early_stops_and_reaps_the_workers() -> None:
    def slow(item: object) -> bytes:
        if int(item) > 3:  # type: ignore[call-overload]
            time.sleep(60)  # never finishes unless stopped
        return b"ok"

    work = ForkedWork(list(range(20)), [1] * 20, slow, workers=2)
    pids = list(work._pids)
    assert next(work) == b"ok"
    work.close()
    assert _exited(pids)
    assert list(work) == []


def test_logs_a_dead_worker_did_not_parse_are_parsed_by_the_caller(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    paths = list(iter_event_files(SAMPLE_LOGS))
    assert len(paths) >= recording.PARALLEL_MIN_LOGS
    parse_in_worker = recording._parse_in_worker

    def dies_on_the_third(path: object, keep: bool) -> bytes:
        if path == paths[2]:
            os._exit(1)
        return parse_in_worker(path, keep)  # type: ignore[arg-type]

    monkeypatch.setattr(recording, "_parse_in_worker", dies_on_the_third)
    monkeypatch.setenv("SEEDTUI_CACHE_DIR", str(tmp_path))
    for cache in (True, False):  # answers as pack entries, and as pickles
        read = list(recording.read_recordings(paths, workers=2, cache=cache))
        assert len(read) == len(paths)
        for path, got in zip(paths, read, strict=True):
            assert got.events() == read_events(path, final=True).events, path
