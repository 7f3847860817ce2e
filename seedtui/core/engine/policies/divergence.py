"""The divergence rule (off by default): stop a trial that has learned nothing.

A trial is flagged when, after ``min_fraction`` of its training, its best score so far is still
at (or below) the majority baseline — the score of always predicting the most frequent training
label, which the trainer writes in its start event. "After min_fraction" is judged by its evals:
its latest eval must be at or past that fraction, so the best score covers that much training.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from seedtui.core.direction import signed
from seedtui.core.engine.policies import rung_step
from seedtui.log.decisions import Decision
from seedtui.state import TrialState

RULE = "divergence"


def is_at_baseline(trial: TrialState, *, min_fraction: float, tolerance: float = 1e-9) -> bool:
    """Whether this trial (running or not) is at the majority baseline after ``min_fraction``."""
    total = trial.total_steps
    if trial.start is None or not total or not trial.eval_steps:
        return False
    if trial.eval_steps[-1] < rung_step(total, min_fraction):
        return False
    best = trial.best_score()
    if best is None:
        return True  # only NaN scores: nothing learned
    baseline = float(trial.start["majority_baseline"])
    # Not better than the baseline by more than the tolerance, in the metric's direction.
    greater = trial.greater_is_better
    return signed(best, greater) <= signed(baseline, greater) + tolerance


def flag_diverging(trials: list[TrialState], *, min_fraction: float, tolerance: float = 1e-9) -> list[str]:
    """Ids of the trials still running whose best score so far is at (or below) the majority
    baseline after ``min_fraction`` of training."""
    return [
        trial.trial_id for trial in trials
        if trial.status == "running" and is_at_baseline(trial, min_fraction=min_fraction, tolerance=tolerance)
    ]


@dataclass
class DivergencePolicy:
    """Flags each trial once and turns the flag into a stop decision."""

    min_fraction: float
    tolerance: float = 1e-9
    flagged: set[str] = field(default_factory=set)

    def observe(self, trials: list[TrialState]) -> list[Decision]:
        decisions = []
        for trial_id in flag_diverging(trials, min_fraction=self.min_fraction, tolerance=self.tolerance):
            if trial_id in self.flagged:
                continue
            self.flagged.add(trial_id)
            decisions.append(divergence_decision(next(t for t in trials if t.trial_id == trial_id),
                                                 self.min_fraction, rule=RULE))
        return decisions


def divergence_decision(trial: TrialState, min_fraction: float, *, rule: str) -> Decision:
    assert trial.start is not None
    baseline = float(trial.start["majority_baseline"])
    return Decision(
        rule=rule, trial=trial.trial_id, action="stop", rung=min_fraction, score=trial.best_score(),
        threshold=baseline, rank=None, of=1,
        reason=f"best score {trial.best_score()} is at the majority baseline {baseline:.4g} "
               f"after {trial.progress:.0%} of training",
    )
