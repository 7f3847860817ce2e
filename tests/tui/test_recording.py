"""The columnar reader against the tolerant reader, and the bulk fold against ``TrialState.apply``."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seedtui.core import recording
from seedtui.core.recording import TrialRecording, parse_recording, read_recording
from seedtui.log import encode_event, iter_event_files, parse_lines, read_events
from seedtui.state import TrialState

SAMPLE_LOGS = Path(__file__).resolve().parents[2] / "sample_logs"



@pytest.fixture(autouse=True, scope="module", params=["orjson", "stdlib+numpy"])
def json_decoder(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Run every test with the optional orjson decoder (when installed) and without it."""
    if request.param == "orjson" and recording.orjson is None:
        pytest.skip("orjson is not installed")
    with pytest.MonkeyPatch.context() as patch:
        if request.param != "orjson":
            patch.setattr(recording, "orjson", None)
        yield request.param

def _same(a: object, b: object) -> bool:
    """Equality that counts NaN equal to NaN (a diverged loss)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b) and type(a) is type(b)


def _assert_matches_tolerant_reader(data: bytes) -> TrialRecording:
    expected, malformed, _ = parse_lines(data, final=True)
    recording = parse_recording(data)
    assert _same(recording.events(), expected)
    assert recording.malformed == malformed
    # the columns hold what the dicts hold
    trains = [e for e in expected if e["event"] == "train"]
    columnar = [recording.event(int(row)) for row in recording.train_rows]
    assert all(
        e in trains for e in columnar if not any(isinstance(v, float) and math.isnan(v) for v in e.values())
    )
    assert list(recording.train_steps) == [e["step"] for e in columnar]
    assert _same([float(x) for x in recording.train_losses], [float(e["loss"]) for e in columnar])
    assert _same([float(x) for x in recording.times], [float(e["t"]) for e in expected])
    return recording


def _train(step: int, loss: float, t: float = 1700000000.25) -> str:
    return encode_event(
        {"event": "train", "t": t + step, "step": step, "epoch": step / 7, "loss": loss, "lr": 2e-5}
    )


def test_real_sweeps_read_the_same_as_the_tolerant_reader() -> None:
    files = list(iter_event_files(SAMPLE_LOGS))
    assert len(files) >= 80
    for path in files:
        recording = read_recording(path)
        events = read_events(path, final=True).events
        assert _same(recording.events(), events), path
        trains = sum(1 for event in events if event["event"] == "train")
        assert len(recording.train_rows) == trains > 0, path  # the fast path took every train line


def test_unusual_lines_fall_back_to_the_tolerant_rules() -> None:
    start = json.dumps({"event": "start", "t": 1.0, "trial": "x"})  # invalid start: malformed
    lines = [
        _train(1, 0.7),
        start,
        "not json",
        _train(2, float("nan")),
        _train(3, float("inf")),
        "",
        "   ",
        _train(4, 0.5) + "\r",  # CRLF: still valid, through json
        '{"event":"train","t":5,"step":5,"epoch":0.1,"loss":0.4,"lr":1e-5,"extra":1}',  # extra field
        '{"event":"train","t":6,"step":6.0,"epoch":0.1,"loss":0.4,"lr":1e-5}',  # float step: malformed
        '{"event":"train","t":7,"step":07,"epoch":0.1,"loss":0.4,"lr":1e-5}',  # not JSON
        '{"event":"train","t":true,"step":8,"epoch":0.1,"loss":0.4,"lr":1e-5}',  # bool t: malformed
        _train(9, 0.3),
        '{"event":"eval","t":10,"step":9,"epoch":0.1,"metrics":{"acc":0.5},"score":0.5}',
        '{"event":"mystery","t":11}',
        _train(10, 0.2)[:25],  # cut last line
    ]
    recording = _assert_matches_tolerant_reader("\n".join(lines).encode())
    assert list(recording.train_steps) == [1, 2, 3, 9]
    assert recording.malformed == 6


_LINE_PARTS = st.sampled_from(
    [
        '{"event":"train","t":',
        '"step":',
        '"epoch":',
        '"loss":',
        '"lr":',
        ",",
        "}",
        "{",
        "NaN",
        "-Infinity",
        "1",
        "0.5",
        "1e-5",
        "01",
        "-",
        '"',
        "\r",
        " ",
        "x",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.builds(_train, st.integers(0, 10**15), st.floats(allow_nan=True, allow_infinity=True)),
            st.lists(_LINE_PARTS, max_size=12).map("".join),
            st.builds(lambda step, cut: _train(step, 0.5)[:cut], st.integers(0, 99), st.integers(0, 90)),
        ),
        max_size=20,
    ),
    st.booleans(),
)
def test_any_mix_of_lines_reads_the_same_as_the_tolerant_reader(
    lines: list[str], newline_at_end: bool
) -> None:
    _assert_matches_tolerant_reader(("\n".join(lines) + ("\n" if newline_at_end else "")).encode())


def test_folding_slices_equals_applying_each_event() -> None:
    lines = [
        json.dumps({"event": "start", "t": 1.0, **_START}),
        *[_train(s, 1 / s) for s in range(1, 6)],
        '{"event":"train","t":9,"step":6,"epoch":0.1,"loss":0.4,"lr":1e-5,"note":"odd"}',
        *[_train(s, 1 / s) for s in range(7, 12)],
        '{"event":"eval","t":20,"step":11,"epoch":0.1,"metrics":{"acc":0.5},"score":0.5}',
        *[_train(s, 1 / s) for s in range(12, 15)],
        '{"event":"end","t":30,"status":"completed","step":14,"reason":"done"}',
    ]
    recording = parse_recording("\n".join(lines).encode() + b"\n")
    events = read_events_from(lines)
    for cuts in ([0, len(events)], [0, 3, 6, 7, 9, 13, 16, len(events)], list(range(len(events) + 1))):
        _assert_folds_as_applied(recording, events, cuts)


def _assert_folds_as_applied(recording: TrialRecording, events: list[dict], cuts: list[int]) -> None:
    """Folding the slices between ``cuts`` gives the state that applying each event gives."""
    folded, applied = TrialState("wi1-do1"), TrialState("wi1-do1")
    for a, b in zip(cuts, cuts[1:], strict=False):
        recording.fold_into(folded, a, b)
    for event in events:
        applied.apply(event)
    assert folded == applied


def read_events_from(lines: list[str]) -> list[dict]:
    return parse_lines(("\n".join(lines) + "\n").encode(), final=True)[0]


_START = {
    "schema": 1,
    "trial": "wi1-do1",
    "wi_seed": 1,
    "do_seed": 1,
    "task": "rte",
    "model": "m",
    "metric": "acc",
    "greater_is_better": True,
    "epochs": 3,
    "steps_per_epoch": 5,
    "total_steps": 15,
    "evals_per_epoch": 1,
    "batch_size": 8,
    "lr": 2e-5,
    "train_size": 40,
    "eval_size": 10,
    "majority_baseline": 0.5,
    "pid": 1,
    "host": "h",
    "config": {},
}


def test_empty_and_missing_logs(tmp_path: Path) -> None:
    assert len(read_recording(tmp_path / "missing.jsonl")) == 0
    assert len(parse_recording(b"")) == 0
    assert np.array_equal(parse_recording(b"\n\n").times, np.empty(0))


def test_a_replay_folded_in_slices_equals_one_folded_event_by_event() -> None:
    from seedtui.core.replay import load_timeline
    from seedtui.core.view.sweep_model import SweepModel

    sweep = SAMPLE_LOGS / "cola-minilm-tfp"
    in_slices, by_event = load_timeline(sweep), load_timeline(sweep)
    model_slices, model_events = SweepModel(sweep), SweepModel(sweep)
    for position in (0.0, 1.0, 2.5, 5.0):
        model_slices.apply_slices(in_slices.advance(position)[0])
        model_events.apply(by_event.advance_to(position)[0])
        assert model_slices.trials == model_events.trials
    victim = next(t for t, s in model_slices.trials.items() if s.status == "running")
    assert in_slices.kill(victim) and by_event.kill(victim)
    model_slices.apply_slices(in_slices.advance_to_end()[0])
    model_events.apply(by_event.to_end()[0])
    assert model_slices.trials == model_events.trials
    assert model_slices.trials[victim].status == "stopped"
    assert model_slices.events_applied == model_events.events_applied


def test_many_logs_read_in_worker_processes_the_same_as_the_tolerant_reader(tmp_path: Path) -> None:
    unusual = tmp_path / "unusual.jsonl"
    unusual.write_bytes(
        (_train(1, 0.5) + "\nnot json\n" + _train(2, float("nan")) + "\n" + _train(3, 0.25)[:-7]).encode()
    )
    paths = [*iter_event_files(SAMPLE_LOGS), tmp_path / "missing.jsonl", unusual]
    assert len(paths) >= recording.PARALLEL_MIN_LOGS  # enough logs for the worker processes
    read = list(recording.read_recordings(paths, workers=2, cache=False))
    assert len(read) == len(paths)
    for path, got in zip(paths, read, strict=True):
        expected = read_events(path, final=True)
        assert _same(got.events(), expected.events), path
        assert got.malformed == expected.malformed, path
        assert _same([float(x) for x in got.times], [float(e["t"]) for e in expected.events])


def test_reading_many_logs_can_stop_early() -> None:
    paths = list(iter_event_files(SAMPLE_LOGS))
    reading = recording.read_recordings(paths, workers=2, cache=False)
    first = next(reading)
    assert _same(first.events(), read_events(paths[0], final=True).events)
    reading.close()  # type: ignore[attr-defined]
    assert list(reading) == []


def test_few_logs_read_the_same_as_the_tolerant_reader() -> None:
    paths = list(iter_event_files(SAMPLE_LOGS))[:3]
    read = [r.events() for r in recording.read_recordings(paths, workers=2, cache=False)]
    assert read == [read_events(p, final=True).events for p in paths]


# --- train lines written in every way: only float-written t/epoch/loss/lr go into the columns ----
_NUMBER_TEXTS = st.one_of(
    st.integers(-(10**20), 10**20).map(str),  # integer-written: json.loads makes an int
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda x: f"{x:.3e}"),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda x: f"{x:E}"),
    st.sampled_from(
        ["NaN", "Infinity", "-Infinity", "-0.0", "0", "-0", "01", "1.", ".5", "1e999", "-1e-999", "2e-05",
         "1E+5", "9" * 320 + ".5", "1" + "0" * 20, str(2**63), str(2**63 - 1), "1.5 ", "+1.0",
         "e5", "e-5", "E5", "-e5", ".e5", "ee5", "1e", "1.e5", "1.5e+07", "-0e0", "5e", "e"]
    ),
)


def _train_line(t: str, step: str, epoch: str, loss: str, lr: str) -> str:
    return f'{{"event":"train","t":{t},"step":{step},"epoch":{epoch},"loss":{loss},"lr":{lr}}}'


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.builds(
            _train_line,
            st.one_of(st.floats(1e9, 2e9).map(repr), _NUMBER_TEXTS),
            st.one_of(st.integers(0, 10**6).map(str), _NUMBER_TEXTS),
            _NUMBER_TEXTS,
            _NUMBER_TEXTS,
            _NUMBER_TEXTS,
        ),
        min_size=1,
        max_size=8,
    ),
    st.integers(0, 8),
)
def test_train_lines_with_any_numbers_read_the_same_as_the_tolerant_reader(lines: list[str], at: int) -> None:
    evaluation = '{"event":"eval","t":10.5,"step":9,"epoch":0.1,"metrics":{},"score":0.5}'
    lines.insert(min(at, len(lines)), evaluation)
    data = ("\n".join(lines) + "\n").encode()
    recording = _assert_matches_tolerant_reader(data)
    assert repr(recording.events()) == repr(parse_lines(data, final=True)[0])  # key order and types too


def test_integer_written_numbers_take_the_general_path() -> None:
    lines = [
        _train(1, 0.5),
        '{"event":"train","t":1700000002,"step":2,"epoch":0.1,"loss":0.4,"lr":2e-05}',  # t an int
        '{"event":"train","t":1700000003.5,"step":3,"epoch":0.1,"loss":0.4,"lr":0}',  # lr an int
        '{"event":"train","t":1700000004.5,"step":4,"epoch":1,"loss":1,"lr":1E-5}',  # epoch, loss ints
        _train(5, 0.25),
    ]
    data = ("\n".join(lines) + "\n").encode()
    recording = _assert_matches_tolerant_reader(data)
    events = recording.events()
    assert list(recording.train_steps) == [1, 5]  # the columns hold the float-written lines only
    assert type(events[1]["t"]) is int and type(events[2]["lr"]) is int
    assert type(events[3]["epoch"]) is int and type(events[3]["loss"]) is int
    assert repr(events) == repr(parse_lines(data, final=True)[0])


def test_a_number_written_from_its_exponent_is_no_number() -> None:
    """``e5`` has a float's shape once its digits are deleted (``e``), and once the keys' letters
    are, ``,e5`` looks like a key's e before the number 5: such lines stay malformed, as the
    tolerant reader decides, wherever the e stands."""
    for numbers in (("1.5", "e5", "0.1", "0.5", "2e-05"), ("1.5", "3", "e-1", "0.5", "2e-05"),
                    ("1.5", "3", "0.1", "e5", "2e-05"), ("1.5", "3", "0.1", "0.5", "e5"),
                    ("e9", "3", "0.1", "0.5", "2e-05"), ("1.5", "3", "0.1", "0.5", "-e5")):
        lines = [_train(1, 0.5), _train_line(*numbers), _train(2, 0.25)]
        recording = _assert_matches_tolerant_reader(("\n".join(lines) + "\n").encode())
        assert recording.malformed == 1 and list(recording.train_steps) == [1, 2], numbers


def test_a_recording_pickles_to_the_same_recording_without_what_is_derived() -> None:
    import pickle

    path = next(iter(iter_event_files(SAMPLE_LOGS)))
    recording = read_recording(path)
    sent = pickle.dumps(recording)
    received = pickle.loads(sent)
    assert np.array_equal(received.train_rows, recording.train_rows)
    assert received.train_rows.dtype == recording.train_rows.dtype
    assert _same(received.events(), recording.events())
    recording.events()  # fills the cache of dicts: it is not sent
    assert len(pickle.dumps(recording)) == len(sent)
    assert len(sent) < len(path.read_bytes())  # the columns are smaller than the lines
    empty = pickle.loads(pickle.dumps(parse_recording(b"")))
    assert len(empty) == 0 and len(empty.train_rows) == 0
    events = read_events(path, final=True).events
    from_events = pickle.loads(pickle.dumps(TrialRecording.from_events(events)))
    assert len(from_events.train_rows) == 0 and _same(from_events.events(), events)


def test_a_line_ending_in_a_whole_train_line_is_not_taken_for_one() -> None:
    """The shapes of the first and last train lines are counted over all the lines: a line that
    ends with a whole train line (two ``{`` in one line) must not pass for one, nor lines of a
    third shape in the middle."""
    standard = _train(1, 0.5)
    glued = '{"event":"train","t":1700000000.5,"step":1,"epoch":0.5,"loss":0.5,"lr":' + standard
    third = '{"event":"train","t":1700000002.5,"step":3,"epoch":0.5,"loss":-1.5e-05,"lr":-0.0}'
    for middle in ([glued], [glued, glued], [third], [glued, third], [standard[:-1], standard]):
        lines = [standard, *middle, _train(2, 0.25)]
        recording = _assert_matches_tolerant_reader(("\n".join(lines) + "\n").encode())
        assert recording.malformed == sum(1 for line in middle if line != third and line != standard)


def test_long_logs_take_the_fast_path_and_overlong_lines_are_malformed() -> None:
    from seedtui.log.jsonl import MAX_LINE_BYTES

    lines = [_train(step, 1 / step) for step in range(1, 50_001)]  # over MAX_LINE_BYTES in all
    data = ("\n".join(lines) + "\n").encode()
    assert len(data) > MAX_LINE_BYTES
    recording = parse_recording(data)  # (the helper's checks grow with the square of the lines)
    assert _same(recording.events(), parse_lines(data, final=True)[0])
    assert len(recording.train_rows) == len(lines) and recording.malformed == 0
    loss = "0." + "1" * MAX_LINE_BYTES  # a valid JSON number, on a line too long to be read
    overlong = '{"event":"train","t":1700000000.5,"step":1,"epoch":0.5,"loss":' + loss + ',"lr":0.1}'
    data = (_train(1, 0.5) + "\n" + overlong + "\n" + _train(2, 0.5) + "\n").encode()
    recording = _assert_matches_tolerant_reader(data)
    assert recording.malformed == 1 and list(recording.train_steps) == [1, 2]


def _mixed_line(kind: int, step: int) -> str:
    """Lines of every kind the fold and ``last_step`` tell apart."""
    t = 1700000000.0 + step
    if kind == 0:
        return _train(step, 1 / (step + 1), t)
    if kind == 1:
        return json.dumps({"event": "eval", "t": t, "step": step, "epoch": step / 10,
                           "metrics": {"acc": 0.5}, "score": (step % 7) / 7})
    if kind == 2:
        return json.dumps({"event": "note", "t": t})  # an unknown event without a step
    if kind == 3:
        return json.dumps({"event": "note", "t": t, "step": -step - 1})  # a step that is no step
    if kind == 4:
        return json.dumps({"event": "note", "t": t, "step": True})
    return json.dumps({"event": "note", "t": t, "step": step * 10})  # an unknown event's step


@settings(max_examples=120, deadline=None)
@given(st.lists(st.integers(0, 5), max_size=40), st.lists(st.integers(0, 40), max_size=6))
def test_runs_of_evaluations_fold_and_last_steps_match_each_event_read_alone(
    kinds: list[int], cuts: list[int]
) -> None:
    lines = [json.dumps({"event": "start", "t": 1.0, **_START})]
    lines += [_mixed_line(kind, step) for step, kind in enumerate(kinds, start=1)]
    recording = parse_recording("\n".join(lines).encode() + b"\n")
    events = read_events_from(lines)
    bounds = sorted({0, len(events), *(c for c in cuts if c <= len(events))})
    _assert_folds_as_applied(recording, events, bounds)
    for start in range(len(events) + 1):
        for stop in range(start, len(events) + 1):
            steps = [e["step"] for e in events[start:stop]
                     if isinstance(e.get("step"), int) and not isinstance(e["step"], bool) and e["step"] >= 0]
            assert recording.last_step(start, stop, -7) == (steps[-1] if steps else -7)
