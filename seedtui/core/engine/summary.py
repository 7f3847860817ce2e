"""The end-of-sweep summary: best trial, expected validation performance, counts by status, and
compute used against what the full grid would have cost. Written to ``SWEEP_DIR/summary.json``
by the supervisor and printed by the headless front end."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seedtui.core.engine.config import SweepConfig
from seedtui.log import read_events
from seedtui.log.atomic_file import write_text_atomically
from seedtui.log.files import SUMMARY_FILE
from seedtui.state import TrialState, best_trial, count_by_status

if TYPE_CHECKING:
    from seedtui.core.engine.plan import SweepPlan

EVP_SIZES = (1, 2, 5, 10, 20, 50, 100)


def expected_max(scores: list[float], n: int, *, greater_is_better: bool = True) -> float:
    """Expected best of ``n`` trials drawn with replacement from ``scores`` (Dodge et al. 2019): the
    one EVP, ``seedtui.core.stats.evp`` (imported here: the supervisor needs it only at the end)."""
    from seedtui.core.stats.evp import expected_validation_performance

    return float(expected_validation_performance(scores, greater_is_better=greater_is_better).mean[n - 1])


def run_seconds(log_path: Path) -> float:
    """Wall time a trial's processes ran: from each start/resume to the end that follows it."""
    seconds = 0.0
    opened: float | None = None
    last_t: float | None = None
    for event in read_events(log_path, final=True).events:
        t = float(event["t"])
        last_t = t
        if event["event"] in ("start", "resume"):
            opened = t
        elif event["event"] == "end" and opened is not None:
            seconds += t - opened
            opened = None
    if opened is not None and last_t is not None:
        seconds += last_t - opened  # still running (or killed without an end)
    return seconds


def summarize(config: SweepConfig, plan: SweepPlan, states: dict[str, TrialState]) -> dict[str, Any]:
    grid_states = [states.get(t) or TrialState(trial_id=t) for t in plan.seeds]
    planned = set(plan.trial_ids)
    in_plan = [s for t, s in zip(plan.seeds, grid_states, strict=True)
               if s.status != "queued" or t in planned]
    counts = count_by_status(in_plan, with_zeros=False)
    if len(in_plan) < len(grid_states):
        counts["not_planned"] = len(grid_states) - len(in_plan)
    started = [s for s in grid_states if s.start is not None]
    greater = started[0].greater_is_better if started else True
    # ties go to a completed trial (its score is final), then to the earlier in the grid's order
    best = best_trial(started, greater)
    final_scores = [s.best_score() for s in started if s.status == "completed"]
    finals = [v for v in final_scores if v is not None and math.isfinite(v)]
    evp = {str(n): expected_max(finals, n, greater_is_better=greater) for n in EVP_SIZES
           if n <= len(finals)}
    compute = _compute(config, plan, started)
    unfinished = sum(1 for s in in_plan if not s.is_finished)  # the one rule of what is final
    if unfinished:  # an aborted sweep spent less because it stopped, not because a policy saved it
        compute["compute_saved_fraction"] = None
    baseline = next((s.start.get("majority_baseline") for s in started if s.start is not None), None)
    return {
        "sweep": config.name,
        "metric": started[0].metric if started else None,
        "greater_is_better": greater,
        "best": None if best is None else {"trial": best[0].trial_id, "score": best[1],
                                           "status": best[0].status},
        "evp": evp,
        "evp_from": len(finals),
        "counts": counts,
        "grid_size": plan.grid_size,
        "planned": len(plan.trial_ids),
        "policy": config.policy.rule,
        "unfinished": unfinished,
        "majority_baseline": float(baseline) if isinstance(baseline, (int, float)) else None,
        **compute,
    }


UNFINISHED_STATUSES = ("queued", "running", "suspended")
"""Statuses of a planned trial that has not reached its end: a summary written while any remain is
an aborted sweep's. (``summarize`` counts with ``TrialState.is_finished``, which also knows a trial
the sweep's stop interrupted; these statuses are for readers that hold only the counts.)"""


def unfinished_trials(counts: dict[str, int], summary: dict[str, Any] | None = None) -> int:
    """Planned trials that never finished (``not_planned`` ones a policy chose not to run are not):
    ``summary["unfinished"]`` when given, else from the counts by status."""
    if summary is not None and isinstance(summary.get("unfinished"), int):
        return int(summary["unfinished"])
    return sum(counts.get(status, 0) for status in UNFINISHED_STATUSES)


def _compute(config: SweepConfig, plan: SweepPlan, started: list[TrialState]) -> dict[str, Any]:
    on_gpu = any(str(s.start.get("device", "")).startswith("cuda") for s in started if s.start)
    share = config.resources.trials_per_gpu if on_gpu else 1
    seconds = {s.trial_id: run_seconds(s.log_path) for s in started if s.log_path is not None}
    used_hours = sum(seconds.values()) / 3600 / share
    completed = [seconds[s.trial_id] for s in started if s.status == "completed" and s.trial_id in seconds]
    if completed:
        per_trial = sum(completed) / len(completed)
    else:
        rates = [seconds[s.trial_id] / s.last_step for s in started if s.last_step and s.trial_id in seconds]
        total_steps = next((s.total_steps for s in started if s.total_steps), 0) or 0
        per_trial = (sum(rates) / len(rates)) * total_steps if rates else 0.0
    full_grid_hours = per_trial * plan.grid_size / 3600 / share
    return {
        "compute_unit": "GPU-hours" if on_gpu else "CPU trial-hours",
        "compute_used": used_hours,
        "compute_full_grid_estimate": full_grid_hours,
        "compute_saved_fraction": (1 - used_hours / full_grid_hours) if full_grid_hours > 0 else None,
    }


def write_summary(sweep_dir: Path, config: SweepConfig, plan: SweepPlan,
                  states: dict[str, TrialState]) -> dict[str, Any]:
    summary = summarize(config, plan, states)
    path = Path(sweep_dir) / SUMMARY_FILE
    write_text_atomically(path, json.dumps(summary, indent=1, allow_nan=True))
    return summary


def read_summary(sweep_dir: Path) -> dict[str, Any] | None:
    try:
        summary = json.loads((Path(sweep_dir) / SUMMARY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return summary if isinstance(summary, dict) else None
