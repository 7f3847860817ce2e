"""Messages the app posts to itself from threads (sources, statistics workers)."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class SourceUpdated(Message):
    """The source has a batch waiting in its buffer. Bursts coalesce: a second notification
    replaces one still in the queue, since one drain takes everything."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SourceUpdated)


class StatsComputed(Message):
    """A statistics summary finished in a worker thread."""

    def __init__(self, summary: dict[str, Any] | None, error: str | None, *, seconds: float = 0.0) -> None:
        super().__init__()
        self.seconds = seconds
        """How long the summary took (the next one waits five times as long)."""
        self.summary = summary
        """``seedtui.core.stats.summarize`` output, or None."""
        self.error = error
        """Why there is no summary, when there is none."""


class PlanComputed(Message):
    """The planner answered for a budget."""

    def __init__(self, budget: float, rows: list[Any], error: str | None) -> None:
        super().__init__()
        self.budget = budget
        """Budget asked for, in full trainings."""
        self.rows = rows
        """PlanRow objects, best first."""
        self.error = error
        """Why there is no plan, when there is none."""
