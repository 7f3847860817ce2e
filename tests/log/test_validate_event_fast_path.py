"""``validate_event`` answers most events through a fast check; it must give exactly the answer of
the full check (``_event_problems``) for any object, odd types included."""

from __future__ import annotations

import enum
from collections import OrderedDict
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from seedtui.log import events
from seedtui.log.events import OPTIONAL_FIELDS, REQUIRED_FIELDS, validate_event
from seedtui.testing.trial_log import start_fields


class _Level(enum.IntEnum):
    HIGH = 2**64  # an int subclass out of every integer field's range


class _Text(str):
    pass


_VALID = {
    "start": {"event": "start", "t": 1.5, **start_fields(1, 2)},
    "train": {"event": "train", "t": 1.5, "step": 3, "epoch": 0.5, "loss": 0.7, "lr": 2e-5},
    "eval": {"event": "eval", "t": 1.5, "step": 3, "epoch": 0.5, "metrics": {"acc": 0.5}, "score": 0.5,
             "eval_index": 1},
    "end": {"event": "end", "t": 1.5, "status": "completed", "step": 3, "reason": "done", "best_score": 0.5},
    "resume": {"event": "resume", "t": 1.5, "step": 3, "pid": 12},
    "heartbeat": {"event": "heartbeat", "t": 1.5, "gpu": 3},
}
_ODD = [
    True, False, 0, 1, -1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**400, -(10**400), 2**1000, 2**1024,
    -(2**1028), 1.5, -0.0, float("nan"), float("inf"), "text", "completed", "exploded", "", {}, [], None,
    _Level.HIGH, _Text("stopped"), OrderedDict(acc=0.5), 2.0,
]
_ODD_VALUES = st.sampled_from(_ODD)
_FIELDS = sorted(
    {key for table in (REQUIRED_FIELDS, OPTIONAL_FIELDS) for fields in table.values() for key in fields}
    | {"event", "t", "extra"}
)


@st.composite
def _events(draw: st.DrawFn) -> Any:
    event = dict(draw(st.sampled_from(sorted(_VALID.values(), key=repr))))
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from(_FIELDS))
        if draw(st.booleans()):
            event.pop(key, None)
        else:
            event[key] = draw(_ODD_VALUES)
    if draw(st.integers(0, 9)) == 0:
        event["event"] = draw(st.sampled_from(["mystery", 3, None, _Text("train")]))
    shape = draw(st.integers(0, 19))
    if shape == 0:
        return OrderedDict(event)
    if shape == 1:
        return [event]
    return event


def test_every_field_of_every_event_changed_alone() -> None:
    """Each field of each event set to each odd value, or deleted: the fast check agrees."""
    checked = 0
    for valid in _VALID.values():
        name = valid["event"]
        fields = set(valid) | set(REQUIRED_FIELDS.get(name, {})) | set(OPTIONAL_FIELDS.get(name, {}))
        for key in sorted(fields | {"extra"}):
            without = {k: v for k, v in valid.items() if k != key}
            changed = [without] + [{**valid, key: value} for value in _ODD]
            for event in changed:
                assert validate_event(event) == events._event_problems(event, writing=False), (key, event)
                checked += 1
    assert checked > 1000


@settings(max_examples=1500, deadline=None)
@given(_events())
def test_the_fast_check_gives_the_full_checks_answer(event: Any) -> None:
    assert validate_event(event) == events._event_problems(event, writing=False)
    assert validate_event(event, writing=True) == events._event_problems(event, writing=True)


def test_valid_events_of_every_kind_are_valid() -> None:
    for event in _VALID.values():
        assert validate_event(event) == [], event
        assert events._plainly_valid(event)


def test_odd_values_are_caught_as_the_full_check_catches_them() -> None:
    train, int_max = _VALID["train"], 2**63 - 1
    assert validate_event({**train, "step": _Level.HIGH}) == [f"train: field 'step' must be 0 to {int_max}"]
    pid_max, resume = 2**31 - 1, _VALID["resume"]
    assert validate_event({**resume, "pid": 2**31}) == [f"resume: field 'pid' must be 0 to {pid_max}"]
    assert validate_event({**train, "loss": 10**400}) == ["train: field 'loss' is too large for a number"]
    assert validate_event({**_VALID["eval"], "eval_index": -1}) == [
        f"eval: field 'eval_index' must be 0 to {int_max}"
    ]
    assert validate_event({**_VALID["end"], "status": _Text("bad")}) != []
    start = _VALID["start"]
    assert validate_event({**start, "schema": 2}) == ["start: schema 2 is not 1"]
    mismatch = "start: trial 'wi1-do3' does not match wi_seed/do_seed"
    assert validate_event({**start, "trial": "wi1-do3"}) == [mismatch]
    assert validate_event({**start, "trial": "custom"}) == []
