"""The planner: its enumeration of settings, its choice, and its baseline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from seedtui.core.stats.early_stopping import expected_best_tfp
from seedtui.core.stats.evp import expected_validation_performance
from seedtui.core.stats.planner import Setting, plan, relative_error_reduction, settings_for_budget
from seedtui.testing.curves import rte_like_curves


def brute_settings(budget: int, evals: int, max_t: int, at_most: bool) -> set[tuple[int, int, int]]:
    found = {(budget, evals, budget)}
    for t in range(1, max_t + 1):
        for k in range(1, evals):
            for p in range(1, t):  # p >= 1: every setting can be applied
                units = t * k + p * (evals - k)
                if units == budget * evals or (at_most and units <= budget * evals):
                    found.add((t, k, p))
    return found


@pytest.mark.parametrize("at_most", [False, True])
@pytest.mark.parametrize("budget", [1, 2, 5])
def test_enumeration_is_complete_and_costs_are_exact(budget: int, at_most: bool) -> None:
    settings = settings_for_budget(budget, 6, max_t=25, budget_at_most=at_most)
    assert {(s.t, s.k, s.p) for s in settings} == brute_settings(budget, 6, 25, at_most)
    assert len(settings) == len(set(settings))
    for setting in settings:
        assert setting.cost <= budget + 1e-12
        if not at_most:
            assert setting.cost == pytest.approx(budget)


def test_plan_picks_the_best_exactly_evaluated_setting() -> None:
    curves = rte_like_curves(4, 4, 6, seed=11)
    rows = plan(curves, [2, 3], max_t=15)
    for row in rows:
        candidates = settings_for_budget(row.budget, 6, max_t=15)
        values = {}
        for s in candidates:
            values[s] = expected_best_tfp(curves, s.t, s.k, s.p)[0]
        assert row.expected_best == pytest.approx(max(values.values()), abs=1e-12)
        chosen = Setting(row.t, row.k, row.p, 6) if row.p < row.t else Setting(row.budget, 6, row.budget, 6)
        assert values[chosen] == pytest.approx(row.expected_best, abs=1e-12)
        assert row.cost == pytest.approx(row.budget)
        assert row.f == pytest.approx(row.k / 6)


def test_baseline_is_the_expected_best_of_budget_full_trainings() -> None:
    curves = rte_like_curves(3, 5, 6, seed=2)
    evp = expected_validation_performance(np.nanmax(curves, axis=1))
    for row in plan(curves, [1, 4, 10], max_t=30):
        assert row.baseline == pytest.approx(evp.mean[row.budget - 1], abs=1e-12)
        assert row.expected_best >= row.baseline - 1e-12
        expected = ((1 - row.baseline) - (1 - row.expected_best)) / (1 - row.baseline)
        assert row.relative_error_reduction == pytest.approx(expected, abs=1e-12)


def test_budget_at_most_never_does_worse() -> None:
    curves = rte_like_curves(3, 3, 5, seed=5)
    exact = plan(curves, [2, 3], max_t=20)
    at_most = plan(curves, [2, 3], max_t=20, budget_at_most=True)
    for a, b in zip(exact, at_most, strict=True):
        assert b.expected_best >= a.expected_best - 1e-12
        assert b.cost <= b.budget + 1e-12


def test_lower_is_better_plans_mirror_higher_is_better() -> None:
    curves = rte_like_curves(3, 3, 5, seed=8)
    higher = plan(curves, [2, 4], max_t=20)
    lower = plan(1.0 - curves, [2, 4], max_t=20, greater_is_better=False)
    for h, lo in zip(higher, lower, strict=True):
        assert (lo.t, lo.k, lo.p) == (h.t, h.k, h.p)
        assert lo.expected_best == pytest.approx(1.0 - h.expected_best, abs=1e-12)
        assert lo.sd == pytest.approx(h.sd, abs=1e-9)
        # error = the score itself for lower-is-better metrics.
        assert lo.relative_error_reduction == pytest.approx((lo.baseline - lo.expected_best) / lo.baseline)


def test_without_replacement_limits_t_to_the_trials() -> None:
    curves = rte_like_curves(2, 3, 4, seed=1)
    for row in plan(curves, [1, 2, 3], replacement=False):
        assert row.t <= 6
    with pytest.raises(ValueError, match="distinct"):
        plan(curves, [7], replacement=False)


def test_all_equal_scores_plan_to_the_baseline() -> None:
    rows = plan(np.full((5, 4), 0.5), [1, 2, 3], max_t=10)
    for row in rows:
        assert row.expected_best == pytest.approx(0.5) and row.sd == pytest.approx(0.0, abs=1e-7)
        assert (row.t, row.p) == (row.budget, row.budget)  # ties go to the baseline
        assert row.relative_error_reduction == pytest.approx(0.0)


def test_relative_error_reduction_is_none_without_baseline_error() -> None:
    assert relative_error_reduction(1.0, 1.0, True) is None
    assert relative_error_reduction(0.0, 0.0, False) is None


def test_to_dict_has_the_issue_fields() -> None:
    row = plan(rte_like_curves(2, 2, 4), [2], max_t=10)[0].to_dict()
    for key in ("budget", "t", "f", "p", "expected_best", "sd", "baseline", "relative_error_reduction"):
        assert key in row


def test_recommend_tfp_from_logged_trials(small_sweep: Path) -> None:
    from seedtui.core.stats.grid import build_grid
    from seedtui.core.stats.planner import recommend_tfp
    from seedtui.state import load_trials

    trials = load_trials(small_sweep)
    row = recommend_tfp(trials, 3, max_t=30)
    grid = build_grid(trials)
    assert row == plan(grid.curves, [3], max_t=30)[0]
    with pytest.raises(ValueError, match="no usable"):
        recommend_tfp([], 3)
