"""When a trial evaluates: ``evals_per_epoch`` evenly spaced evaluations per epoch.

The trainer evaluates exactly at these steps, and every reader that needs to know how many
evaluations a trial will make (the t/f/p milestone, the planner) derives it from the same function
and the ``start`` event's fields, never from its own arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ScheduledEval:
    step: int
    """Optimizer steps done when this evaluation runs."""
    index: int
    """0-based position in the trial's schedule (the ``eval_index`` of the eval event)."""
    epoch_end: bool


def steps_per_epoch(train_size: int, batch_size: int) -> int:
    """Batches per epoch; the last batch of an epoch may be smaller (it is kept, as in HF's loaders)."""
    return math.ceil(train_size / batch_size)


def eval_schedule(steps_in_epoch: int, evals_per_epoch: int, epochs: int) -> list[ScheduledEval]:
    """``evals_per_epoch`` evenly spaced evaluations per epoch, the last exactly at the epoch's end.

    Evaluation k (1-based) of an epoch runs after ``floor(k * steps_in_epoch / evals_per_epoch)`` of its
    steps. An epoch with fewer steps than evaluations evaluates once per step.
    """
    offsets = sorted({(k * steps_in_epoch) // evals_per_epoch for k in range(1, evals_per_epoch + 1)} - {0})
    schedule: list[ScheduledEval] = []
    for epoch in range(epochs):
        for offset in offsets:
            schedule.append(ScheduledEval(step=epoch * steps_in_epoch + offset, index=len(schedule),
                                          epoch_end=offset == steps_in_epoch))
    return schedule


def scheduled_eval_count(start: Mapping[str, Any]) -> int | None:
    """How many evaluations the trial of this ``start`` event makes when it trains to the end.

    A ``start`` event may say so itself (``evals``, written by trainers whose schedule is their own);
    otherwise it is the length of :func:`eval_schedule` over its ``steps_per_epoch``,
    ``evals_per_epoch`` and ``epochs``. None when the fields do not describe a schedule."""
    given = start.get("evals")
    if isinstance(given, int) and not isinstance(given, bool) and given > 0:
        return given
    try:
        steps = int(start["steps_per_epoch"])
        per_epoch = int(start["evals_per_epoch"])
        epochs = float(start["epochs"])
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    if steps < 1 or per_epoch < 1 or not math.isfinite(epochs) or epochs < 1 or epochs != int(epochs):
        return None
    return min(steps, per_epoch) * int(epochs)
