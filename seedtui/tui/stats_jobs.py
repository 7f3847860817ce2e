"""Statistics and planning jobs the app runs in worker threads.

Trial states are copied on the UI thread first (``snapshot_trials``) so a worker never reads a
list the UI thread is appending to. ``seedtui.core.stats`` is imported on first use, not at the
app's start-up (it brings scipy).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from seedtui.state import TrialState


def snapshot_trials(trials: Iterable[TrialState]) -> list[TrialState]:
    """Copies that later events will not change (lists copied, events shared read-only)."""
    copies = []
    for state in trials:
        clone = copy.copy(state)
        clone.train_steps = list(state.train_steps)
        clone.train_losses = list(state.train_losses)
        clone.eval_steps = list(state.eval_steps)
        clone.eval_epochs = list(state.eval_epochs)
        clone.eval_scores = list(state.eval_scores)
        clone.eval_metrics = list(state.eval_metrics)
        copies.append(clone)
    return copies


def compute_summary(trials: list[TrialState]) -> tuple[dict[str, Any] | None, str | None]:
    """(summary, None), or (None, why not). The summary is ``seedtui stats --json``'s object
    (``seedtui.core.stats.summarize``), so the pane shows the command's numbers."""
    from seedtui.core.stats import summarize

    if not any(t.eval_scores for t in trials):
        return None, "statistics: waiting for evaluations…"
    try:
        return summarize(trials), None
    except Exception as error:  # too few trials, a degenerate grid: say so in the pane
        return None, f"statistics: {error}"


def compute_plan(trials: list[TrialState], budget: float) -> tuple[list[Any], str | None]:
    """The planner's rows for ``budget`` (best first), or ([], why not)."""
    from seedtui.core.stats import build_grid, plan

    try:
        grid = build_grid(trials)
        rows = plan(grid.curves, [budget], greater_is_better=grid.greater_is_better)
    except Exception as error:  # e.g. no completed trial yet
        return [], f"planner: {error}"
    return list(rows), None


def flag_diverging(trials: list[TrialState], min_fraction: float | None) -> list[str]:
    """The engine's divergence rule (``min_fraction`` 0.3 when the sweep does not say)."""
    from seedtui.core.engine.policies.divergence import flag_diverging as engine_flag

    return list(engine_flag(trials, min_fraction=0.3 if min_fraction is None else min_fraction))
