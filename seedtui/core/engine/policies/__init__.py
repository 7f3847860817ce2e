"""Early-stopping policies: pure decision functions over TrialState lists, plus small stateful
wrappers the supervisor keeps. Each returns :class:`~seedtui.core.engine.decisions.Decision`s."""

from __future__ import annotations

import math

from seedtui.state import TrialState


def rung_step(total_steps: int, fraction: float) -> int:
    """The optimizer step at which a trial reaches ``fraction`` of its training."""
    return max(1, math.ceil(fraction * total_steps - 1e-9))


def rung_eval_index(trial: TrialState, fraction: float) -> int | None:
    """Index of the first eval at or past ``fraction`` of training, or None if not reached yet.

    A suspended trial has reached its milestone by definition (the trainer stops exactly there,
    whatever its rounding), so its last eval counts."""
    total = trial.total_steps
    if not total or not trial.eval_steps:
        return None
    target = rung_step(total, fraction)
    for index, step in enumerate(trial.eval_steps):
        if step >= target:
            return index
    if trial.status == "suspended":
        return len(trial.eval_steps) - 1
    return None


def best_of(scores: list[float], greater_is_better: bool) -> float | None:
    finite = [s for s in scores if math.isfinite(s)]
    if not finite:
        return None
    return max(finite) if greater_is_better else min(finite)


def score_at_rung(trial: TrialState, fraction: float) -> float | None:
    """The best-so-far score over the evals up to the one at ``fraction`` (None if not reached)."""
    index = rung_eval_index(trial, fraction)
    if index is None:
        return None
    return best_of(trial.eval_scores[: index + 1], trial.greater_is_better)


def sort_key(score: float | None, greater_is_better: bool) -> float:
    """A key that sorts better scores first; a missing or NaN score sorts last."""
    if score is None or not math.isfinite(score):
        return math.inf
    return -score if greater_is_better else score
