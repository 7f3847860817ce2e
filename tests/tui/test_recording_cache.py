"""Parsed logs kept on disk (``seedtui.core.recording_cache``): one pack per batch of logs; a kept
recording is the parsed one, and is used only for the log exactly as it was."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from seedtui import cache_dirs
from seedtui.core import recording, recording_cache
from seedtui.core.recording import parse_recording, read_recordings
from seedtui.log import iter_event_files
from trainers.config import default_cache_dir

SAMPLE = Path(__file__).resolve().parents[2] / "sample_logs" / "cola-minilm-5x5"


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SEEDTUI_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "logs"


@pytest.fixture()
def logs(tmp_path: Path) -> list[Path]:
    copied = tmp_path / "sweep"
    shutil.copytree(SAMPLE / "trials", copied / "trials")
    return list(iter_event_files(copied))


@pytest.fixture()
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The logs parsed in this process from now on (read with ``workers=1``: none in workers)."""
    parsed: list[str] = []
    original = recording.read_recording

    def counted(path: str | os.PathLike[str]) -> recording.TrialRecording:
        parsed.append(os.path.basename(os.path.dirname(path)))
        return original(path)

    monkeypatch.setattr(recording, "read_recording", counted)
    return parsed


def _read(paths: list[Path], workers: int = 1) -> list[recording.TrialRecording]:
    return list(read_recordings(paths, workers=workers))


def _assert_same(a: object, b: object) -> None:
    for name in ("times", "train_rows", "train_steps", "train_epochs", "train_losses", "train_lrs",
                 "other_rows"):
        left, right = getattr(a, name), getattr(b, name)
        assert left.dtype == right.dtype and np.array_equal(left, right, equal_nan=True), name
    assert a.other_events == b.other_events and a.malformed == b.malformed  # type: ignore[attr-defined]
    assert repr(a.events()) == repr(b.events())  # type: ignore[attr-defined]


def _assert_parsed(got: list[recording.TrialRecording], paths: list[Path]) -> None:
    assert len(got) == len(paths)
    for one, path in zip(got, paths, strict=True):
        _assert_same(one, parse_recording(path.read_bytes()))


def test_kept_recordings_are_the_parsed_ones_and_are_used_the_next_time(
        cache: Path, logs: list[Path], parses: list[str]) -> None:
    _assert_parsed(_read(logs), logs)
    assert len(parses) == len(logs)
    recording_cache.finish_writing()
    (pack,) = cache.iterdir()  # one pack for the batch, named after the directory holding every log
    assert pack == recording_cache.pack_file(logs, cache) and pack.name.endswith(".logs-pack")
    parses.clear()
    _assert_parsed(_read(logs), logs)
    assert parses == []  # every recording came from the pack (the read waited for it to be written)
    assert list(read_recordings(logs, workers=1, cache=False)) and len(parses) == len(logs)  # cache=False


def test_a_changed_log_is_parsed_again_and_only_it(cache: Path, logs: list[Path], parses: list[str]) -> None:
    _read(logs)
    with logs[3].open("a", encoding="utf-8") as log:
        log.write('{"event":"note","t":1700000999.5}\n')
    parses.clear()
    got = _read(logs)
    _assert_parsed(got, logs)
    assert parses == [logs[3].parent.name] and got[3].other_events[-1] == {"event": "note", "t": 1700000999.5}
    parses.clear()
    _read(logs)
    assert parses == []  # the pack was written again with the changed log
    replaced = logs[5].with_name("other.jsonl")  # same size and content, another file (inode)
    shutil.copy(logs[5], replaced)
    os.replace(replaced, logs[5])
    _assert_parsed(_read(logs), logs)
    assert parses == [logs[5].parent.name]


def test_a_damaged_or_foreign_pack_is_ignored(cache: Path, logs: list[Path], parses: list[str]) -> None:
    _read(logs)
    recording_cache.finish_writing()
    (pack,) = cache.iterdir()
    good = pack.read_bytes()
    header_end = good.index(b"\n", len(recording_cache.PACK_MAGIC)) + 1
    for damaged in (b"", good[:-5], good[:40], b"not ours", good[:header_end],
                    good.replace(b'"format":2', b'"format":9', 1),
                    good[:header_end] + b"\x00" * (len(good) - header_end)):
        pack.write_bytes(damaged)
        parses.clear()
        _assert_parsed(_read(logs), logs)
        recording_cache.finish_writing()
        assert len(parses) >= 1
    # a good index over one damaged entry: that log alone is parsed again
    pack.write_bytes(good)
    at = good.index(recording_cache.ENTRY_MAGIC, header_end) + 3  # inside the first entry's magic
    pack.write_bytes(good[:at] + b"X" + good[at + 1 :])
    parses.clear()
    _assert_parsed(_read(logs), logs)
    assert parses == [logs[0].parent.name]


def test_the_cache_is_off_or_unwritable_and_logs_still_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                            logs: list[Path]) -> None:
    for off in ("off", "OFF", "0", "no", ""):
        monkeypatch.setenv("SEEDTUI_CACHE_DIR", off)
        assert recording_cache.cache_dir() is None and cache_dirs.cache_root() is None
        assert default_cache_dir() is None  # nor the trainer's tokenization cache
    _assert_parsed(_read(logs), logs)
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("SEEDTUI_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    _assert_parsed(_read(logs), logs)
    assert not recording_cache.store_pack(logs, [None] * len(logs))


def test_one_root_for_every_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SEEDTUI_CACHE_DIR", str(tmp_path / "root"))
    assert recording_cache.cache_dir() == tmp_path / "root" / "logs"
    assert default_cache_dir() == str(tmp_path / "root" / "tokenized")
    monkeypatch.delenv("SEEDTUI_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert recording_cache.cache_dir() == tmp_path / "xdg" / "seedtui" / "logs"
    assert default_cache_dir() == str(tmp_path / "xdg" / "seedtui" / "tokenized")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert recording_cache.cache_dir() == tmp_path / "home" / ".cache" / "seedtui" / "logs"


def test_what_json_would_change_is_not_kept_and_the_rest_is(cache: Path, tmp_path: Path,
                                                           parses: list[str]) -> None:
    odd = tmp_path / "sweep" / "odd" / "events.jsonl"
    plain = tmp_path / "sweep" / "plain" / "events.jsonl"
    for path in (odd, plain):
        path.parent.mkdir(parents=True)
    odd.write_text('{"event":"note","t":1.5,"x":NaN}\n{"event":"note","t":2.5}\n', encoding="utf-8")
    plain.write_text('{"event":"note","t":1.5,"x":null,"y":[1e-310,-0.0,12345678901234567]}\n'
                     '{"event":"note","t":2.5,"s":"\\u00e9"}\n', encoding="utf-8")
    first = _read([odd, plain])
    assert len(first[0].other_events) == 2
    parses.clear()
    again = _read([odd, plain])
    assert parses == ["odd"]  # NaN would come back null: parsed each time; the nulls are exact
    assert repr(again[1].other_events) == repr(first[1].other_events)
    assert again[1].other_events[0]["x"] is None and again[1].other_events[1]["s"] == "\u00e9"


def test_many_logs_read_kept_and_parsed_in_their_order(cache: Path, logs: list[Path], tmp_path: Path,
                                                       parses: list[str]) -> None:
    many = []
    for copy_number in range(4):  # 100 logs
        for path in logs:
            target = tmp_path / "many" / f"copy{copy_number}" / path.parent.name / "events.jsonl"
            target.parent.mkdir(parents=True)
            shutil.copy(path, target)
            many.append(target)
    _read(many[::4])  # a log in four kept beforehand (the same directory holds them: one pack)
    parses.clear()
    _assert_parsed(_read(many, workers=2), many)  # the 75 others parsed in worker processes
    assert parses == []
    _assert_parsed(_read(many), many)
    assert parses == []  # what the workers parsed was kept too
    recording_cache.finish_writing()
    assert len(list(cache.iterdir())) == 1


def test_a_read_stopped_early_keeps_nothing(cache: Path, logs: list[Path]) -> None:
    reading: Iterator[recording.TrialRecording] = read_recordings(logs, workers=1)
    next(reading)
    reading.close()  # type: ignore[attr-defined]
    assert not cache.exists() or not list(cache.iterdir())


def test_beyond_the_limit_the_least_recently_used_packs_go(cache: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    batches = []
    for number in range(6):
        path = tmp_path / f"sweep{number}" / "trials" / "t" / "events.jsonl"
        path.parent.mkdir(parents=True)
        path.write_text('{"event":"note","t":1.5,"pad":"' + "x" * 4000 + '"}\n', encoding="utf-8")
        batches.append([path])
    _read(batches[0])
    recording_cache.finish_writing()
    (pack,) = cache.iterdir()
    size = pack.stat().st_size
    older = [cache / ("0123abcd" * 5 + ".log-columns"), cache.parent / ("4567abcd" * 5 + ".log-columns")]
    for path in older:  # files of the older format, in the logs directory and in the root
        path.write_bytes(b"a file of the older format")
    (cache.parent / "notes.log-columns").write_bytes(b"not ours: its name is not a digest")
    monkeypatch.setattr(recording_cache, "MAX_BYTES", 5 * size + size // 2)
    for number, batch in enumerate(batches[1:5], start=1):
        os.utime(cache / recording_cache.pack_file(batches[number - 1], cache).name, ns=(number, number))
        _read(batch)
        recording_cache.finish_writing()
    os.utime(cache / recording_cache.pack_file(batches[4], cache).name, ns=(5, 5))  # (clock ticks are coarse)
    assert not any(path.exists() for path in older) and (cache.parent / "notes.log-columns").exists()
    assert len(list(cache.glob("*.logs-pack"))) == 5  # five fit under the limit: none went
    _read(batches[0])  # used again: the most recently used now
    _read(batches[5])  # six packs > the limit: the least recently used go until half is left
    recording_cache.finish_writing()
    left = {path.name for path in cache.glob("*.logs-pack")}
    assert left == {recording_cache.pack_file(batches[n], cache).name for n in (0, 5)}


def test_a_log_reached_through_a_link_or_empty_reads_as_parsed(cache: Path, logs: list[Path],
                                                               tmp_path: Path) -> None:
    link = tmp_path / "linked"
    link.symlink_to(logs[0].parent.parent)
    linked = [link / path.parent.name / path.name for path in logs]
    for batch in (logs, linked, logs, linked):
        _assert_parsed(_read(batch), logs)
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    for _ in range(2):
        (got,) = read_recordings([empty])
        assert len(got) == 0 and got.malformed == 0


def test_a_pack_is_written_a_moment_later_or_at_once_when_asked_for(cache: Path, logs: list[Path],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recording_cache, "STORE_AFTER_SECONDS", 3600.0)
    _read(logs)
    assert not cache.exists() or not list(cache.glob("*.logs-pack"))  # not yet: the app draws first
    kept = recording_cache.kept_logs(logs)  # the next read asks for it: written now
    assert all(kept.has(index) for index in range(len(logs)))
    (pack,) = cache.glob("*.logs-pack")
    _read(logs[:1])  # another batch (another pack): written when everything pending is finished
    recording_cache.finish_writing()
    assert len(list(cache.glob("*.logs-pack"))) == 2 and pack.exists()


def test_a_pack_not_written_yet_is_written_when_the_interpreter_exits(tmp_path: Path) -> None:
    import subprocess
    import sys

    sweep = tmp_path / "sweep"
    shutil.copytree(SAMPLE / "trials", sweep / "trials")
    # read in a daemon thread, as a replay reads (a thread it starts is a daemon unless told not to be)
    script = ("import sys, threading\nfrom seedtui.core import recording, recording_cache\n"
              "from seedtui.log import iter_event_files\n"
              "recording_cache.STORE_AFTER_SECONDS = 3600.0\n"
              "paths = list(iter_event_files(sys.argv[1]))\n"
              "reader = threading.Thread(target=lambda: list(recording.read_recordings(paths, workers=1)),"
              " daemon=True)\n"
              "reader.start()\nreader.join()\n")
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(repo), "SEEDTUI_CACHE_DIR": str(tmp_path / "c")}
    done = subprocess.run([sys.executable, "-c", script, str(sweep)], capture_output=True, text=True,
                          timeout=60, cwd=repo, env=env)  # far less than the hour it would otherwise wait
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "c" / "logs").glob("*.logs-pack"))) == 1
