"""The fast decoders accept exactly what the line-by-line reader accepts (issue 15).

The rule is ``seedtui.log.jsonl.decode_line`` on each line (strict UTF-8, then ``json.loads``).
Every faster path must give the same values and the same malformed count: orjson line by line
(with ``decode_line`` for what orjson refuses), json's scanner over a batch decoded once, and the
columnar replay reader (``seedtui.core.recording.parse_recording``) against ``read_events``.
Lines are generated (events of every kind with awkward values) and then mutated (bytes inserted,
deleted or replaced, lines cut, glued and interleaved), so most are broken in some way.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seedtui.core.recording import parse_recording
from seedtui.log import jsonl
from seedtui.log.events import encode_event, parse_lines, validate_event
from seedtui.log.jsonl import decode_lines, parse_jsonl, split_complete_lines

NUMBERS = st.one_of(
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, -1, 2**31, 2**31 - 1, 2**63, 2**63 - 1, 2**64, 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, st.text(max_size=8))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8,
)


def _event(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {"event": kind, "t": fields.pop("t", 1.0), **fields}


EVENTS = st.one_of(
    st.builds(lambda t, step, loss: _event("train", {"t": t, "step": step, "epoch": 0.5, "loss": loss,
                                                     "lr": 2e-5}), NUMBERS, NUMBERS, NUMBERS),
    st.builds(lambda t, step, score: _event("eval", {"t": t, "step": step, "epoch": 1,
                                                     "metrics": {"acc": score}, "score": score}),
              NUMBERS, NUMBERS, NUMBERS),
    st.builds(lambda step, status: _event("end", {"status": status, "step": step, "reason": "r"}),
              NUMBERS, st.sampled_from(["completed", "stopped", "bogus"])),
    st.builds(lambda pid, step: _event("resume", {"step": step, "pid": pid}), NUMBERS, NUMBERS),
    st.builds(lambda pid, wi: _event("start", {
        "schema": 1, "trial": f"wi{wi}-do1" if isinstance(wi, int) else "x", "wi_seed": wi, "do_seed": 1,
        "task": "rte", "model": "m", "metric": "acc", "greater_is_better": True, "epochs": 1,
        "steps_per_epoch": 4, "total_steps": 4, "evals_per_epoch": 1, "batch_size": 2, "lr": 2e-5,
        "train_size": 8, "eval_size": 8, "majority_baseline": 0.5, "pid": pid, "host": "h", "config": {}}),
        NUMBERS, NUMBERS),
    st.dictionaries(st.text(max_size=6), VALUES, max_size=4),
)


def _encode(value: Any, compact: bool) -> bytes:
    if compact and isinstance(value, dict) and isinstance(value.get("event"), str):
        try:
            return encode_event(value).encode()
        except (TypeError, ValueError):
            pass
    return json.dumps(value, allow_nan=True, separators=(",", ":") if compact else None).encode()


PIECES = [b"{", b"}", b"[", b"]", b",", b'"', b":", b"\\", b"\x00", b"\xff", b"\xed\xa0\x80", b"\xef\xbb\xbf",
          b"NaN", b" ", b"\t", b"\r", b"1e999"]
"""What a mutation inserts: JSON's punctuation, NUL, bytes that are not UTF-8, an encoded surrogate,
a byte-order mark, the non-finite tokens, whitespace json treats differently from bytes.strip."""


@st.composite
def mutated_lines(draw: st.DrawFn) -> list[bytes]:
    """Encoded events, most of them then damaged."""
    lines = [_encode(value, draw(st.booleans())) for value in draw(st.lists(EVENTS, min_size=1, max_size=6))]
    for _ in range(draw(st.integers(0, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        at = draw(st.integers(0, len(line)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "cut", "glue", "wrap"]))
        piece = draw(st.sampled_from(PIECES))
        if kind == "insert":
            line = line[:at] + piece + line[at:]
        elif kind == "delete":
            line = line[:at] + line[at + 1:]
        elif kind == "replace":
            line = line[:at] + piece + line[at + 1:]
        elif kind == "cut":  # a line split in two (a writer killed mid-line, then another write)
            lines.insert(index + 1, line[at:])
            line = line[:at]
        elif kind == "glue" and index + 1 < len(lines):  # two lines on one
            line = line + draw(st.sampled_from([b"", b",", b" "])) + lines.pop(index + 1)
        elif kind == "wrap":
            line = b"{" + line + b"}"
        lines[index] = line
    return [line for line in (raw.strip() for raw in lines) if line and b"\n" not in line]


def _same(a: tuple[list[Any], int], b: tuple[list[Any], int]) -> bool:
    # repr: NaN equals NaN, -0.0 differs from 0.0, 1 from 1.0 and True
    return repr(a) == repr(b)


# Three lines, each invalid JSON, that the old decoder (one json.loads over the lines joined into an
# array) read as three valid objects, one of them an eval with score 0.99.
CRAFTED = [b'{"event":"eval","t":1,"step":1,"epoch":1,"metrics":{},"score":0.99,"x":[{"a":1}',
           b'{"b":2}]}', b'{"c":1},{"d":2}']


def test_crafted_lines_that_are_each_invalid_stay_invalid() -> None:
    assert jsonl._decode_each(CRAFTED) == ([], 3)
    assert decode_lines(CRAFTED) == ([], 3)
    assert jsonl._decode_scanned(CRAFTED) == ([], 3)
    assert parse_lines(b"\n".join(CRAFTED) + b"\n", final=False) == ([], 3, sum(len(x) + 1 for x in CRAFTED))


@pytest.mark.parametrize("line", [
    b'{"a":NaN}', b'{"a":-Infinity}', b'{"a":1e999}', b'{"a":' + b"9" * 30 + b"}",
    b'{"a":-9223372036854775809}',
    b'{"a":"\\ud800"}', b"\xef\xbb\xbf{}", b"{\x00}\x00", b'{"a":"\xed\xa0\x80"}', b'{"a":1,"a":2}',
    b"[" * 3000 + b"]" * 3000,
])
def test_the_lines_where_json_and_orjson_disagree(line: bytes) -> None:
    reference = jsonl._decode_each([line])
    assert _same(decode_lines([line]), reference)
    assert _same(jsonl._decode_scanned([line]), reference)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=mutated_lines())
def test_every_fast_path_decodes_as_the_line_by_line_reader(lines: list[bytes]) -> None:
    reference = jsonl._decode_each(lines)
    assert _same(decode_lines(lines), reference)
    assert _same(jsonl._decode_scanned(lines), reference)
    if jsonl.orjson is not None:
        assert _same(jsonl._decode_with_orjson(lines), reference)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=mutated_lines(), cut_last=st.booleans())
def test_whole_logs_read_the_same_by_every_reader(lines: list[bytes], cut_last: bool) -> None:
    data = b"\n".join(lines) + (b"" if cut_last else b"\n")
    expected = []
    malformed = 0
    for line in split_complete_lines(data, final=True)[0]:  # the rule, one line at a time
        try:
            value = jsonl.decode_line(line) if len(line) <= jsonl.MAX_LINE_BYTES else None
        except (ValueError, RecursionError):
            value = None
        if isinstance(value, dict) and not validate_event(value):
            expected.append(value)
        else:
            malformed += 1
    events, counted, _ = parse_jsonl(data, final=True, validate=validate_event)
    assert repr((events, counted)) == repr((expected, malformed))
    recording = parse_recording(data)  # the replay's columnar reader
    assert repr((recording.events(), recording.malformed)) == repr((expected, malformed))
    for event in expected:  # and what is accepted is usable: finite times, in-range integers
        assert math.isfinite(event["t"])
