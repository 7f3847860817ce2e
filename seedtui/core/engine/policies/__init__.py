"""Early-stopping policies: pure decision functions over TrialState lists, plus small stateful
wrappers the supervisor keeps. Each returns :class:`~seedtui.log.decisions.Decision`s."""

from __future__ import annotations

import math

from seedtui.policy.schedule import scheduled_eval_count
from seedtui.policy.tfp_rule import Milestone, score_at_milestone, snap_fraction
from seedtui.state import TrialState


def rung_step(total_steps: int, fraction: float) -> int:
    """The optimizer step at which a trial reaches ``fraction`` of its training."""
    return max(1, math.ceil(fraction * total_steps - 1e-9))


def rung_eval_index(trial: TrialState, fraction: float) -> int | None:
    """Index of the trial's evaluation at the t/f/p milestone nearest ``fraction`` (the one rule,
    ``seedtui.policy.tfp_rule``), or None while the trial has not made that many evaluations.

    A suspended trial has reached its milestone by definition (the trainer suspends right after
    the milestone's evaluation), so it counts with the evaluations it has."""
    evals = None if trial.start is None else scheduled_eval_count(trial.start)
    if not evals or not trial.eval_steps:
        return None
    milestone = snap_fraction(fraction, evals)
    if len(trial.eval_steps) > milestone.eval_index:
        return milestone.eval_index
    if trial.suspended_at_milestone:  # not one the sweep's stop suspended on its way
        return len(trial.eval_steps) - 1
    return None


def score_at_rung(trial: TrialState, fraction: float) -> float | None:
    """The best-so-far score over the evals up to the milestone (None if not reached)."""
    index = rung_eval_index(trial, fraction)
    if index is None:
        return None
    reached = Milestone(index + 1, max(index + 1, len(trial.eval_scores)))  # k = the evals it is judged on
    return score_at_milestone(trial.eval_scores, reached, trial.greater_is_better)
