"""Everything the TUI knows about one sweep, folded from the events a source delivers.

The app owns one ``SweepModel``; sources hand it batches of ``(trial_id, event)`` pairs and
decision records. It keeps one ``TrialState`` per trial (queued ones included, so the grid shows
them), and answers the questions every pane asks: counts by status, the task's baseline, the best
score so far.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedtui.log import EVENTS_FILE, TRIALS_DIR, parse_trial_id
from seedtui.core.recording import TrialSlice
from seedtui.state import STATUSES, TrialState

TrialEvent = tuple[str, dict[str, Any]]
"""One event of one trial, as sources deliver them: (trial_id, decoded event)."""


@dataclass
class SweepModel:
    """Trial states and policy decisions of one sweep, updated incrementally."""

    sweep_dir: Path | None = None
    trials: dict[str, TrialState] = field(default_factory=dict)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    events_applied: int = 0
    _best_cache: tuple[int, float | None] | None = field(default=None, repr=False)

    def ensure(self, trial_id: str) -> TrialState:
        """The state of ``trial_id``, created as ``queued`` the first time it is named."""
        state = self.trials.get(trial_id)
        if state is None:
            seeds = parse_trial_id(trial_id)
            log_path = None
            if self.sweep_dir is not None:
                log_path = self.sweep_dir / TRIALS_DIR / trial_id / EVENTS_FILE
            state = TrialState(
                trial_id=trial_id,
                wi_seed=seeds[0] if seeds else None,
                do_seed=seeds[1] if seeds else None,
                log_path=log_path,
            )
            self.trials[trial_id] = state
        return state

    def apply(self, batch: Iterable[TrialEvent]) -> set[str]:
        """Fold a batch of events in; returns the ids of the trials that changed."""
        changed: set[str] = set()
        for trial, event in batch:
            self.ensure(trial).apply(event)
            changed.add(trial)
            self.events_applied += 1
        return changed

    def apply_slices(self, slices: Iterable[TrialSlice]) -> set[str]:
        """Fold runs of recorded events in (a replay's delivery); returns the trials that changed."""
        changed: set[str] = set()
        for piece in slices:
            piece.fold_into(self.ensure(piece.trial_id))
            changed.add(piece.trial_id)
            self.events_applied += len(piece)
        return changed

    def add_decisions(self, records: Iterable[dict[str, Any]]) -> int:
        before = len(self.decisions)
        self.decisions.extend(records)
        return len(self.decisions) - before

    # --- questions the panes ask -----------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Trials per status, every status present (zero when none)."""
        found = Counter(state.status for state in self.trials.values())
        return {status: found.get(status, 0) for status in STATUSES}

    def first_start(self) -> dict[str, Any] | None:
        """The start event of some trial (task, model, metric and baseline are shared)."""
        for state in self.trials.values():
            if state.start is not None:
                return state.start
        return None

    @property
    def greater_is_better(self) -> bool:
        start = self.first_start()
        return True if start is None else bool(start["greater_is_better"])

    @property
    def majority_baseline(self) -> float | None:
        start = self.first_start()
        return None if start is None else float(start["majority_baseline"])

    def best_score(self) -> float | None:
        """Best score of any trial so far, in the metric's direction (cached until the next event)."""
        if self._best_cache is not None and self._best_cache[0] == self.events_applied:
            return self._best_cache[1]
        best = self._compute_best_score()
        self._best_cache = (self.events_applied, best)
        return best

    def _compute_best_score(self) -> float | None:
        scores = [s for s in (t.best_score() for t in self.trials.values()) if s is not None]
        if not scores:
            return None
        return max(scores) if self.greater_is_better else min(scores)

    def running_with_bad_loss(self) -> list[str]:
        """Running trials whose latest loss is NaN or infinite (fallback divergence check)."""
        flagged = []
        for trial_id, state in self.trials.items():
            loss = state.last_loss()
            if state.status == "running" and loss is not None and not math.isfinite(loss):
                flagged.append(trial_id)
        return sorted(flagged)
