"""The statistics process: the app's summaries and plans are computed outside the UI's interpreter,
with the answers the same function gives in the calling thread."""

from __future__ import annotations

import os
import pickle
import threading
from pathlib import Path

from seedtui.state import load_trials
from seedtui.tui import stats_jobs
from seedtui.tui.stats_jobs import compute_plan, compute_summary, in_stats_process, snapshot_trials

SAMPLE = Path(__file__).resolve().parents[2] / "sample_logs" / "rte-minilm-5x5"


def test_summaries_and_plans_from_the_process_equal_those_computed_here() -> None:
    trials = snapshot_trials(load_trials(SAMPLE))
    assert in_stats_process(os.getpid) != os.getpid()  # it is another process
    here, there = compute_summary(trials), in_stats_process(compute_summary, trials)
    assert here[1] is None and here[0] is not None
    assert pickle.dumps(there) == pickle.dumps(here)
    assert in_stats_process(compute_plan, trials, 5.0) == compute_plan(trials, 5.0)


def test_a_value_that_cannot_travel_is_computed_in_the_calling_thread() -> None:
    lock = threading.Lock()  # a lock cannot be pickled
    assert in_stats_process(lambda held: (held is lock, os.getpid()), lock) == (True, os.getpid())
    assert not stats_jobs._pool_failed  # the process is still used for the next job
    assert in_stats_process(os.getpid) != os.getpid()
