"""Forked worker processes handing answers back through shared memory (``seedtui.core.forked_work``),
and ``read_recordings`` on top of them when workers fail."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from seedtui.core import forked_work, recording
from seedtui.core.forked_work import ForkedWork, shares
from seedtui.log import iter_event_files, read_events

pytestmark = pytest.mark.skipif(not forked_work.can_fork(), reason="worker processes are forked")
SAMPLE_LOGS = Path(__file__).resolve().parents[2] / "sample_logs"


def test_shares_are_consecutive_runs_of_about_equal_size() -> None:
    assert shares([10] * 10, 2) == [range(0, 5), range(5, 10)]
    assert shares([1] * 7, 3) == [range(0, 3), range(3, 5), range(5, 7)]
    assert shares([100, 1, 1, 1, 1], 2) == [range(0, 1), range(1, 5)]  # by size, not by count
    assert shares([], 2) == [range(0, 0), range(0, 0)]
    assert shares([0, 0, 0], 2) == [range(0, 2), range(2, 3)]  # sizes unknown: by count
    for sizes, workers in (([5, 1, 9, 2, 2, 7, 1], 3), ([3], 4), ([1, 2], 5)):
        runs = shares(sizes, workers)
        assert len(runs) == workers and runs[0].start == 0 and runs[-1].stop == len(sizes)
        assert all(a.stop == b.start for a, b in zip(runs, runs[1:], strict=False))


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
    pids = [pid for pid in work._pids if pid is not None]
    assert len(pids) == 3 and os.getpid() not in pids
    answers = list(work)
    expected = [None if i in (13, 21, 30) else str(i).encode() * i for i in items]
    assert answers == expected
    assert _exited(pids)
    assert list(work) == []  # spent


def test_a_worker_that_dies_leaves_the_rest_of_its_share_to_the_caller() -> None:
    def dies_at_5(item: object) -> bytes:
        if item == 5:
            os._exit(3)
        return b"%d" % int(item)  # type: ignore[call-overload]

    work = ForkedWork(list(range(20)), [1] * 20, dies_at_5, workers=2)  # shares 0-9 and 10-19
    pids = [pid for pid in work._pids if pid is not None]
    answers = list(work)
    assert answers[:5] == [b"0", b"1", b"2", b"3", b"4"] and answers[5:10] == [None] * 5
    assert answers[10:] == [b"%d" % i for i in range(10, 20)]
    assert _exited(pids)


def test_closing_early_stops_and_reaps_the_workers() -> None:
    def slow(item: object) -> bytes:
        if int(item) > 3:  # type: ignore[call-overload]
            time.sleep(60)  # never finishes unless stopped
        return b"ok"

    work = ForkedWork(list(range(10)), [1] * 10, slow, workers=2)
    pids = [pid for pid in work._pids if pid is not None]
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
