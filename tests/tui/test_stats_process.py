"""The statistics process: the app's summaries and plans are computed outside the UI's interpreter,
with the answers the same function gives in the calling thread."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from seedtui.state import load_trials
from seedtui.tui import stats_process
from seedtui.tui.stats_jobs import compute_plan, compute_summary, snapshot_trials
from seedtui.tui.stats_process import in_stats_process

SAMPLE = Path(__file__).resolve().parents[2] / "sample_logs" / "rte-minilm-5x5"
REPO = Path(__file__).resolve().parents[2]


def test_summaries_and_plans_from_the_process_equal_those_computed_here() -> None:
    trials = snapshot_trials(load_trials(SAMPLE))
    assert in_stats_process(os.getpid) != os.getpid()  # it is another process
    here, there = compute_summary(trials), in_stats_process(compute_summary, trials)
    assert here[1] is None and here[0] is not None
    assert pickle.dumps(there) == pickle.dumps(here)
    assert in_stats_process(compute_plan, trials, 5.0) == compute_plan(trials, 5.0)
    with pytest.raises(ZeroDivisionError):  # what the job raises is raised in the caller
        in_stats_process(divmod, 1, 0)


def test_a_value_that_cannot_travel_is_computed_in_the_calling_thread() -> None:
    lock = threading.Lock()  # a lock cannot be pickled
    assert in_stats_process(lambda held: (held is lock, os.getpid()), lock) == (True, os.getpid())
    assert in_stats_process(os.getpid) != os.getpid()  # the process is still used for the next job


def test_when_the_process_dies_the_jobs_are_computed_in_their_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    assert in_stats_process(os.getpid) != os.getpid()
    child = stats_process._child
    assert child is not None
    child.kill()
    child.wait()
    monkeypatch.setattr(stats_process, "_failed", False)  # restored after the test
    assert in_stats_process(divmod, 7, 2) == (3, 1)  # a new process is started for it
    assert in_stats_process(os.getpid) != os.getpid()
    monkeypatch.setattr(stats_process, "_failed", True)
    assert in_stats_process(os.getpid) == os.getpid()


def test_a_script_without_a_main_guard_runs_once(tmp_path: Path) -> None:
    """The process is not multiprocessing's spawn, which would import the script again in it."""
    script = tmp_path / "unguarded.py"
    script.write_text(
        "import os\nfrom seedtui.tui.stats_process import in_stats_process\n"
        "print('top level ran', flush=True)\nprint(in_stats_process(os.getpid) != os.getpid())\n",
        encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["top level ran", "True"]


def test_the_statistics_copy_keeps_evaluations_progress_and_the_last_loss() -> None:
    trials = load_trials(SAMPLE)
    copies = snapshot_trials(trials)
    for state, copied in zip(trials, copies, strict=True):
        assert copied.eval_scores == state.eval_scores and copied.eval_scores is not state.eval_scores
        kept = (copied.progress, copied.last_step, copied.last_loss(), copied.status, copied.best_score())
        assert kept == (state.progress, state.last_step, state.last_loss(), state.status, state.best_score())
        assert len(copied.train_losses) <= 1
    assert compute_summary(copies) == compute_summary(trials)
