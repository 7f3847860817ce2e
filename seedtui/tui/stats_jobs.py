"""Statistics and planning jobs the app runs in worker threads.

Trial states are copied on the UI thread first (``snapshot_trials``) so a worker never reads a
list the UI thread is appending to. ``seedtui.core.stats`` is imported lazily: the app works
(without the stats pane's numbers) where it is missing.
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


def _stats_module() -> Any | None:
    try:
        from seedtui.core import stats
    except ImportError:
        return None
    return stats


def compute_summary(trials: list[TrialState]) -> tuple[dict[str, Any] | None, str | None]:
    """(summary, None), or (None, why not)."""
    stats = _stats_module()
    if stats is None or not hasattr(stats, "summarize"):
        return None, "statistics unavailable (seedtui.core.stats is not installed)"
    if not any(t.eval_scores for t in trials):
        return None, "statistics: waiting for evaluations…"
    try:
        return stats.summarize(trials), None
    except Exception as error:  # too few trials, a degenerate grid: say so in the pane
        return None, f"statistics: {error}"


def compute_plan(trials: list[TrialState], budget: float) -> tuple[list[Any], str | None]:
    """The planner's rows for ``budget`` (best first), or ([], why not)."""
    stats = _stats_module()
    if stats is None or not hasattr(stats, "plan") or not hasattr(stats, "build_grid"):
        return [], "the planner is unavailable (seedtui.core.stats is not installed)"
    try:
        grid = stats.build_grid(trials)
        rows = stats.plan(grid.curves, [budget], greater_is_better=grid.greater_is_better)
    except Exception as error:  # e.g. no completed trial yet
        return [], f"planner: {error}"
    return list(rows), None


def flag_diverging(trials: list[TrialState], min_fraction: float | None) -> list[str] | None:
    """The engine's divergence rule, or None when the engine is not installed."""
    try:
        from seedtui.core.engine.policies.divergence import flag_diverging as engine_flag
    except ImportError:
        return None
    return list(engine_flag(trials, min_fraction=0.3 if min_fraction is None else min_fraction))
