"""Parsed logs kept on disk (``seedtui.core.recording_cache``): a kept recording is the parsed one,
and is used only for the log exactly as it was."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from seedtui.core import recording_cache
from seedtui.core.recording import parse_recording, read_recording, read_recordings
from seedtui.log import iter_event_files

SAMPLE = Path(__file__).resolve().parents[2] / "sample_logs" / "cola-minilm-5x5"


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("SEEDTUI_CACHE_DIR", str(directory))
    return directory


@pytest.fixture()
def logs(tmp_path: Path) -> list[Path]:
    copied = tmp_path / "sweep"
    shutil.copytree(SAMPLE / "trials", copied / "trials")
    return list(iter_event_files(copied))


def _assert_same(a: object, b: object) -> None:
    for name in ("times", "train_rows", "train_steps", "train_epochs", "train_losses", "train_lrs",
                 "other_rows"):
        left, right = getattr(a, name), getattr(b, name)
        assert left.dtype == right.dtype and np.array_equal(left, right, equal_nan=True), name
    assert a.other_events == b.other_events and a.malformed == b.malformed  # type: ignore[attr-defined]
    assert repr(a.events()) == repr(b.events())  # type: ignore[attr-defined]


def test_a_kept_recording_is_the_parsed_one_and_is_used_the_next_time(cache: Path, logs: list[Path]) -> None:
    path = logs[0]
    parsed = parse_recording(path.read_bytes())
    first = read_recording(path, cache=True)  # parsed, then kept
    _assert_same(first, parsed)
    assert len(list(cache.glob("*.log-columns"))) == 1
    kept = recording_cache.load(path)
    assert kept is not None
    _assert_same(kept, parsed)
    _assert_same(read_recording(path, cache=True), parsed)
    assert read_recording(path).malformed == parsed.malformed  # without cache: parsed, not looked up


def test_a_changed_log_is_parsed_again(cache: Path, logs: list[Path]) -> None:
    path = logs[0]
    read_recording(path, cache=True)
    with path.open("a", encoding="utf-8") as log:
        log.write('{"event":"note","t":1700000999.5}\n')
    assert recording_cache.load(path) is None  # its size and time changed
    again = read_recording(path, cache=True)
    assert again.other_events[-1] == {"event": "note", "t": 1700000999.5}
    _assert_same(again, parse_recording(path.read_bytes()))
    replaced = path.with_name("other.jsonl")  # same size and content, another file (inode): no hit
    shutil.copy(path, replaced)
    os.replace(replaced, path)
    assert recording_cache.load(path) is None


def test_a_damaged_or_foreign_cache_file_is_ignored(cache: Path, logs: list[Path]) -> None:
    path = logs[0]
    read_recording(path, cache=True)
    (kept,) = cache.glob("*.log-columns")
    good = kept.read_bytes()
    for damaged in (b"", good[:-5], good[:40], b"not ours", good.replace(b'"format":1', b'"format":9'),
                    good[: good.index(b"\n", len(recording_cache.MAGIC)) + 1] + b"\x00" * (len(good) - 200)):
        kept.write_bytes(damaged)
        assert recording_cache.load(path) is None
        _assert_same(read_recording(path, cache=True), parse_recording(path.read_bytes()))


def test_the_cache_is_off_or_unwritable_and_logs_still_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                            logs: list[Path]) -> None:
    monkeypatch.setenv("SEEDTUI_CACHE_DIR", "off")
    assert recording_cache.cache_dir() is None
    _assert_same(read_recording(logs[0], cache=True), parse_recording(logs[0].read_bytes()))
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("SEEDTUI_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    _assert_same(read_recording(logs[0], cache=True), parse_recording(logs[0].read_bytes()))
    monkeypatch.delenv("SEEDTUI_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert recording_cache.cache_dir() == tmp_path / "xdg" / "seedtui" / "logs"


def test_what_json_would_change_is_not_kept(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text('{"event":"note","t":1.5,"x":NaN}\n{"event":"note","t":2.5}\n', encoding="utf-8")
    read = read_recording(path, cache=True)
    assert not list(cache.glob("*.log-columns")) and len(read.other_events) == 2


def test_what_json_carries_exactly_is_kept_nulls_included(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text('{"event":"note","t":1.5,"x":null,"y":[1e-310,-0.0,12345678901234567]}\n'
                    '{"event":"note","t":2.5,"s":"\\u00e9"}\n', encoding="utf-8")
    read = read_recording(path, cache=True)
    assert len(list(cache.glob("*.log-columns"))) == 1
    kept = recording_cache.load(path)
    assert kept is not None and repr(kept.other_events) == repr(read.other_events)
    assert kept.other_events[0]["x"] is None and kept.other_events[1]["s"] == "\u00e9"


def test_which_logs_are_kept_is_one_listing(cache: Path, logs: list[Path], monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    read_recording(logs[1], cache=True)
    read_recording(logs[3], cache=True)
    monkeypatch.chdir(logs[3].parent)
    asked = [*logs[:5], Path("events.jsonl"), tmp_path / "nowhere" / "events.jsonl"]
    assert recording_cache.have_kept(asked) == [False, True, False, True, False, True, False]
    monkeypatch.setenv("SEEDTUI_CACHE_DIR", "off")
    assert recording_cache.have_kept(asked) == [False] * len(asked)
    monkeypatch.setenv("SEEDTUI_CACHE_DIR", str(tmp_path / "never-made"))
    assert recording_cache.have_kept(asked) == [False] * len(asked)


def test_many_logs_read_kept_and_parsed_in_their_order(cache: Path, logs: list[Path], tmp_path: Path) -> None:
    many = []
    for copy_number in range(3):  # 75 logs: enough for the worker processes
        for path in logs:
            target = tmp_path / f"copy{copy_number}" / path.parent.name / "events.jsonl"
            target.parent.mkdir(parents=True)
            shutil.copy(path, target)
            many.append(target)
    for path in many[::2]:  # every other log kept beforehand
        read_recording(path, cache=True)
    expected = [parse_recording(path.read_bytes()) for path in many]
    for got, wanted in zip(read_recordings(many, workers=2), expected, strict=True):
        _assert_same(got, wanted)
    assert len(list(cache.glob("*.log-columns"))) == len(many)  # the workers kept the rest
    for got, wanted in zip(read_recordings(many, workers=2), expected, strict=True):
        _assert_same(got, wanted)


def test_beyond_the_limit_the_least_recently_used_half_goes(cache: Path, logs: list[Path],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recording_cache, "MAX_FILES", 10)
    monkeypatch.setattr(recording_cache, "_pruned", True)  # this process pruned already: nothing goes
    for path in logs[:12]:
        read_recording(path, cache=True)
    assert len(list(cache.glob("*.log-columns"))) == 12
    recording_cache.load(logs[0])  # used: kept over older ones
    monkeypatch.setattr(recording_cache, "_pruned", False)
    read_recording(logs[12], cache=True)
    left = list(cache.glob("*.log-columns"))
    assert len(left) == 7  # 13 files, the 6 least recently used deleted
    assert recording_cache.load(logs[0]) is not None and recording_cache.load(logs[12]) is not None


def test_a_log_reached_through_a_link_or_empty_reads_as_parsed(cache: Path, logs: list[Path],
                                                               tmp_path: Path) -> None:
    link = tmp_path / "linked"
    link.symlink_to(logs[0].parent)
    for path in (logs[0], link / logs[0].name, logs[0], link / logs[0].name):
        _assert_same(read_recording(path, cache=True), parse_recording(logs[0].read_bytes()))
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    for _ in range(2):
        (got,) = read_recordings([empty])
        assert len(got) == 0 and got.malformed == 0
