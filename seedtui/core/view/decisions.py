"""How one policy decision (a line of ``decisions.jsonl``, read by ``seedtui.log.decisions``) reads
in the decisions pane."""

from __future__ import annotations

from typing import Any


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
