"""Trial state folded from logs, and discovery of trials and sweeps in a directory."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from seedtui.log import EventWriter, append_event
from seedtui.state import TrialLogReader, find_sweeps, load_trial, load_trials
from seedtui.testing.trial_log import write_trial as write_shared


def write_trial(root: Path, wi: int, do: int, scores: list[float], end: str | None = "completed",
                pid: int = 1, host: str = "elsewhere") -> Path:
    """The shared writer's log (an eval every step, 30 planned), its end (if any) by the user."""
    path = write_shared(root, wi, do, scores, status=None, train_loss=0.5, evals_per_epoch=10,
                        steps_per_eval=1, total_evals=30, pid=pid, host=host)
    if end is not None:
        append_event(path, "end", status=end, step=len(scores), reason="test", by="user")
    return path


def test_fold_a_completed_trial(tmp_path: Path) -> None:
    state = load_trial(write_trial(tmp_path, 3, 4, [0.5, 0.7, 0.6]))
    assert (state.trial_id, state.wi_seed, state.do_seed) == ("wi3-do4", 3, 4)
    assert state.status == "completed" and state.is_finished
    assert state.best_score() == 0.7 and state.last_score() == 0.6
    assert state.eval_steps == [1, 2, 3]
    assert state.progress == 3 / 30
    assert state.stopped_by == "user"


def test_lower_is_better_best_score(tmp_path: Path) -> None:
    path = write_trial(tmp_path, 1, 1, [0.5, 0.2, 0.9])
    state = load_trial(path)
    assert state.start is not None
    state.start["greater_is_better"] = False
    assert state.best_score() == 0.2


def test_suspend_resume_then_a_supervisor_stop(tmp_path: Path) -> None:
    path = write_trial(tmp_path, 1, 2, [0.5], end="suspended")
    reader = TrialLogReader(path)
    reader.poll()
    assert reader.state.status == "suspended" and not reader.state.is_finished
    with EventWriter(path) as writer:
        writer.write("resume", step=1)
    reader.poll()
    assert reader.state.status == "running"
    with EventWriter(path) as writer:
        writer.write("end", status="stopped", step=1, reason="tfp: rank 5 of 6", by="tfp")
    reader.poll()
    assert (reader.state.status, reader.state.stopped_by) == ("stopped", "tfp")


def test_running_trial_whose_process_is_gone_is_failed(tmp_path: Path) -> None:
    # A child that has exited and been reaped leaves a pid that no process holds.
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    write_trial(tmp_path, 1, 1, [0.5], end=None, pid=pid, host=socket.gethostname())
    write_trial(tmp_path, 1, 2, [0.5], end=None, pid=os.getpid(), host=socket.gethostname())
    write_trial(tmp_path, 2, 1, [0.5], end=None, pid=pid, host="another-machine")
    by_id = {t.trial_id: t.status for t in load_trials(tmp_path)}
    assert by_id == {"wi1-do1": "failed", "wi1-do2": "running", "wi2-do1": "running"}


def test_load_trials_sorts_by_seeds_and_finds_sweeps(tmp_path: Path) -> None:
    for wi, do in [(10, 1), (2, 3), (2, 1)]:
        write_trial(tmp_path / "a", wi, do, [0.5])
    write_trial(tmp_path / "b", 1, 1, [0.5])
    assert [t.trial_id for t in load_trials(tmp_path / "a")] == ["wi2-do1", "wi2-do3", "wi10-do1"]
    assert find_sweeps(tmp_path) == [tmp_path / "a", tmp_path / "b"]
    assert find_sweeps(tmp_path / "a") == [tmp_path / "a"]
    assert find_sweeps(tmp_path / "empty") == []
