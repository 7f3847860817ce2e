"""The trials of a sweep: loading them from a directory, finding sweeps, and the sweep's state.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from seedtui.log import iter_event_files
from seedtui.log.files import TRIALS_DIR
from seedtui.state.liveness import settle_orphan
from seedtui.state.trial import TrialState, load_trial


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
