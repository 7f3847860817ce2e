"""The t/f/p policy of Dodge et al. (2020), synchronous as in the paper.

Start ``t`` trials of the grid (in a seeded random order); each trains to fraction ``f`` of its
training (the supervisor launches it with ``--stop-at-fraction f``, so it checkpoints and ends
``suspended``). When all ``t`` have reached ``f``, the ``p`` best by best-so-far score continue
(``promote``: resumed from the checkpoint) and the others are stopped.

Ranking: best-so-far score at ``f`` in the metric's direction; ties are broken by the trials'
position in the seeded launch order (earlier first), so the outcome is deterministic. A trial that
ended before reaching ``f`` (stopped by hand, diverged, failed) is not compared and not counted
against ``p``. A trial already past ``f`` without a checkpoint (the policy applied to a running
sweep) is judged by its best score up to the first eval at or past ``f``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from seedtui.core.engine.decisions import Decision
from seedtui.core.engine.policies import score_at_rung, sort_key
from seedtui.state import TrialState

RULE = "tfp"


def launch_order(trial_ids: list[str], order_seed: int) -> list[str]:
    """The grid in the seeded random order in which a policy launches it."""
    order = list(trial_ids)
    random.Random(order_seed).shuffle(order)
    return order


def has_reached(trial: TrialState, f: float) -> bool:
    """Whether the trial is at its milestone (or past it, or will never get there)."""
    if trial.status == "suspended" or trial.is_finished:
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
    position = {trial_id: index for index, trial_id in enumerate(order)}
    compared = [t for t in trials if not _ended_before_rung(t, f)]
    scored = [(score_at_rung(t, f), t) for t in compared]
    scored.sort(key=lambda pair: (sort_key(pair[0], pair[1].greater_is_better),
                                  position.get(pair[1].trial_id, len(position)), pair[1].trial_id))
    kept = scored[:p]
    threshold = kept[-1][0] if kept else None
    decisions = []
    for rank, (score, trial) in enumerate(scored, start=1):
        promote = rank <= p
        if promote:
            reason = f"rank {rank} of {len(scored)} at f={f:g}: in the best p={p}"
        else:
            reason = (f"rank {rank} of {len(scored)} at f={f:g}: below the p={p} best "
                      f"(threshold {_fmt(threshold)})")
        if trial.status in ("completed",):
            reason += " (already completed)"
        decisions.append(Decision(
            rule=RULE, trial=trial.trial_id, action="promote" if promote else "stop", rung=f,
            score=score, threshold=threshold, rank=rank, of=len(scored), reason=reason,
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

    def decide(self, trials_by_id: dict[str, TrialState]) -> list[Decision]:
        """The decisions, once, when the whole cohort has reached ``f``; otherwise nothing."""
        if self.decided:
            return []
        cohort = [trials_by_id[trial_id] for trial_id in self.cohort if trial_id in trials_by_id]
        if len(cohort) < len(self.cohort):
            return []  # some cohort trials are not even known yet
        decisions = decide_tfp(cohort, f=self.f, p=self.p, order=self.order)
        if decisions is None:
            return []
        self.decided = True
        return decisions
