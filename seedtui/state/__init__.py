"""Trial and sweep state, folded from a sweep directory's logs, and the one rule of liveness.

``trial`` folds one trial's events into a ``TrialState`` (with its latest process record);
``liveness`` decides whether a running trial's process is still there; ``sweep`` holds the trials of
a sweep (counts by status, best trial, progress) and loads or finds sweeps on disk; ``follower`` is
the one loop that follows a live sweep directory. Imports no Textual.
"""

from __future__ import annotations

from seedtui.state.follower import FollowUpdate, SweepFollower, read_sweep
from seedtui.state.liveness import process_alive, settle_orphan, trial_process_alive
from seedtui.state.sweep import (
    SweepState,
    TrialEvent,
    best_trial,
    count_by_status,
    count_ended,
    find_sweeps,
    load_trials,
    trial_order,
)
from seedtui.state.trial import (
    FINAL_STATUSES,
    STATUSES,
    SWEEP_STOP,
    ProcessRecord,
    TrialLogReader,
    TrialState,
    load_trial,
    new_trial_state,
    trial_id_for_log,
)

__all__ = [
    "FINAL_STATUSES", "STATUSES", "SWEEP_STOP", "FollowUpdate", "ProcessRecord", "SweepFollower",
    "SweepState", "TrialEvent",
    "TrialLogReader", "TrialState", "best_trial", "count_by_status", "count_ended",
    "find_sweeps", "load_trial",
    "load_trials", "new_trial_state", "process_alive", "read_sweep", "settle_orphan",
    "trial_id_for_log", "trial_order", "trial_process_alive",
]
