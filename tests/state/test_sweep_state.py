"""The sweep's state: one counter by status, one best trial with its tie-break."""

from __future__ import annotations

from seedtui.state import STATUSES, SweepState, TrialState, best_trial, count_by_status


def trial(name: str, status: str, scores: list[float], *, greater_is_better: bool = True) -> TrialState:
    state = TrialState(trial_id=name, status=status, eval_scores=scores)
    state.start = {"greater_is_better": greater_is_better}
    return state


def test_count_by_status_lists_every_status_then_unknown_ones() -> None:
    states = [trial("a", "running", []), trial("b", "running", []), trial("c", "weird", [])]
    counts = count_by_status(states)
    assert list(counts) == [*STATUSES, "weird"]
    assert counts["running"] == 2 and counts["weird"] == 1 and counts["queued"] == 0
    assert count_by_status(states, with_zeros=False) == {"running": 2, "weird": 1}


def test_best_trial_prefers_completed_then_the_first_and_ignores_nan() -> None:
    running = trial("a", "running", [0.7])
    completed = trial("b", "completed", [0.5, 0.7])
    later = trial("c", "completed", [0.7, float("nan")])
    assert best_trial([running, completed, later], True) == (completed, 0.7)
    assert best_trial([trial("x", "running", [float("nan")])], True) is None
    low = [trial("d", "completed", [0.3, 0.2], greater_is_better=False), trial("e", "stopped", [0.25])]
    assert best_trial(low, False) == (low[0], 0.2)


def test_sweep_state_folds_events_and_caches_the_best_until_the_next_one() -> None:
    sweep = SweepState()
    sweep.ensure("wi2-do1")
    start = {"event": "start", "t": 1.0, "greater_is_better": True, "wi_seed": 1, "do_seed": 1}
    changed = sweep.apply([("wi1-do1", start),
                           ("wi1-do1", {"event": "eval", "t": 2.0, "step": 1, "epoch": 0.1, "score": 0.6})])
    assert changed == {"wi1-do1"} and [s.trial_id for s in sweep.states()] == ["wi1-do1", "wi2-do1"]
    assert sweep.best_score() == 0.6 and sweep.counts(with_zeros=False) == {"queued": 1, "running": 1}
    sweep.apply([("wi1-do1", {"event": "eval", "t": 3.0, "step": 2, "epoch": 0.2, "score": 0.8})])
    assert sweep.best_score() == 0.8
    assert sweep.mark_orphaned(["wi1-do1", "wi2-do1"]) == {"wi1-do1"}
    assert sweep.trials["wi1-do1"].status == "failed" and sweep.ended() == 1
    assert sweep.forget("wi1-do1").status == "queued"


def test_a_trials_best_score_and_process_follow_its_events_though_kept_between_questions() -> None:
    """``TrialState.best_score`` and ``process`` are kept between calls (asked of 625 trials per
    frame); each new eval, a start with another direction, a reset or a new start changes them."""
    state = TrialState(trial_id="wi1-do1")
    assert state.best_score() is None and state.process is None
    state.apply({"event": "start", "t": 1.0, "greater_is_better": True, "pid": 7, "host": "a",
                 "device": "cpu"})
    assert state.process is not None and (state.process.pid, state.process.host) == (7, "a")
    for step, score in ((1, 0.6), (2, 0.5), (3, 0.9)):
        state.apply({"event": "eval", "t": 1.0 + step, "step": step, "epoch": step / 10, "score": score})
        assert state.best_score() == max(state.eval_scores)
    state.apply({"event": "start", "t": 5.0, "greater_is_better": False, "pid": 8, "host": "b"})
    assert state.best_score() == 0.5  # the same scores, read in the other direction
    assert state.process is not None and (state.process.pid, state.process.host) == (8, "b")
    state.reset()
    assert state.best_score() is None and state.process is None


def test_the_sweeps_first_start_is_kept_until_the_next_event() -> None:
    sweep = SweepState()
    sweep.ensure("wi1-do1")
    assert sweep.first_start() is None and sweep.greater_is_better
    start = {"event": "start", "t": 1.0, "greater_is_better": False, "metric": "mcc", "wi_seed": 1,
             "do_seed": 1}
    sweep.apply([("wi1-do1", start)])
    assert sweep.first_start() is start and not sweep.greater_is_better
    sweep.forget("wi1-do1")
    assert sweep.first_start() is None
