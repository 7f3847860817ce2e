"""How many steps a trial takes, when it evaluates, and where --stop-at-fraction suspends it."""

from __future__ import annotations

import math
from dataclasses import dataclass


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


def milestone_step(stop_at_fraction: float, total_steps: int) -> int:
    """The step where --stop-at-fraction suspends the trial: round(f * total), at least one step."""
    return min(total_steps, max(1, round(stop_at_fraction * total_steps)))
