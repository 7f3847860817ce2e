"""Everything a report is drawn from, gathered once: the trials, the seed grid, the statistics
summary, the planner's rows and the sweep's configuration.

Each statistic that cannot be computed for this sweep (one trial, no complete trials, a single
evaluation per trial) is recorded with the reason, so the report can say so instead of failing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedtui.core.stats import SeedGrid, build_grid, plan, summarize_grid
from seedtui.core.stats.planner import default_budgets
from seedtui.log.files import SWEEP_CONFIG_FILE
from seedtui.state import TrialState, load_trials

# A sweep.toml longer than this is cut in the report (it is shown literally, not parsed).
MAX_CONFIG_CHARS = 100_000


class ReportInputError(ValueError):
    """The directory cannot be reported on at all (it holds no trial logs)."""


@dataclass
class ReportInputs:
    """What the figures and tables are drawn from."""

    sweep_dir: Path
    trials: list[TrialState]
    grid: SeedGrid | None
    """The WI x DO grid of the trials the statistics use; None when no trial can be used."""
    summary: dict[str, Any] | None
    """``seedtui.core.stats.summarize`` output (the ``seedtui stats --json`` object)."""
    plan_rows: list[Any] | None
    """``seedtui.core.stats.plan`` rows for budgets 1..30 (at most the number of used trials, as
    ``seedtui plan``), or None when planning is undefined."""
    config_text: str | None
    """sweep.toml as written, when the directory has one."""
    include_incomplete: bool = False
    seed: int = 0
    unavailable: dict[str, str] = field(default_factory=dict)
    """Part ("grid", "summary", "planner") -> why it could not be computed."""

    @property
    def trials_by_id(self) -> dict[str, TrialState]:
        return {trial.trial_id: trial for trial in self.trials}

    @property
    def first_start(self) -> dict[str, Any] | None:
        """The first trial's start event (task, model, metric, schedule), if any trial started."""
        return next((t.start for t in self.trials if t.start is not None), None)


def gather_inputs(sweep_dir: str | os.PathLike[str], *, include_incomplete: bool = False,
                  bootstrap: int = 0, seed: int = 0) -> ReportInputs:
    """Load the sweep and compute its statistics; raises ReportInputError when it has no logs."""
    root = Path(sweep_dir)
    trials = load_trials(root, skip_train=True)  # the figures use eval scores only
    if not trials:
        raise ReportInputError(f"no trial logs (events.jsonl) under {root}")
    inputs = ReportInputs(
        sweep_dir=root, trials=trials, grid=None, summary=None, plan_rows=None,
        config_text=read_config_text(root), include_incomplete=include_incomplete, seed=seed,
    )
    grid = build_grid(trials, include_incomplete=include_incomplete)
    if grid.n_trials == 0:
        rule = "" if include_incomplete else " (only completed trials are used; see --include-incomplete)"
        inputs.unavailable["grid"] = f"none of the {len(trials)} trials can be used{rule}"
        return inputs
    inputs.grid = grid
    inputs.summary = summarize_grid(grid, bootstrap=bootstrap, seed=seed)
    inputs.plan_rows = _plan_or_reason(inputs)
    return inputs


def _plan_or_reason(inputs: ReportInputs) -> list[Any] | None:
    grid = inputs.grid
    if grid is None:
        return None
    trials_count, evals_count = grid.curves.shape
    if trials_count < 2:
        inputs.unavailable["planner"] = (
            "the planner draws trials from the sweep's curves; with one trial every setting gives the "
            "same result"
        )
        return None
    if evals_count < 2:
        inputs.unavailable["planner"] = (
            "the planner decides after k of E evaluations with 1 <= k < E, and these trials have "
            f"{evals_count} evaluation"
        )
        return None
    try:
        budgets = default_budgets(trials_count)  # as `seedtui plan`: the authors' grid, B <= N
        return plan(grid.curves, budgets=budgets, greater_is_better=grid.greater_is_better)
    except ValueError as error:
        inputs.unavailable["planner"] = str(error)
        return None


def read_config_text(root: Path) -> str | None:
    path = root / SWEEP_CONFIG_FILE
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8", errors="replace")
    if len(text) > MAX_CONFIG_CHARS:
        return text[:MAX_CONFIG_CHARS] + f"\n... (cut: {len(text)} characters in all)"
    return text
