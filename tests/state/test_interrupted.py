"""The one rule of which end is final: an end the sweep's own stop caused (``by: "sweep"``) is not,
whether the trial suspended (it resumes) or could not checkpoint (it starts over); every other
``stopped`` is. The counters and the end-of-sweep summary follow the rule."""

from __future__ import annotations

from typing import Any

import pytest

from seedtui.state import SWEEP_STOP, SweepState, TrialState, count_ended


def _ended(status: str, by: str | None = None) -> TrialState:
    state = TrialState(trial_id="wi1-do1")
    end: dict[str, Any] = {"event": "end", "t": 1.0, "status": status, "step": 3, "reason": "x"}
    if by is not None:
        end["by"] = by
    state.apply({"event": "resume", "t": 0.5, "step": 0})
    state.apply(end)
    return state


@pytest.mark.parametrize(("status", "by", "final", "interrupted", "at_milestone"), [
    ("suspended", SWEEP_STOP, False, True, False),
    ("stopped", SWEEP_STOP, False, True, False),
    ("suspended", None, False, False, True),
    ("stopped", "user", True, False, False),
    ("stopped", "tfp", True, False, False),
    ("stopped", "signal", True, False, False),
    ("completed", None, True, False, False),
    ("failed", None, True, False, False),
    ("diverged", None, True, False, False),
])
def test_which_ends_are_final(status: str, by: str | None, final: bool, interrupted: bool,
                              at_milestone: bool) -> None:
    state = _ended(status, by)
    assert (state.is_finished, state.interrupted, state.suspended_at_milestone) == (final, interrupted,
                                                                                     at_milestone)


def test_a_resume_clears_the_interruption() -> None:
    state = _ended("suspended", SWEEP_STOP)
    state.apply({"event": "resume", "t": 2.0, "step": 3})
    assert state.status == "running" and not state.interrupted and not state.is_finished


def test_counts_follow_the_rule() -> None:
    sweep = SweepState()
    for trial, (status, by) in {"wi1-do1": ("stopped", SWEEP_STOP), "wi1-do2": ("stopped", "user"),
                                "wi1-do3": ("suspended", SWEEP_STOP)}.items():
        state = _ended(status, by)
        state.trial_id = trial
        sweep.put(state)
    assert sweep.counts(with_zeros=False) == {"stopped": 2, "suspended": 1}  # statuses as the logs say
    assert sweep.ended() == count_ended(sweep.trials.values()) == 1  # only the user's kill is final
