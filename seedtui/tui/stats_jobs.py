"""Statistics and planning jobs the app runs in worker threads.

Trial states are copied on the UI thread first (``snapshot_trials``) so a worker never reads a
list the UI thread is appending to. ``seedtui.core.stats`` is imported on first use, not at the
app's start-up (it brings scipy).

The worker threads hand the computing itself to the statistics process (``stats_process``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from seedtui.state import TrialState
from seedtui.state.series import Series


def snapshot_trials(trials: Iterable[TrialState]) -> list[TrialState]:
    """Copies that later events will not change (lists copied, events shared read-only), for the
    statistics, which read evaluations: of the training losses only the last step and loss are
    kept (a trial's progress and last loss stay what they are), so 625 trials copy and travel to
    the statistics process as ~30 evaluations each, not ~500 losses more."""
    copies = []
    for state in trials:
        clone = copy.copy(state)
        clone.train_steps = Series(state.train_steps[-1:], dtype=state.train_steps.dtype)
        clone.train_losses = Series(state.train_losses[-1:], dtype=state.train_losses.dtype)
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


PLAN_CHOICES = 3
"""How many settings the planner offers for one budget: the best and two runners-up."""


def default_budget(trials: list[TrialState]) -> float:
    """The budget the t/f/p dialog asks about before the user types one: a quarter of the grid."""
    return max(1.0, float(round(len(trials) / 4)))


def compute_plan(trials: list[TrialState], budget: float | None) -> tuple[list[Any], float, str | None]:
    """(the best ``PLAN_CHOICES`` settings for ``budget``, best first; the budget planned; None),
    or ([], budget, a sentence saying why there is no plan). ``budget`` None asks for the default
    budget, lowered to the number of finished trials so the first answer is a plan, not a refusal."""
    from seedtui.core.stats import build_grid
    from seedtui.core.stats.planner import best_settings

    grid = build_grid(trials)
    usable = grid.n_trials
    if budget is None:
        budget = min(default_budget(trials), float(max(usable, 1)))
    whole = int(budget)
    if usable == 0:
        return [], budget, ("The planner learns from completed trials, and none has completed yet: "
                            "it answers once one does.")
    if grid.curves.shape[1] < 2:
        return [], budget, "The planner needs at least two evaluations per trial."
    if whole < 1:
        return [], budget, "The budget counts full trainings: type 1 or more."
    if whole > usable:
        return [], budget, (f"A budget of {whole} full trainings needs more than the {usable} "
                            f"completed trials the planner can draw from: type at most {usable}.")
    try:
        rows = best_settings(grid.curves, whole, PLAN_CHOICES, greater_is_better=grid.greater_is_better)
    except ValueError as error:  # the planner's own refusal, already a sentence
        return [], budget, f"No plan: {error}."
    return rows, budget, None


def flag_diverging(trials: list[TrialState], min_fraction: float | None) -> list[str]:
    """The engine's divergence rule (``min_fraction`` 0.3 when the sweep does not say)."""
    from seedtui.core.engine.policies.divergence import flag_diverging as engine_flag

    return list(engine_flag(trials, min_fraction=0.3 if min_fraction is None else min_fraction))
