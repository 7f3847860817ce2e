"""Asynchronous successive halving (ASHA), as Ray Tune's ``AsyncHyperBandScheduler`` does it.

Rungs sit at ``min_fraction * rf**k`` of training (below 1). Every eval a trial reports is a
result: at the highest rung it has reached and not yet been recorded at, its best-so-far score is
compared with the cutoff of the scores recorded at that rung so far — the ``(1 - 1/rf)``
percentile, i.e. it must be in the top ``1/rf`` — and then recorded. Below the cutoff it is
stopped; the first trial at a rung always continues (there is nothing to compare with).

The engine implements it by reading evals and stopping trials (no suspend/resume): no GPU waits
for a straggler, which is why a user picks ASHA over t/f/p. Because the supervisor reads the
log a moment after the eval is written, a stopped trial may have run a few steps past its rung.
Differences from Ray: the score is the best so far (as in Dodge et al.), not the last result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from seedtui.core.direction import best_score, signed
from seedtui.log.decisions import Decision
from seedtui.state import TrialState

RULE = "asha"


def asha_rungs(min_fraction: float, reduction_factor: float) -> list[float]:
    """Rung fractions in increasing order (those below the end of training)."""
    rungs = []
    fraction = min_fraction
    while fraction < 1 - 1e-9:
        rungs.append(fraction)
        fraction *= reduction_factor
    return rungs


def asha_cutoff(recorded: list[float], reduction_factor: float) -> float | None:
    """The score a new result must reach (scores oriented so that higher is better)."""
    if not recorded:
        return None
    return float(np.nanpercentile(recorded, (1 - 1 / reduction_factor) * 100))


@dataclass
class AshaPolicy:
    """Ray Tune's bracket bookkeeping: the oriented scores recorded at each rung, per trial."""

    rungs: list[float]
    reduction_factor: float
    recorded: dict[float, dict[str, float]] = field(default_factory=dict)
    evals_seen: dict[str, int] = field(default_factory=dict)
    """How many of each trial's evals have been fed as results (so each is fed once)."""

    @classmethod
    def create(cls, *, min_fraction: float, reduction_factor: float) -> AshaPolicy:
        rungs = asha_rungs(min_fraction, reduction_factor)
        return cls(rungs=rungs, reduction_factor=reduction_factor, recorded={r: {} for r in rungs})

    def restore(self, decisions: list[dict], *, greater_is_better: bool) -> None:
        """Rebuild the recorded scores from earlier asha decisions (after a supervisor restart).

        Feeding the old evals again afterwards is harmless: a trial recorded at a rung is not
        judged there twice."""
        for decision in decisions:
            if decision.get("rule") != RULE or decision.get("score") is None:
                continue
            rung = self._matching_rung(float(decision["rung"]))
            if rung is not None:
                score = signed(float(decision["score"]), greater_is_better)
                self.recorded[rung][str(decision["trial"])] = score

    def _matching_rung(self, fraction: float) -> float | None:
        for rung in self.rungs:
            if abs(rung - fraction) < 1e-9:
                return rung
        return None

    def on_result(self, trial: TrialState, eval_index: int) -> Decision | None:
        """Feed one eval of ``trial`` as a result; a decision when it lands on a new rung."""
        total = trial.total_steps
        if not total:
            return None
        progress = trial.eval_steps[eval_index] / total
        score = best_score(trial.eval_scores[: eval_index + 1], trial.greater_is_better)
        # Ray walks the rungs from the highest down: only the highest rung reached counts.
        for rung in reversed(self.rungs):
            recorded = self.recorded[rung]
            if progress + 1e-9 >= rung and trial.trial_id in recorded:
                return None
            if progress + 1e-9 < rung:
                continue
            return self._judge(trial, rung, score, recorded)
        return None

    def _judge(self, trial: TrialState, rung: float, score: float | None,
               recorded: dict[str, float]) -> Decision:
        others = list(recorded.values())
        cutoff = asha_cutoff(others, self.reduction_factor)
        oriented = None if score is None else signed(score, trial.greater_is_better)
        stop = cutoff is not None and (oriented is None or oriented < cutoff)
        if oriented is not None:
            recorded[trial.trial_id] = oriented
        rank = 1 + sum(1 for other in others if oriented is not None and other > oriented)
        threshold = None if cutoff is None else signed(cutoff, trial.greater_is_better)
        top = f"top 1/{self.reduction_factor:g}"
        if cutoff is None:
            reason = f"first trial at rung {rung:g}: nothing to compare with"
        elif stop:
            reason = (f"best-so-far below the {top} cutoff of the {len(others)} earlier results "
                      f"at rung {rung:g}")
        else:
            reason = f"in the {top} of the {len(others)} earlier results at rung {rung:g}"
        if trial.status != "running":
            stop = False
            reason += f" (already ended: {trial.status})"
        return Decision(
            rule=RULE, trial=trial.trial_id, action="stop" if stop else "keep", rung=rung, score=score,
            threshold=threshold, rank=rank, of=len(others) + 1, reason=reason,
        )

    def observe(self, trials: list[TrialState]) -> list[Decision]:
        """Feed every eval not yet seen, oldest first across trials (as results would arrive)."""
        pending: list[tuple[int, int, TrialState]] = []
        for order, trial in enumerate(trials):
            seen = self.evals_seen.get(trial.trial_id, 0)
            for index in range(seen, len(trial.eval_steps)):
                pending.append((order, index, trial))
            self.evals_seen[trial.trial_id] = len(trial.eval_steps)
        # evals have no timestamp in TrialState; interleave by progress, then by trial order
        pending.sort(key=lambda item: (item[2].eval_steps[item[1]] / (item[2].total_steps or 1), item[0]))
        decisions = []
        stopped: set[str] = set()
        for _, index, trial in pending:
            if trial.trial_id in stopped:
                continue  # a stopped trial reports no further results
            decision = self.on_result(trial, index)
            if decision is not None:
                decisions.append(decision)
                if decision.action == "stop":
                    stopped.add(trial.trial_id)
        return decisions
