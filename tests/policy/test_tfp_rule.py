"""The one t/f/p rule (seedtui.policy.tfp_rule): milestones, settings, cohort and ranking."""

from __future__ import annotations

import math

import pytest

from seedtui.policy.schedule import eval_schedule, scheduled_eval_count
from seedtui.policy.tfp_rule import (
    Milestone,
    TfpError,
    check_setting,
    choose_cohort,
    launch_order,
    parse_fraction,
    rank_at_milestone,
    score_at_milestone,
    snap_fraction,
    snap_note,
)


def test_fractions_snap_to_the_nearest_scheduled_evaluation() -> None:
    assert snap_fraction(0.2, 30) == Milestone(6, 30)
    assert snap_fraction(0.33, 30) == Milestone(10, 30)
    assert snap_fraction(0.25, 10) == Milestone(3, 10)  # halfway rounds up
    assert snap_fraction(0.001, 30) == Milestone(1, 30)  # at least one evaluation
    assert snap_fraction(1.0, 30).is_end and snap_fraction(0.99, 30).is_end
    assert all(snap_fraction(k / 30, 30) == Milestone(k, 30) for k in range(1, 31))  # k/E is exact
    for bad in (0.0, -0.1, 1.01, math.nan, math.inf):
        with pytest.raises(TfpError) as error:
            snap_fraction(bad, 30)
        assert error.value.field == "f"


def test_a_snap_is_said_only_when_it_moves_f() -> None:
    assert snap_note(0.3, snap_fraction(0.3, 30)) is None
    note = snap_note(0.33, snap_fraction(0.33, 30))
    assert note is not None and "10/30" in note and "evaluation 10 of 30" in note


def test_typed_fractions_are_numbers_or_ratios() -> None:
    assert parse_fraction("0.3") == 0.3 and parse_fraction(" 9 / 30 ") == 0.3
    for bad in ("x", "1/0", "nan", "inf"):
        with pytest.raises(TfpError):
            parse_fraction(bad)


def test_the_number_of_evaluations_comes_from_the_start_events_schedule() -> None:
    start = {"steps_per_epoch": 156, "evals_per_epoch": 10, "epochs": 3}
    assert scheduled_eval_count(start) == len(eval_schedule(156, 10, 3, protocol="default")) == 30
    short = eval_schedule(4, 10, 3, protocol="default")
    assert scheduled_eval_count({**start, "steps_per_epoch": 4}) == len(short) == 12
    assert scheduled_eval_count({**start, "evals": 7}) == 7  # a trainer with its own schedule says so
    assert scheduled_eval_count({"epochs": 2.5, "steps_per_epoch": 5, "evals_per_epoch": 2}) is None


def test_one_validation_for_every_apply_path() -> None:
    setting = check_setting(12, 0.3, 4, grid_size=25, evals=30)
    assert (setting.t, setting.k, setting.p, setting.note) == (12, 9, 4, None)
    assert setting.cost == pytest.approx(12 * 0.3 + 4 * 0.7)
    assert check_setting(12, None, 4, grid_size=25, evals=30, k=9) == setting
    no_stop = check_setting(5, 1.0, 2, grid_size=25, evals=30)
    assert (no_stop.t, no_stop.f, no_stop.p) == (5, 1.0, 5) and "no early stopping" in (no_stop.note or "")
    problems = {
        (26, 0.5, 1): "t", (0, 0.5, 1): "t", (5, 0.5, 0): "p", (5, 0.5, 6): "p", (5, 0.0, 1): "f",
        (5, math.nan, 1): "f", (1e999, 0.5, 1): "t", (2.5, 0.5, 1): "t",
    }
    for (t, f, p), field in problems.items():
        with pytest.raises(TfpError) as error:
            check_setting(t, f, p, grid_size=25, evals=30)
        assert error.value.field == field


def test_the_cohort_is_the_launch_order_with_started_trials_first() -> None:
    grid = [f"wi{w}-do{d}" for w in range(1, 4) for d in range(1, 4)]
    order = launch_order(grid, 0)
    assert sorted(order) == sorted(grid) and order == launch_order(grid, 0) != launch_order(grid, 1)
    assert choose_cohort(4, order) == order[:4]
    started = [order[7], order[2]]
    assert choose_cohort(4, order, started) == [order[7], order[2], order[0], order[1]]
    assert choose_cohort(1, order, started) == started  # more started than t: all are compared


def test_ranking_ties_go_to_the_launch_order_and_missing_scores_last() -> None:
    ranked = rank_at_milestone([("a", 0.5), ("b", 0.7), ("c", 0.5), ("d", None), ("e", math.nan)],
                               p=2, order=["d", "c", "b", "a", "e"], greater_is_better=True)
    assert [(r.trial, r.rank, r.promote) for r in ranked] == [
        ("b", 1, True), ("c", 2, True), ("a", 3, False), ("d", 4, False), ("e", 5, False)]
    assert all(r.threshold == 0.5 and r.of == 5 for r in ranked)
    lower = rank_at_milestone([("a", 0.5), ("b", 0.7)], p=1, order=["a", "b"], greater_is_better=False)
    assert [r.trial for r in lower if r.promote] == ["a"]


def test_the_score_at_the_milestone_is_the_best_of_the_first_k() -> None:
    scores = [0.5, 0.9, 0.6, 0.95]
    assert score_at_milestone(scores, Milestone(3, 4), True) == 0.9
    assert score_at_milestone(scores, Milestone(1, 4), False) == 0.5
    assert score_at_milestone([math.nan, 0.4], Milestone(1, 4), True) is None
