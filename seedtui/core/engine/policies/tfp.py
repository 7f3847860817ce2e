"""The t/f/p policy of Dodge et al. (2020), synchronous as in the paper, in the supervisor.

The rule itself (milestone, cohort, ranking, ties) is ``seedtui.policy.tfp_rule``; this module
turns it into the supervisor's state and its logged decisions. Start the ``t`` trials of the
cohort; each trains to the milestone (the supervisor launches it with ``--stop-at-fraction f`` and
the trainer suspends right after the milestone's scheduled evaluation). When all ``t`` have
reached it, the ``p`` best continue (``promote``: resumed from the checkpoint) and the others are
stopped. A trial that ended before the milestone (stopped by hand, diverged, failed) is not
compared and not counted against ``p``. A trial already past the milestone without a checkpoint
(the policy applied to a running sweep) is judged by its best score up to the milestone.
At ``f = 1`` (no early stopping) nothing is decided: every started trial trains fully.
"""

from __future__ import annotations

from dataclasses import dataclass

from seedtui.core.engine.policies import score_at_rung
from seedtui.log.decisions import Decision
from seedtui.policy.tfp_rule import launch_order, rank_at_milestone
from seedtui.state import TrialState

RULE = "tfp"

__all__ = ["RULE", "TfpPolicy", "decide_tfp", "has_reached", "launch_order", "rank_cohort"]


def has_reached(trial: TrialState, f: float) -> bool:
    """Whether the trial is at its milestone (or past it, or will never get there)."""
    if trial.suspended_at_milestone or trial.is_finished:
        return True
    if trial.status != "running" or trial.start is None:
        return False
    if trial.resumes == 0 and (trial.start.get("config") or {}).get("stop_at_fraction") is not None:
        return False  # it will suspend at its milestone: wait for that, do not race it
    return score_at_rung(trial, f) is not None


def decide_tfp(trials: list[TrialState], *, f: float, p: int, order: list[str]) -> list[Decision] | None:
    """The decisions for the cohort ``trials`` once every one has reached ``f``; None before.

    ``order`` is the launch order, used to break ties. Trials that ended before ``f`` get no
    decision. Trials are returned in rank order."""
    if not all(has_reached(trial, f) for trial in trials):
        return None
    return rank_cohort(trials, f=f, p=p, order=order)


def rank_cohort(trials: list[TrialState], *, f: float, p: int, order: list[str]) -> list[Decision]:
    """The decisions for a cohort whose trials are at (or past) the milestone, in rank order.

    The engine calls it through ``decide_tfp`` once the whole cohort is there; replay rehearsal
    calls it with each trial's state folded up to its milestone, so both decide alike."""
    compared = {t.trial_id: t for t in trials if not _ended_before_rung(t, f)}
    greater = next(iter(compared.values())).greater_is_better if compared else True
    ranking = rank_at_milestone(((trial_id, score_at_rung(trial, f)) for trial_id, trial in compared.items()),
                                p=p, order=order, greater_is_better=greater)
    decisions = []
    for place in ranking:
        if place.promote:
            reason = f"rank {place.rank} of {place.of} at f={f:g}: in the best p={p}"
        else:
            reason = (f"rank {place.rank} of {place.of} at f={f:g}: below the p={p} best "
                      f"(threshold {_fmt(place.threshold)})")
        if compared[place.trial].status == "completed":
            reason += " (already completed)"
        decisions.append(Decision(
            rule=RULE, trial=place.trial, action="promote" if place.promote else "stop", rung=f,
            score=place.score, threshold=place.threshold, rank=place.rank, of=place.of, reason=reason,
        ))
    return decisions


def _ended_before_rung(trial: TrialState, f: float) -> bool:
    if trial.status == "suspended" or not trial.is_finished:
        return False
    return score_at_rung(trial, f) is None or trial.status != "completed"


def _fmt(value: float | None) -> str:
    return "none" if value is None else f"{value:.4g}"


@dataclass
class TfpPolicy:
    """The supervisor's t/f/p state: the cohort and whether its decision has been made."""

    cohort: list[str]
    f: float
    p: int
    order: list[str]
    decided: bool = False

    @classmethod
    def for_grid(cls, grid_ids: list[str], *, t: int, f: float, p: int, order_seed: int) -> TfpPolicy:
        order = launch_order(grid_ids, order_seed)
        return cls(cohort=order[:t], f=f, p=p, order=order)

    @property
    def decides(self) -> bool:
        """False at f = 1 (no early stopping): every cohort trial trains fully, nothing is ranked."""
        return self.f < 1.0 - 1e-12

    def decide(self, trials_by_id: dict[str, TrialState]) -> list[Decision]:
        """The decisions, once, when the whole cohort has reached ``f``; otherwise nothing."""
        if self.decided or not self.decides:
            return []
        cohort = [trials_by_id[trial_id] for trial_id in self.cohort if trial_id in trials_by_id]
        if len(cohort) < len(self.cohort):
            return []  # some cohort trials are not even known yet
        decisions = decide_tfp(cohort, f=self.f, p=self.p, order=self.order)
        if decisions is None:
            return []
        self.decided = True
        return decisions
