"""The trials of a sweep: its state (counts by status, best trial), and loading or finding sweeps.

``SweepState`` is what every front end knows about a whole sweep; the TUI's model extends it, the
directory follower keeps one up to date, and ``summary.json`` and ``seedtui status`` count with the
same ``count_by_status``.
"""

from __future__ import annotations

import os
import socket
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedtui.core.direction import best_score, sort_key
from seedtui.log import iter_event_files
from seedtui.log.events import known_majority_baseline
from seedtui.log.files import TRIALS_DIR, events_path
from seedtui.log.trial_env import is_launcher_start
from seedtui.state.liveness import mark_orphaned, settle_orphan
from seedtui.state.trial import STATUSES, TrialState, load_trial, new_trial_state

TrialEvent = tuple[str, dict[str, Any]]
"""One event of one trial, as followers and sources deliver them: (trial id, decoded event)."""


def load_trials(root: str | os.PathLike[str], *, settle: bool = True,
                skip_train: bool = False) -> list[TrialState]:
    """Every trial under ``root`` (any directory tree of ``events.jsonl`` files), sorted by
    (WI, DO). With ``settle``, running trials whose process is gone become ``failed``; with
    ``skip_train``, training losses are not read (see ``load_trial``)."""
    trials = [load_trial(p, skip_train=skip_train) for p in iter_event_files(root)]
    if settle:
        host = socket.gethostname()
        trials = [settle_orphan(t, this_host=host) for t in trials]
    return sorted(trials, key=trial_order)


def trial_order(state: TrialState) -> tuple[int, int, int, str]:
    """Sort key of trials: by (WI, DO), trials without seeds last, by id."""
    if state.wi_seed is None or state.do_seed is None:
        return (1, 0, 0, state.trial_id)
    return (0, state.wi_seed, state.do_seed, state.trial_id)


def find_sweeps(root: str | os.PathLike[str]) -> list[Path]:
    """Sweep directories under ``root``: those holding a ``trials/`` directory (``root`` itself
    first when it is one). A tree of logs with no ``trials/`` directory is one sweep: ``root``."""
    root_path = Path(root)
    if (root_path / TRIALS_DIR).is_dir():
        return [root_path]
    found = sorted(p.parent for p in root_path.rglob(TRIALS_DIR) if p.is_dir())
    if not found and any(iter_event_files(root_path)):
        return [root_path]
    return found


def count_by_status(states: Iterable[TrialState], *, with_zeros: bool = True) -> dict[str, int]:
    """Trials per status: every status of ``STATUSES`` in that order (zero when none, unless not
    ``with_zeros``), then any other status a log names. The one counter behind the TUI header,
    headless mode, ``seedtui status`` and ``summary.json``."""
    found = Counter(state.status for state in states)
    counts = {status: found.pop(status, 0) for status in STATUSES}
    counts.update(sorted(found.items()))
    return counts if with_zeros else {status: n for status, n in counts.items() if n}


def count_ended(states: Iterable[TrialState]) -> int:
    """How many trials have a final status (suspended ones have not: they may resume)."""
    return sum(1 for state in states if state.is_finished)


def best_trial(states: Iterable[TrialState], greater_is_better: bool) -> tuple[TrialState, float] | None:
    """The trial with the best score so far in the metric's direction, and that score (None when no
    trial has a usable score). Ties go to a completed trial (its score is final), then to the first
    in the order given."""
    best: tuple[TrialState, float] | None = None
    best_key: tuple[tuple[int, float], bool] | None = None
    for state in states:
        score = state.best_score()
        if score is None:
            continue
        key = (sort_key(score, greater_is_better), state.status != "completed")
        if best_key is None or key < best_key:
            best, best_key = (state, score), key
    return best


@dataclass
class SweepState:
    """The trials of one sweep, by id, updated incrementally from (trial id, event) pairs.

    Queued trials are included once named (``ensure``), so a grid shows them before they start.
    Front ends ask it the sweep-wide questions: counts by status, the best trial, how many ended.
    """

    sweep_dir: Path | None = None
    trials: dict[str, TrialState] = field(default_factory=dict)
    events_applied: int = 0
    """Events folded so far: a cheap version number for caches of derived values."""
    _best_cache: tuple[int, float | None] | None = field(default=None, repr=False)
    _start_cache: tuple[tuple[int, int], dict[str, Any] | None] | None = field(default=None, repr=False)

    def ensure(self, trial_id: str) -> TrialState:
        """The state of ``trial_id``, created as ``queued`` the first time it is named."""
        state = self.trials.get(trial_id)
        if state is None:
            log_path = None if self.sweep_dir is None else events_path(self.sweep_dir, trial_id)
            state = new_trial_state(trial_id, log_path)
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

    def put(self, state: TrialState, trial_id: str | None = None) -> None:
        """Hold ``state`` as the state of ``trial_id`` (default: its own id), replacing any other."""
        self.trials[trial_id or state.trial_id] = state
        self.events_applied += 1

    def forget(self, trial_id: str) -> TrialState:
        """Start ``trial_id`` over as ``queued`` (its log was replaced or truncated)."""
        self.trials.pop(trial_id, None)
        self.events_applied += 1
        return self.ensure(trial_id)

    def mark_orphaned(self, trial_ids: Iterable[str]) -> set[str]:
        """Mark these trials ``failed`` because another reader found their process gone (see
        ``liveness``); only those still running change. Returns them."""
        changed = {t for t in trial_ids if t in self.trials and self.trials[t].status == "running"}
        for trial in changed:
            mark_orphaned(self.trials[trial])
        self.events_applied += bool(changed)
        return changed

    def settle_orphans(self, *, this_host: str | None = None) -> set[str]:
        """Mark running trials whose process is gone ``failed`` (see ``liveness``); returns them."""
        host = this_host if this_host is not None else socket.gethostname()
        changed = {trial for trial, state in self.trials.items()
                   if state.status == "running" and settle_orphan(state, this_host=host).status == "failed"}
        self.events_applied += bool(changed)
        return changed

    # --- questions front ends ask ----------------------------------------------------------
    def states(self) -> list[TrialState]:
        """Every trial, in (WI, DO) order."""
        return sorted(self.trials.values(), key=trial_order)

    def counts(self, *, with_zeros: bool = True) -> dict[str, int]:
        """Trials per status (``count_by_status``)."""
        return count_by_status(self.trials.values(), with_zeros=with_zeros)

    def ended(self) -> int:
        """How many trials have a final status (``count_ended``)."""
        return count_ended(self.trials.values())

    def first_start(self) -> dict[str, Any] | None:
        """The start event of some trial (task, model, metric and baseline are shared), a trainer's
        rather than the stand-in the engine writes before a command-template script starts. Asked
        several times per frame: kept until the next event."""
        version = (self.events_applied, len(self.trials))
        if self._start_cache is None or self._start_cache[0] != version:
            starts = [state.start for state in self.trials.values() if state.start is not None]
            trainers = [start for start in starts if not is_launcher_start(start)]
            self._start_cache = (version, (trainers or starts)[0] if starts else None)
        return self._start_cache[1]

    @property
    def greater_is_better(self) -> bool:
        start = self.first_start()
        return True if start is None else bool(start["greater_is_better"])

    @property
    def majority_baseline(self) -> float | None:
        start = self.first_start()
        return None if start is None else known_majority_baseline(start)

    def best_trial(self) -> tuple[TrialState, float] | None:
        """The best trial so far and its score (``best_trial``, ties to the first in (WI, DO) order)."""
        return best_trial(self.states(), self.greater_is_better)

    def best_score(self) -> float | None:
        """Best trial's score so far, in the metric's direction: what ``best_trial`` scores, without
        its tie-break (drawn on every frame, so cached until the next event)."""
        if self._best_cache is None or self._best_cache[0] != self.events_applied:
            scores = (state.best_score() for state in self.trials.values())
            self._best_cache = (self.events_applied, best_score(scores, self.greater_is_better))
        return self._best_cache[1]
