"""The early-stopping planner: the best t/f/p setting for each budget of full trainings.

A setting (t, k, p) costs t*f + p*(1-f) full trainings, f = k/E: all t trials train to the
decision point, the p kept ones train to the end. For each budget B the planner enumerates every
setting with t <= max_t, k in 1..E-1 and p in 0..t-1 whose cost is exactly B (or at most B), plus
training B trials fully with nothing stopped (the baseline), and keeps the one with the highest
exact expected result (``early_stopping.DecisionPointTables``).

The grid is the authors': t (and so the budget) is at most the number N of logged trials, unless a
larger ``max_t`` is asked for (rows with t > N are then marked ``extrapolated``), and p >= 1. Every
setting is a milestone of the one t/f/p rule (``seedtui.policy.tfp_rule``): f = k/E for a scheduled
evaluation k, or f = 1 with p = t (no early stopping), so every recommendation can be applied as it
stands.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from seedtui.core import direction
from seedtui.core.stats.early_stopping import (
    DecisionPointTables,
    early_and_final,
    signed_curves,
)
from seedtui.core.stats.evp import expected_max_of_draws
from seedtui.core.stats.grid import build_grid
from seedtui.policy.tfp_rule import Milestone
from seedtui.state import TrialState


@dataclass(frozen=True)
class Setting:
    """One t/f/p setting: t started, decision after k of E evals, p continued."""

    t: int
    k: int
    p: int
    evals: int

    @property
    def milestone(self) -> Milestone:
        """The decision point in the one t/f/p rule's terms (after evaluation k of E)."""
        return Milestone(self.k, self.evals)

    @property
    def f(self) -> float:
        return self.milestone.f

    @property
    def cost(self) -> float:
        """Full trainings spent: t * f + p * (1 - f)."""
        return (self.t * self.k + self.p * (self.evals - self.k)) / self.evals

    @property
    def is_full_training(self) -> bool:
        return self.p >= self.t


@dataclass
class PlanRow:
    """The best setting for one budget, and what it gains over training ``budget`` trials fully."""

    budget: int
    t: int
    f: float
    k: int
    p: int
    expected_best: float
    sd: float
    baseline: float
    relative_error_reduction: float | None
    """((1 - baseline) - (1 - best)) / (1 - baseline); for lower-is-better metrics the error is the
    score itself: (baseline - best) / baseline. None when the baseline's error is 0."""
    cost: float = 0.0
    baseline_sd: float = 0.0
    extrapolated: bool = False
    """t exceeds the number of logged trials: the expectation draws trials more than once."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "budget": self.budget,
            "t": self.t,
            "f": self.f,
            "k": self.k,
            "p": self.p,
            "cost": self.cost,
            "expected_best": self.expected_best,
            "sd": self.sd,
            "baseline": self.baseline,
            "baseline_sd": self.baseline_sd,
            "relative_error_reduction": self.relative_error_reduction,
            "extrapolated": self.extrapolated,
        }


def settings_for_budget(
    budget: int, evals: int, *, max_t: int = 200, budget_at_most: bool = False
) -> list[Setting]:
    """Every (t, k, p) with t <= max_t, 1 <= k < E, 1 <= p < t and cost == budget (or <= budget),
    plus the baseline (t = p = budget, nothing stopped)."""
    found = [Setting(budget, evals, budget, evals)] if budget <= max_t or budget_at_most else []
    units = budget * evals  # compare costs in whole eval units to stay exact
    for k in range(1, evals):
        for p in range(1, max_t):
            left = units - p * (evals - k)
            if left < (p + 1) * k:  # t must exceed p
                break
            if budget_at_most:
                top = min(max_t, left // k)
                found.extend(Setting(t, k, p, evals) for t in range(p + 1, top + 1))
            elif left % k == 0 and left // k <= max_t:
                found.append(Setting(left // k, k, p, evals))
    return found


def evaluate_settings(
    signed: np.ndarray, settings: Iterable[Setting], *, replacement: bool = True
) -> dict[Setting, tuple[float, float]]:
    """Exact (mean, sd) of the result of each setting, on signed curves (larger is better).

    Settings are grouped by k so each decision point's tables are built once."""
    by_k: dict[int, list[Setting]] = defaultdict(list)
    results: dict[Setting, tuple[float, float]] = {}
    _, final = early_and_final(signed, signed.shape[1])
    for setting in set(settings):
        if setting.is_full_training:
            results[setting] = expected_max_of_draws(final, setting.t, replacement=replacement)
        else:
            by_k[setting.k].append(setting)
    for k, group in sorted(by_k.items()):
        early, final = early_and_final(signed, k)
        p_max = max((s.p for s in group if s.p > 0), default=1)
        tables = DecisionPointTables(early, final, p_max, replacement=replacement)
        by_p: dict[int, list[Setting]] = defaultdict(list)
        for setting in group:
            by_p[setting.p].append(setting)
        # One vectorised evaluation for all t sharing (k, p).
        for p, same_p in by_p.items():
            values = tables.mean_sd_many(np.array([s.t for s in same_p]), p)
            for setting, (mean, sd) in zip(same_p, values, strict=True):
                results[setting] = (float(mean), float(sd))
    return results


def relative_error_reduction(best: float, baseline: float, greater_is_better: bool) -> float | None:
    """Share of the baseline's error removed: error = 1 - score (or the score, lower-is-better)."""
    base_error = 1.0 - baseline if greater_is_better else baseline
    best_error = 1.0 - best if greater_is_better else best
    if base_error == 0.0 or not np.isfinite(base_error):
        return None
    return (base_error - best_error) / base_error


def plan(
    curves: np.ndarray,
    budgets: Iterable[int] = range(1, 31),
    *,
    max_t: int | None = None,
    greater_is_better: bool = True,
    replacement: bool = True,
    budget_at_most: bool = False,
) -> list[PlanRow]:
    """The best t/f/p setting per budget, by exact expected result (see module docstring).

    ``max_t`` defaults to the number N of usable trials (the authors' grid); a budget above it has
    no setting and is refused. Ties in expected result go to the baseline (nothing stopped), then
    to fewer started trials. Without replacement, t is also limited to N."""
    ranked = ranked_settings(curves, budgets, n=1, max_t=max_t, greater_is_better=greater_is_better,
                             replacement=replacement, budget_at_most=budget_at_most)
    return [rows[0] for rows in ranked]


def best_settings(curves: np.ndarray, budget: int, n: int = 3, **options: Any) -> list[PlanRow]:
    """The ``n`` best settings for one budget, best first (the first is ``plan``'s answer): what
    the t/f/p dialog offers, so a user sees how close the runners-up are. ``options`` as ``plan``."""
    return ranked_settings(curves, [budget], n=n, **options)[0]


def ranked_settings(
    curves: np.ndarray,
    budgets: Iterable[int],
    *,
    n: int,
    max_t: int | None = None,
    greater_is_better: bool = True,
    replacement: bool = True,
    budget_at_most: bool = False,
) -> list[list[PlanRow]]:
    """For each budget, its ``n`` best settings, best first, ranked as ``plan`` ranks them."""
    signed = signed_curves(curves, greater_is_better)
    usable = int(np.isfinite(signed).any(axis=1).sum())
    if usable == 0:
        raise ValueError("no trial has a finite score")
    evals = signed.shape[1]
    limit = usable if max_t is None else (max_t if replacement else min(max_t, usable))
    budget_list = [int(b) for b in budgets]
    if any(b < 1 for b in budget_list):
        raise ValueError("budgets must be positive whole numbers of full trainings")
    if not replacement and any(b > usable for b in budget_list):
        raise ValueError(f"a budget above {usable} needs more distinct trials than the logs hold")
    if any(b > limit for b in budget_list):
        raise ValueError(too_large_budget(max(budget_list), usable, limit))
    per_budget = {
        b: settings_for_budget(b, evals, max_t=limit, budget_at_most=budget_at_most) for b in budget_list
    }
    per_budget = {
        b: [s for s in found if s.t <= limit or s.is_full_training] for b, found in per_budget.items()
    }
    results = evaluate_settings(
        signed, (s for found in per_budget.values() for s in found), replacement=replacement
    )

    def rank(setting: Setting) -> tuple[float, bool, int, int, int]:
        # Settings whose result is undefined (NaN: p = 0 where a trial has no early score) never win.
        mean = float(np.nan_to_num(results[setting][0], nan=-np.inf))
        return (-mean, not setting.is_full_training, setting.t, setting.k, setting.p)

    ranked = []
    for budget in budget_list:
        baseline_mean, baseline_sd = results[Setting(budget, evals, budget, evals)]
        baseline = direction.signed(baseline_mean, greater_is_better)
        rows = []
        for best in heapq.nsmallest(n, per_budget[budget], key=rank):
            mean, sd = results[best]
            expected = direction.signed(mean, greater_is_better)
            rows.append(
                PlanRow(
                    budget=budget,
                    t=best.t,
                    f=best.f,
                    k=best.k,
                    p=best.p,
                    expected_best=expected,
                    sd=sd,
                    baseline=baseline,
                    relative_error_reduction=relative_error_reduction(
                        expected, baseline, greater_is_better
                    ),
                    cost=best.cost,
                    baseline_sd=baseline_sd,
                    extrapolated=best.t > usable,
                )
            )
        ranked.append(rows)
    return ranked


def too_large_budget(budget: int, usable: int, limit: int) -> str:
    """Why a budget cannot be planned: it needs more trials than t may take."""
    if limit < usable:
        return f"a budget of {budget} needs t above --max-t {limit}"
    return (f"a budget of {budget} full trainings needs more than the {usable} logged trials; "
            f"plan budgets up to {limit}, or pass --max-t to extrapolate (draws repeat trials)")


def default_budgets(usable: int, top: int = 30) -> list[int]:
    """Budgets 1..30 as in the paper's figures, capped at the number of logged trials."""
    return list(range(1, min(top, usable) + 1))


def recommend_tfp(
    trials: list[TrialState], budget: int, *, include_incomplete: bool = False, **options: Any
) -> PlanRow:
    """The planner's choice for one budget from the trials of an earlier sweep (the sweep
    engine's ``tfp = "auto"``); ``options`` go to ``plan``. Raises ValueError without usable
    trials or with fewer than two evals per trial."""
    grid = build_grid(trials, include_incomplete=include_incomplete)
    if grid.n_trials == 0:
        raise ValueError("no usable trials (completed, with a finite eval score)")
    if grid.curves.shape[1] < 2:
        raise ValueError("planning needs at least 2 evals per trial")
    max_t = options.pop("max_t", None)
    limit = grid.n_trials if max_t is None else min(int(max_t), grid.n_trials)
    if budget > limit:
        raise ValueError(too_large_budget(budget, grid.n_trials, limit))
    return plan(grid.curves, [budget], greater_is_better=grid.greater_is_better, max_t=limit, **options)[0]
