"""The event-log contract: writing, validating and tolerant reading."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seedtui.log import (
    MAX_LINE_BYTES,
    EventLogError,
    EventTail,
    EventWriter,
    append_event,
    parse_lines,
    parse_trial_id,
    read_events,
    trial_id,
    validate_event,
)
from seedtui.log.events import run_start_offset
from seedtui.log.jsonl import read_first_record
from seedtui.testing.trial_log import start_fields


def test_trial_ids_round_trip() -> None:
    assert trial_id(7, 12) == "wi7-do12"
    assert parse_trial_id("wi7-do12") == (7, 12)
    assert parse_trial_id("wi7_do12") is None
    assert parse_trial_id("trial-3") is None


def test_writer_writes_valid_lines_and_reader_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "trials" / "wi7-do12" / "events.jsonl"
    with EventWriter(path) as writer:
        writer.write("start", **start_fields(7, 12))
        writer.write("train", step=1, epoch=0.1, loss=0.69, lr=2e-5)
        writer.write("eval", step=5, epoch=0.5, metrics={"acc": 0.5}, score=0.5)
        writer.write("end", status="completed", step=30, reason="done")
    result = read_events(path)
    assert [e["event"] for e in result.events] == ["start", "train", "eval", "end"]
    assert result.malformed == 0
    assert result.offset == path.stat().st_size
    assert all(isinstance(e["t"], float) for e in result.events)


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        ({"event": "train", "t": 1.0, "step": 1, "epoch": 0.1, "lr": 1e-5}, "missing field 'loss'"),
        ({"event": "train", "t": 1.0, "step": "1", "epoch": 0.1, "loss": 1.0, "lr": 1e-5}, "'step' must be"),
        ({"event": "end", "t": 1.0, "status": "exploded", "step": 3, "reason": ""}, "is not one of"),
        ({"event": "resume", "t": 1.0, "step": True}, "not bool"),
        ({"event": "eval", "step": 1, "epoch": 1.0, "metrics": {}, "score": 1.0}, "numeric field 't'"),
        ([1, 2], "JSON object"),
    ],
)
def test_validation_names_the_problem(event: object, problem: str) -> None:
    problems = validate_event(event)
    assert any(problem in p for p in problems), problems


def test_start_trial_must_match_its_seeds() -> None:
    fields = start_fields(7, 12)
    fields["trial"] = "wi1-do2"
    assert any("does not match" in p for p in validate_event({"event": "start", "t": 0.0, **fields}))


def test_unknown_events_and_fields_are_valid() -> None:
    assert validate_event({"event": "heartbeat", "t": 1.0, "gpu": 3}) == []
    assert validate_event({"event": "resume", "t": 1.0, "step": 4, "extra": [1]}) == []


def test_writer_refuses_invalid_events(tmp_path: Path) -> None:
    with EventWriter(tmp_path / "events.jsonl") as writer, pytest.raises(EventLogError, match="loss"):
        writer.write("train", step=1, epoch=0.1, lr=1e-5)
    assert (tmp_path / "events.jsonl").read_text() == ""


def test_nan_loss_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    append_event(path, "train", step=3, epoch=0.3, loss=float("nan"), lr=1e-5)
    [event] = read_events(path).events
    assert math.isnan(event["loss"])


def test_reader_survives_truncated_blank_garbage_huge_and_unknown_lines(tmp_path: Path) -> None:
    good = json.dumps({"event": "resume", "t": 1.0, "step": 4})
    huge = json.dumps({"event": "heartbeat", "t": 1.0, "blob": "x" * (MAX_LINE_BYTES + 10)})
    lines = [
        good,
        "",
        "   ",
        "not json at all",
        "{\"event\": \"train\", \"t\": 1.0",  # cut in the middle, but followed by a newline
        "[1, 2, 3]",
        "\x00\xff garbage",
        huge,
        json.dumps({"event": "train", "t": 1.0, "step": 1}),  # known event missing fields
        json.dumps({"event": "something_new", "t": 2.0, "x": 1}),
        good,
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n" + '{"event": "resume", "t": 3.0, "st', encoding="utf-8")
    tolerant = read_events(path)
    assert [e["event"] for e in tolerant.events] == ["resume", "something_new", "resume"]
    assert tolerant.malformed == 6
    # The partial last line is left for the next read...
    assert tolerant.offset < path.stat().st_size
    # ...and counted as malformed when the writer is known to be gone.
    final = read_events(path, final=True)
    assert final.malformed == 7
    assert final.offset == path.stat().st_size


def test_tail_returns_only_new_events_and_waits_for_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    tail = EventTail(path)
    assert tail.poll() == []  # no file yet
    line = json.dumps({"event": "resume", "t": 1.0, "step": 4})
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        assert [e["step"] for e in tail.poll()] == [4]
        handle.write(line[:10])  # a writer mid-line
        handle.flush()
        assert tail.poll() == []
        handle.write(line[10:].replace('"step":4', '"step": 5').replace('"step": 4', '"step": 5') + "\n")
        handle.flush()
        assert [e["step"] for e in tail.poll()] == [5]
    assert tail.poll() == []
    path.write_text(line + "\n")  # replaced by a shorter file: start over
    assert [e["step"] for e in tail.poll()] == [4]


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400), st.integers(min_value=0, max_value=400))
def test_parse_lines_never_raises_and_never_consumes_past_a_partial_line(data: bytes, cut: int) -> None:
    events, malformed, consumed = parse_lines(data, final=False)
    assert 0 <= consumed <= len(data)
    assert consumed == 0 or data[consumed - 1 : consumed] == b"\n"
    assert malformed >= 0
    # Reading in two pieces at a line boundary gives the same events as reading at once.
    first, _, used = parse_lines(data[:cut], final=False)
    rest, _, _ = parse_lines(data[used:], final=False)
    assert first + rest == events


def test_skip_train_leaves_out_train_events_however_they_are_spaced(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    with EventWriter(path) as writer:
        writer.write("start", **start_fields(7, 12))
        writer.write("train", step=1, epoch=0.1, loss=0.69, lr=2e-5)
        writer.write("eval", step=1, epoch=0.1, metrics={"acc": 0.5}, score=0.5)
    with open(path, "a", encoding="utf-8") as handle:  # another writer's spacing
        handle.write('{"event": "train", "t": 2.0, "step": 2, "epoch": 0.2, "loss": 0.6, "lr": 1e-5}\n')
    everything = read_events(path)
    assert [e["event"] for e in everything.events] == ["start", "train", "eval", "train"]
    without_train = read_events(path, skip_train=True)
    assert [e["event"] for e in without_train.events] == ["start", "eval"]
    assert without_train.offset == everything.offset and without_train.malformed == 0


_LINES = st.one_of(
    st.just('{"event":"resume","t":1.0,"step":4}'),
    st.just('{"event":"train","t":1.0,"step":1,"epoch":0.1,"loss":0.5,"lr":1e-5}'),
    st.just('{"event":"x","t":1.0,"a":[1,'),
    st.just('2]}'),
    st.just('{"a":"},{"b":1}'),
    st.just("[1, 2]"),
    st.just("{}"),
    st.just(""),
    st.text(alphabet='{}[]",:1a ', max_size=12),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_LINES, max_size=12), st.booleans())
def test_batch_decoding_gives_what_line_by_line_decoding_gives(lines: list[str], skip_train: bool) -> None:
    data = ("\n".join(lines) + "\n").encode()
    events, malformed, consumed = parse_lines(data, final=True, skip_train=skip_train)
    expected_events, expected_malformed = [], 0
    for line in (raw.strip() for raw in data.split(b"\n")):
        if not line:
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            expected_malformed += 1
            continue
        if not isinstance(obj, dict) or validate_event(obj):
            expected_malformed += 1
        elif not (skip_train and obj.get("event") == "train"):
            expected_events.append(obj)
    assert (events, malformed, consumed) == (expected_events, expected_malformed, len(data))


def test_run_start_offset_finds_the_last_start_or_resume(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    assert run_start_offset(path) == 0  # no log yet
    with EventWriter(path) as writer:
        writer.write("start", t=1.0, **start_fields(7, 12))
        writer.write("end", t=2.0, status="suspended", step=5, reason="milestone")
    resumed_at = path.stat().st_size
    with EventWriter(path) as writer:
        writer.write("resume", t=3.0, step=5)
        writer.write("eval", t=4.0, step=6, epoch=0.6, metrics={"acc": 0.5}, score=0.5)
    with open(path, "a") as handle:
        handle.write('{"event": "x", "t": 5.0, "note": "\\"resume\\" in a string is not a resume"}\n')
    assert run_start_offset(path) == resumed_at
    assert [e["event"] for e in read_events(path, resumed_at).events] == ["resume", "eval", "x"]


def test_read_first_record(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    assert read_first_record(path) is None
    path.write_text('{"event": "start", "t": 5.5}\n{"cut')
    assert read_first_record(path) == {"event": "start", "t": 5.5}
    path.write_text("[1]\n")
    assert read_first_record(path) is None


def test_writer_checks_optional_fields_readers_accept_them_as_they_are(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    with EventWriter(path) as writer, pytest.raises(EventLogError, match="best_score"):
        writer.write("end", status="completed", step=3, reason="", best_score="high")
    end = {"event": "end", "t": 1.0, "status": "completed", "step": 3, "reason": "", "best_score": "high"}
    assert validate_event(end) == [] and validate_event(end, writing=True) != []
