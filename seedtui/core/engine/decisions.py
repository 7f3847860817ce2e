"""Policy decisions, appended to ``SWEEP_DIR/decisions.jsonl`` so a user can see why a trial was
kept or stopped. One JSON object per line (see docs/log-format.md)."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

DECISIONS_FILE = "decisions.jsonl"
ACTIONS = ("keep", "stop", "promote")


@dataclass(frozen=True)
class Decision:
    """One rule's verdict on one trial at one rung."""

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


def append_decision(sweep_dir: Path, decision: Decision) -> None:
    line = json.dumps(decision.to_dict(), allow_nan=True) + "\n"
    with open(Path(sweep_dir) / DECISIONS_FILE, "a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())


def read_decisions(sweep_dir: Path) -> list[dict[str, Any]]:
    """Every decision logged in the sweep, oldest first (partial or garbled lines skipped)."""
    return read_decisions_from(Path(sweep_dir), 0)[0]


def read_decisions_from(sweep_dir: Path, offset: int) -> tuple[list[dict[str, Any]], int]:
    """Decisions after byte ``offset`` and the offset to continue from (for tailing)."""
    try:
        with open(Path(sweep_dir) / DECISIONS_FILE, "rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except FileNotFoundError:
        return [], offset
    complete = data[: data.rfind(b"\n") + 1]
    decisions = []
    for line in complete.splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and "trial" in obj and "action" in obj:
            decisions.append(obj)
    return decisions, offset + len(complete)
