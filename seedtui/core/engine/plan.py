"""Which trials a sweep runs, in what order, and with which policies.

The plan is derived from the configuration and the directory alone, so a restarted supervisor
comes to the same one: the grid in WI-major order without a policy; under a policy, the grid in
a seeded random order (``policy.order_seed``), cut to the first ``t`` trials for t/f/p.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from seedtui.core.engine.config import SweepConfig, TfpConfig
from seedtui.core.engine.policies.asha import AshaPolicy
from seedtui.core.engine.policies.divergence import DivergencePolicy
from seedtui.core.engine.policies.tfp import TfpPolicy
from seedtui.log import trial_id
from seedtui.policy.tfp_rule import choose_cohort, launch_order
from seedtui.state import TrialState


@dataclass
class SweepPlan:
    trial_ids: list[str]
    """The trials this supervisor runs, in launch order."""
    seeds: dict[str, tuple[int, int]]
    """(WI, DO) of every trial of the grid (planned or not)."""
    tfp: TfpPolicy | None = None
    asha: AshaPolicy | None = None
    divergence: DivergencePolicy | None = None

    @property
    def grid_size(self) -> int:
        return len(self.seeds)


def make_plan(config: SweepConfig, override: dict[str, Any] | None = None) -> SweepPlan:
    """The plan for ``config``; ``override`` is a policy set at run time (``apply_tfp``)."""
    seeds = {trial_id(wi, do): (wi, do) for wi, do in config.grid}
    grid_ids = list(seeds)
    policy = config.policy
    plan = SweepPlan(trial_ids=grid_ids, seeds=seeds)
    if policy.divergence is not None:
        plan.divergence = DivergencePolicy(policy.divergence.min_fraction, policy.divergence.tolerance)
    if override is not None and override.get("rule") == "tfp":
        cohort = [str(t) for t in override["cohort"]]
        plan.tfp = TfpPolicy(cohort=cohort, f=float(override["f"]), p=int(override["p"]),
                             order=cohort)
        plan.trial_ids = list(cohort)
    elif policy.rule == "tfp" and policy.tfp is not None:
        plan.tfp = TfpPolicy.for_grid(grid_ids, t=policy.tfp.t, f=policy.tfp.f, p=policy.tfp.p,
                                      order_seed=policy.order_seed)
        plan.trial_ids = list(plan.tfp.cohort)
    elif policy.rule == "asha" and policy.asha is not None:
        plan.asha = AshaPolicy.create(min_fraction=policy.asha.min_fraction,
                                      reduction_factor=policy.asha.reduction_factor)
        plan.trial_ids = launch_order(grid_ids, policy.order_seed)
    return plan


def tfp_override(tfp: TfpConfig, plan: SweepPlan, states: dict[str, TrialState],
                 order_seed: int, *, launched: Sequence[str] = ()) -> dict[str, Any]:
    """t/f/p applied to a sweep already under way: the cohort of the one rule
    (``seedtui.policy.tfp_rule.choose_cohort``): trials already started first (they have used
    resources already), then queued ones in the seeded order; if more than ``t`` have started, all
    of them are compared. Queued trials outside the cohort are not run. ``launched``: trials the
    supervisor has started (in launch order) whose trainer may not have logged its start yet;
    they count as started, after those whose log says so."""
    started = sorted((s for s in plan.trial_ids if states[s].status != "queued"),
                     key=lambda s: states[s].first_t or 0.0)
    started += [s for s in launched if s in states and s in plan.trial_ids and s not in started]
    cohort = choose_cohort(tfp.t, launch_order(plan.trial_ids, order_seed), started)
    return {"rule": "tfp", "t": tfp.t, "f": tfp.f, "p": tfp.p, "cohort": cohort}
