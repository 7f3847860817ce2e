"""Reading ``SWEEP_DIR/decisions.jsonl``: one JSON object per policy decision (``t``, ``rule``,
``trial``, ``action``, ``reason``, ...), appended by the sweep supervisor.

Tolerant like the event log readers: a partial last line waits for the next read, and lines that
are not JSON objects are skipped.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

DECISIONS_FILE = "decisions.jsonl"


class DecisionTail:
    """Incremental reader of a growing decisions file: each ``poll()`` returns the new records."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.offset = 0
        self.skipped = 0

    def poll(self, *, final: bool = False) -> list[dict[str, Any]]:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return []
        if size < self.offset:
            self.offset = 0
        if size == self.offset:
            return []
        with open(self.path, "rb") as handle:
            handle.seek(self.offset)
            data = handle.read()
        end = len(data) if final else data.rfind(b"\n") + 1
        records = []
        for line in data[:end].splitlines():
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (ValueError, UnicodeDecodeError):
                self.skipped += 1
                continue
            if isinstance(record, dict):
                records.append(record)
            else:
                self.skipped += 1
        self.offset += end
        return records


def read_decision_records(sweep_dir: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every decision of a sweep, in file order (empty when the file does not exist)."""
    return DecisionTail(Path(sweep_dir) / DECISIONS_FILE).poll(final=True)


def describe_decision(record: dict[str, Any]) -> str:
    """One line for the decisions pane, e.g. ``tfp stop wi3-do7 @rung 1: score 0.61 < 0.66``.
    Plain text: the caller must show it literally (reasons are free text from the log)."""
    parts = [str(record.get("rule", "?")), str(record.get("action", "?")), str(record.get("trial", "?"))]
    if record.get("rung") is not None:
        parts.append(f"@rung {record['rung']}")
    text = " ".join(parts)
    reason = record.get("reason")
    if reason:
        text += f": {reason}"
    return text
