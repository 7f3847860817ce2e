"""``SWEEP_DIR/decisions.jsonl``: every policy decision, so a user can see why a trial was kept,
stopped or promoted. One JSON object a line (see docs/log-format.md), appended by the supervisor,
read by the TUI, the headless front end, the supervisor's recovery and replay.

Written and validated here, read through the one tolerant reader and tail of ``seedtui.log.jsonl``:
a partial last line waits for the next read, and lines that are not JSON objects or break the
schema below are skipped and counted.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from seedtui.log.files import DECISIONS_FILE
from seedtui.log.jsonl import JsonlTail, ReadResult, read_jsonl
from seedtui.log.schema import NUMBER, FieldTypes, field_problems

ACTIONS = ("keep", "stop", "promote")
RULES = ("tfp", "asha", "divergence", "user")

REQUIRED_FIELDS: FieldTypes = {"trial": (str,), "action": (str,)}
"""Fields every decision has (lines without them are malformed)."""
OPTIONAL_FIELDS: FieldTypes = {
    "t": NUMBER, "rule": (str,), "rung": NUMBER, "score": (*NUMBER, type(None)),
    "threshold": (*NUMBER, type(None)), "rank": (int, type(None)), "of": (int,), "reason": (str,),
}
"""Fields the supervisor always writes, checked for their type when present."""


@dataclass(frozen=True)
class Decision:
    """One rule's verdict on one trial at one rung: one line of ``decisions.jsonl``."""

    rule: str
    """``tfp``, ``asha``, ``divergence`` or ``user``."""
    trial: str
    action: str
    """``keep`` (continues as it is), ``stop``, or ``promote`` (resumes from its checkpoint)."""
    rung: float
    """Fraction of training at which the trial was judged."""
    score: float | None
    """The trial's best-so-far score at the rung."""
    threshold: float | None
    """The score a trial had to reach (the cutoff), when the rule has one."""
    rank: int | None
    """1-based rank among the trials compared (1 = best)."""
    of: int
    """How many trials were compared."""
    reason: str
    t: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def validate_decision(record: dict[str, Any]) -> list[str]:
    """Problems with one decoded decision (empty when valid). Unknown fields are valid."""
    problems = field_problems("decision", record, REQUIRED_FIELDS, OPTIONAL_FIELDS)
    if isinstance(record.get("action"), str) and record["action"] not in ACTIONS:
        problems.append(f"decision: action {record['action']!r} is not one of {', '.join(ACTIONS)}")
    return problems


def decisions_path(sweep_dir: str | os.PathLike[str]) -> Path:
    return Path(sweep_dir) / DECISIONS_FILE


def append_decision(sweep_dir: str | os.PathLike[str], decision: Decision) -> None:
    """Append one decision, flushed and synced: it is the only record of why a trial was stopped."""
    line = json.dumps(decision.to_dict(), allow_nan=True) + "\n"
    with open(decisions_path(sweep_dir), "a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())


def read_decisions_from(sweep_dir: str | os.PathLike[str], offset: int = 0, *,
                        final: bool = False) -> ReadResult:
    """The decisions after byte ``offset`` (``.records``) and where to continue (``.offset``)."""
    return read_jsonl(decisions_path(sweep_dir), offset, final=final, validate=validate_decision)


def read_decisions(sweep_dir: str | os.PathLike[str], *, final: bool = False) -> list[dict[str, Any]]:
    """Every decision of a sweep, oldest first (empty when the file does not exist). A last line
    without its newline is left out (the supervisor may be writing it) unless ``final``: a recorded
    sweep whose writer is gone."""
    return read_decisions_from(sweep_dir, final=final).records


class DecisionTail(JsonlTail):
    """Incremental reader of a sweep's growing ``decisions.jsonl``."""

    def __init__(self, sweep_dir: str | os.PathLike[str]) -> None:
        super().__init__(decisions_path(sweep_dir), validate=validate_decision)
