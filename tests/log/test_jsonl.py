"""The one JSON-lines reader and tail, and every tail built on it: the trial event log's, the
decisions', the control channel's. Each must give the same answers for a partial last line, a
truncated file and a replaced file (the separate tailers they replace treated these differently)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from seedtui.log import EventTail, JsonlTail, read_jsonl
from seedtui.log.control import command_tail
from seedtui.log.decisions import DecisionTail
from seedtui.log.files import CONTROL_FILE, DECISIONS_FILE, EVENTS_FILE
from seedtui.log.jsonl import (
    MAX_LINE_BYTES,
    complete_lines_length,
    decode_lines,
    file_size,
    parse_jsonl,
    read_bytes_from,
)


def _event(n: int) -> dict[str, Any]:
    return {"event": "eval", "t": float(n), "step": n, "epoch": n / 10, "metrics": {"acc": 0.5}, "score": 0.5}


def _decision(n: int) -> dict[str, Any]:
    return {"rule": "tfp", "trial": f"wi{n}-do1", "action": "stop", "rung": 0.5, "t": float(n)}


def _command(n: int) -> dict[str, Any]:
    return {"t": float(n), "id": f"c{n}", "action": "pause", "args": {}}


# (name, file name, make a tail of the file in a directory, a valid record number n)
TAILS: list[tuple[str, str, Callable[[Path], Any], Callable[[int], dict[str, Any]]]] = [
    ("jsonl", "any.jsonl", lambda d: JsonlTail(d / "any.jsonl"), _decision),
    ("events", EVENTS_FILE, lambda d: EventTail(d / EVENTS_FILE), _event),
    ("decisions", DECISIONS_FILE, lambda d: DecisionTail(d), _decision),
    ("control", CONTROL_FILE, lambda d: command_tail(d), _command),
]


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, separators=(",", ":")) + "\n"


@dataclass
class TailCase:
    """One kind of tailed file: its path, a new tail of it, and its n-th valid record."""

    path: Path
    new_tail: Callable[[], Any]
    record: Callable[[int], dict[str, Any]]


@pytest.fixture(params=TAILS, ids=[t[0] for t in TAILS])
def case(request: pytest.FixtureRequest, tmp_path: Path) -> TailCase:
    _, file_name, make_tail, record = request.param
    return TailCase(tmp_path / file_name, lambda: make_tail(tmp_path), record)


def test_every_tail_waits_for_a_partial_last_line(case: TailCase) -> None:
    tail = case.new_tail()
    assert tail.poll() == []  # no file yet
    whole, cut = _line(case.record(1)), _line(case.record(2))
    case.path.write_text(whole + cut[:7])
    assert tail.poll() == [case.record(1)]
    assert tail.offset == len(whole)
    with open(case.path, "a") as handle:
        handle.write(cut[7:] + "not json\n\n")
    assert tail.poll() == [case.record(2)]
    assert tail.malformed == 1 and tail.poll() == []


def test_every_tail_starts_over_on_a_truncated_file(case: TailCase) -> None:
    tail = case.new_tail()
    case.path.write_text(_line(case.record(1)) + _line(case.record(2)))
    assert len(tail.poll()) == 2
    case.path.write_text(_line(case.record(3)))  # truncated and rewritten: shorter than what was read
    assert tail.poll() == [case.record(3)]
    assert tail.restarts == 1


def test_every_tail_starts_over_on_a_replaced_file(case: TailCase) -> None:
    """A file replaced under the same name (moved aside for a re-run, written atomically, rotated)
    is a new file even when it is as long as or longer than the old one."""
    tail = case.new_tail()
    case.path.write_text(_line(case.record(1)))
    assert tail.poll() == [case.record(1)]
    replacement = case.path.with_name("replacement.tmp")
    replacement.write_text(_line(case.record(2)) + _line(case.record(3)))
    os.replace(replacement, case.path)
    assert tail.poll() == [case.record(2), case.record(3)]
    assert tail.restarts == 1


def test_a_final_poll_takes_the_cut_last_line(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"a": 1}\n{"a": 2}')
    tail = JsonlTail(path)
    assert tail.poll() == [{"a": 1}]
    assert tail.poll(final=True) == [{"a": 2}]
    assert read_jsonl(path, final=True).records == [{"a": 1}, {"a": 2}]


def test_a_tail_resumes_from_a_saved_offset(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"a": 1}\n{"a": 2}\n')
    assert JsonlTail(path, offset=9).poll() == [{"a": 2}]


def test_the_validator_rejects_and_counts(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"a": 1}\n{"b": 2}\n[1]\n')
    result = read_jsonl(path, validate=lambda r: [] if "a" in r else ["no a"])
    assert result.records == [{"a": 1}] and result.malformed == 2 and result.offset == path.stat().st_size


def test_the_batch_decoder_gives_the_line_by_line_answer() -> None:
    lines = [b'{"a": 1}', b'{"b": NaN}', b'{"c": 3}']
    assert decode_lines(lines) == ([{"a": 1}, {"b": pytest.approx(float("nan"), nan_ok=True)}, {"c": 3}], 0)
    # two objects glued on one line, and a broken one: the batch cannot be trusted, each line counts
    assert decode_lines([b'{"a": 1}', b'{"a": 2}{"a": 3}', b'{"x"']) == ([{"a": 1}], 2)
    assert decode_lines([b'{"a": 1}', b'{"b": [}']) == ([{"a": 1}], 1)


def test_overlong_lines_and_skipped_prefixes() -> None:
    data = b'{"event":"train","x":1}\n' + b'{"a":"' + b"x" * MAX_LINE_BYTES + b'"}\n{"a": 2}\n'
    records, malformed, consumed = parse_jsonl(data, final=False, skip_prefix=b'{"event":"train"')
    assert records == [{"a": 2}] and malformed == 1 and consumed == len(data)


def test_byte_helpers(tmp_path: Path) -> None:
    path = tmp_path / "f"
    assert file_size(path) == 0 and read_bytes_from(path, 0) is None
    path.write_bytes(b"abc\ndef")
    assert file_size(path) == 7
    assert read_bytes_from(path, 2) == b"c\ndef" and read_bytes_from(path, 2, 3) == b"c\nd"
    assert complete_lines_length(b"abc\ndef") == 4 and complete_lines_length(b"abc") == 0
