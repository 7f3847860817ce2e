"""The pure policy functions on hand-built trial states (no processes)."""

from __future__ import annotations

from typing import Any

import pytest

from seedtui.core.engine.policies import score_at_rung
from seedtui.core.engine.policies.asha import AshaPolicy, asha_cutoff, asha_rungs
from seedtui.core.engine.policies.divergence import DivergencePolicy, flag_diverging
from seedtui.core.engine.policies.tfp import TfpPolicy, decide_tfp, has_reached, launch_order
from seedtui.state import TrialState


def trial(name: str, evals: list[tuple[int, float]], *, total: int = 10, status: str = "running",
          greater_is_better: bool = True, baseline: float = 0.5, stop_at_fraction: float | None = None,
          scheduled_evals: int = 4) -> TrialState:
    """A trial whose log holds a start, the given (step, score) evals, and an end unless running.
    Its schedule has ``scheduled_evals`` evaluations in one epoch of ``total`` steps."""
    state = TrialState(trial_id=name)
    start: dict[str, Any] = {
        "event": "start", "t": 0.0, "metric": "acc", "greater_is_better": greater_is_better,
        "total_steps": total, "steps_per_epoch": total, "evals_per_epoch": scheduled_evals, "epochs": 1,
        "majority_baseline": baseline, "config": {"stop_at_fraction": stop_at_fraction},
    }
    state.apply(start)
    for step, score in evals:
        state.apply({"event": "eval", "t": float(step), "step": step, "epoch": step / total,
                     "metrics": {"acc": score}, "score": score})
    if status != "running":
        state.apply({"event": "end", "t": 99.0, "status": status, "step": evals[-1][0] if evals else 0,
                     "reason": ""})
    return state


# --- t/f/p ----------------------------------------------------------------------------------------

def test_score_at_rung_is_the_best_so_far_over_the_first_k_of_e_evals() -> None:
    state = trial("a", [(2, 0.6), (4, 0.7), (6, 0.65), (8, 0.9)])  # 4 scheduled evals
    assert score_at_rung(state, 0.5) == 0.7   # k = 2 of 4: evals 1 and 2 count, the later ones do not
    assert score_at_rung(state, 0.55) == 0.7  # 0.55 snaps to the nearest milestone, 2/4
    assert score_at_rung(state, 0.7) == 0.7   # 0.7 snaps to 3/4: best of 0.6, 0.7, 0.65
    assert score_at_rung(state, 0.9) == 0.9   # 4/4
    assert score_at_rung(trial("b", [(2, 0.6)]), 0.5) is None  # not yet at its second eval


def test_tfp_waits_until_every_trial_has_reached_f() -> None:
    cohort = [trial("a", [(5, 0.7)], status="suspended"), trial("b", [(2, 0.6)], stop_at_fraction=0.5)]
    assert decide_tfp(cohort, f=0.5, p=1, order=["a", "b"]) is None


def test_a_running_trial_launched_to_suspend_is_not_judged_before_it_suspends() -> None:
    racing = trial("b", [(5, 0.6)], stop_at_fraction=0.5)
    assert not has_reached(racing, 0.5)
    # launched without a milestone: judged by its evals (f = 0.5 of 2 evals is after eval 1)
    assert has_reached(trial("c", [(5, 0.6)], scheduled_evals=2), 0.5)


def test_tfp_keeps_the_p_best_and_stops_the_rest_with_ranks_and_threshold() -> None:
    cohort = [
        trial("a", [(3, 0.55), (5, 0.60)], status="suspended"),
        trial("b", [(3, 0.80), (5, 0.70)], status="suspended"),  # best so far 0.80, not the last score
        trial("c", [(3, 0.50), (5, 0.75)], status="suspended"),
        trial("d", [(3, 0.40), (5, 0.45)], status="suspended"),
    ]
    decisions = decide_tfp(cohort, f=0.5, p=2, order=["a", "b", "c", "d"])
    assert decisions is not None
    by_trial = {d.trial: d for d in decisions}
    assert {t for t, d in by_trial.items() if d.action == "promote"} == {"b", "c"}
    assert {t for t, d in by_trial.items() if d.action == "stop"} == {"a", "d"}
    assert [by_trial[t].rank for t in "bcad"] == [1, 2, 3, 4]
    assert all(d.threshold == 0.75 and d.of == 4 and d.rule == "tfp" and d.rung == 0.5 for d in decisions)
    assert by_trial["b"].score == 0.80


def test_tfp_ties_go_to_the_earlier_trial_in_launch_order() -> None:
    cohort = [trial(n, [(5, 0.6)], status="suspended") for n in "abc"]
    decisions = decide_tfp(cohort, f=0.5, p=1, order=["c", "a", "b"])
    assert decisions is not None
    assert [d.trial for d in decisions if d.action == "promote"] == ["c"]


def test_tfp_for_a_lower_is_better_metric() -> None:
    cohort = [trial("a", [(5, 0.3)], status="suspended", greater_is_better=False),
              trial("b", [(5, 0.1)], status="suspended", greater_is_better=False)]
    decisions = decide_tfp(cohort, f=0.5, p=1, order=["a", "b"])
    assert decisions is not None
    assert [d.trial for d in decisions if d.action == "promote"] == ["b"]


def test_tfp_does_not_compare_trials_that_ended_before_f() -> None:
    cohort = [trial("a", [(5, 0.6)], status="suspended"), trial("b", [(2, 0.9)], status="stopped"),
              trial("c", [(5, 0.5)], status="suspended")]
    decisions = decide_tfp(cohort, f=0.5, p=1, order=["a", "b", "c"])
    assert decisions is not None
    assert [(d.trial, d.action) for d in decisions] == [("a", "promote"), ("c", "stop")]


def test_tfp_policy_decides_once_over_its_seeded_cohort() -> None:
    grid = [f"wi{w}-do{d}" for w in range(1, 4) for d in range(1, 4)]
    policy = TfpPolicy.for_grid(grid, t=4, f=0.5, p=2, order_seed=7)
    assert policy.cohort == launch_order(grid, 7)[:4]
    assert launch_order(grid, 7) == launch_order(grid, 7) != launch_order(grid, 8)
    states = {name: trial(name, [(5, i / 10)], status="suspended") for i, name in enumerate(policy.cohort)}
    assert len(policy.decide(states)) == 4
    assert policy.decide(states) == []


# --- ASHA -----------------------------------------------------------------------------------------

def test_asha_rungs_and_cutoff() -> None:
    assert asha_rungs(0.25, 4) == [0.25]
    assert asha_rungs(1 / 16, 4) == [1 / 16, 0.25]
    assert asha_rungs(0.125, 2) == [0.125, 0.25, 0.5]
    assert asha_cutoff([], 4) is None
    assert asha_cutoff([0.1, 0.2, 0.3, 0.4, 0.5], 4) == pytest.approx(0.4)  # the 75th percentile


def test_asha_first_at_a_rung_continues_then_only_the_top_quarter_does() -> None:
    policy = AshaPolicy.create(min_fraction=0.25, reduction_factor=4)
    results = []
    for name, score in [("a", 0.6), ("b", 0.5), ("c", 0.7), ("d", 0.64), ("e", 0.69)]:
        state = trial(name, [(3, score)])  # step 3 of 10 is past the 0.25 rung
        results.append(policy.observe([state])[0])
    assert [r.action for r in results] == ["keep", "stop", "keep", "stop", "keep"]
    # d is compared with the 75th percentile of a, b, c (0.65) and falls short
    assert results[3].threshold == pytest.approx(0.65)
    assert results[3].score == 0.64
    assert results[1].rank == 2 and results[1].of == 2


def test_asha_judges_a_trial_once_per_rung_and_only_at_the_highest_reached() -> None:
    policy = AshaPolicy.create(min_fraction=0.25, reduction_factor=2)  # rungs 0.25, 0.5
    state = trial("a", [(1, 0.5), (3, 0.6), (4, 0.6), (6, 0.7)])
    decisions = policy.observe([state])
    assert [(d.rung, d.action) for d in decisions] == [(0.25, "keep"), (0.5, "keep")]
    assert policy.observe([state]) == []
    jumped = trial("b", [(6, 0.4)])  # first seen past both rungs: judged at 0.5 only
    assert [d.rung for d in policy.observe([jumped])] == [0.5]


def test_asha_does_not_stop_a_trial_that_already_ended() -> None:
    policy = AshaPolicy.create(min_fraction=0.25, reduction_factor=4)
    policy.observe([trial("a", [(3, 0.9)])])
    late = policy.observe([trial("b", [(3, 0.1), (10, 0.2)], status="completed")])[0]
    assert late.action == "keep" and "already ended" in late.reason


def test_asha_restores_its_recorded_scores_from_decisions() -> None:
    first = AshaPolicy.create(min_fraction=0.25, reduction_factor=4)
    logged = [d.to_dict() for d in first.observe([trial("a", [(3, 0.9)])])]
    second = AshaPolicy.create(min_fraction=0.25, reduction_factor=4)
    second.restore(logged, greater_is_better=True)
    assert second.observe([trial("a", [(3, 0.9)])]) == []  # not judged twice
    assert second.observe([trial("b", [(3, 0.5)])])[0].action == "stop"


# --- divergence -----------------------------------------------------------------------------------

def test_flag_diverging_finds_running_trials_at_the_majority_baseline_after_min_fraction() -> None:
    trials = [
        trial("flat", [(2, 0.5), (4, 0.5)], baseline=0.5),
        trial("early", [(2, 0.5)], baseline=0.5),            # only 20% trained: too early to tell
        trial("learning", [(2, 0.5), (4, 0.62)], baseline=0.5),
        trial("below", [(4, 0.41)], baseline=0.5),
        trial("done", [(4, 0.5)], baseline=0.5, status="completed"),  # not running
    ]
    assert flag_diverging(trials, min_fraction=0.3) == ["flat", "below"]
    assert flag_diverging(trials, min_fraction=0.5) == []
    assert flag_diverging([trial("close", [(4, 0.5 + 1e-12)])], min_fraction=0.3) == ["close"]
    assert flag_diverging([trial("close", [(4, 0.5001)])], min_fraction=0.3, tolerance=1e-3) == ["close"]


def test_divergence_policy_stops_each_trial_once() -> None:
    policy = DivergencePolicy(min_fraction=0.3)
    flat = trial("flat", [(4, 0.5)], baseline=0.5)
    decisions = policy.observe([flat])
    assert [(d.trial, d.action, d.threshold) for d in decisions] == [("flat", "stop", 0.5)]
    assert policy.observe([flat]) == []


def test_asha_feeds_no_results_of_a_trial_after_stopping_it() -> None:
    policy = AshaPolicy.create(min_fraction=0.25, reduction_factor=2)  # rungs 0.25, 0.5
    policy.observe([trial("a", [(3, 0.9)])])
    decisions = policy.observe([trial("b", [(3, 0.1), (6, 0.95)])])
    assert [(d.rung, d.action) for d in decisions] == [(0.25, "stop")]
