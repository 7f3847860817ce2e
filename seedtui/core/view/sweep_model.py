"""Everything the TUI knows about one sweep, folded from the events a source delivers.

The app owns one ``SweepModel``: the sweep's ``SweepState`` (trials by id, queued ones included so
the grid shows them; counts by status; the best trial) plus what only the TUI needs: replay slices
folded in bulk, the policy decisions, and the fallback divergence check.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from seedtui.core.recording import TrialSlice
from seedtui.state import SweepState, TrialEvent

__all__ = ["SweepModel", "TrialEvent"]


@dataclass
class SweepModel(SweepState):
    """Trial states and policy decisions of one sweep, updated incrementally."""

    decisions: list[dict[str, Any]] = field(default_factory=list)

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
    def running_with_bad_loss(self) -> list[str]:
        """Running trials whose latest loss is NaN or infinite (fallback divergence check)."""
        flagged = []
        for trial_id, state in self.trials.items():
            loss = state.last_loss()
            if state.status == "running" and loss is not None and not math.isfinite(loss):
                flagged.append(trial_id)
        return sorted(flagged)
