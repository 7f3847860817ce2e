"""The sweep's own stop (stop request ``by: "sweep"``) suspends a real trainer instead of stopping it:
it checkpoints where it is, ends ``suspended``, and ``--resume`` gives exactly the straight run's
evaluations, also when the stop came in the middle of an evaluation. A stop by anyone else still
ends ``stopped``. In-process, on the tiny BERT."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from seedtui.log import EVENTS_FILE, read_events
from seedtui.log.files import checkpoint_path
from trainers.control import StopFlag

from .conftest import RunTrainer, of_kind

SEEDS = ("--wi-seed", "4", "--do-seed", "6", "--evals-per-epoch", "3")
"""5 steps an epoch, 2 epochs, evaluations after steps 1, 3, 5, 6, 8 and 10."""


class StopArrives(StopFlag):
    """A stop signal that arrives at a chosen point: the first time the trainer checks for it while
    evaluating (``during_eval``) or while training, once ``after_steps`` train events are logged."""

    def __init__(self, model_holder: dict[str, Any], log: Path, *, after_steps: int,
                 during_eval: bool) -> None:
        super().__init__()
        self.model_holder, self.log = model_holder, log
        self.after_steps, self.during_eval = after_steps, during_eval

    @property
    def requested(self) -> bool:
        if self.signal_name is None and self.log.exists():
            model = self.model_holder.get("model")
            evaluating = model is not None and not model.training
            steps = sum(e["event"] == "train" for e in read_events(self.log).events)
            if steps >= self.after_steps and evaluating == self.during_eval:
                self.signal_name = "SIGTERM"
        return self.signal_name is not None


def _interrupted_run(base_flags: list[str], trial_dir: Path, *, by: str, after_steps: int,
                     during_eval: bool) -> list[dict[str, Any]]:
    from trainers.config import parse_config
    from trainers.trial import prepare_trial, run_trial

    config = parse_config([*base_flags, *SEEDS, "--trial-dir", str(trial_dir)])
    holder: dict[str, Any] = {}
    stop = StopArrives(holder, trial_dir / EVENTS_FILE, after_steps=after_steps, during_eval=during_eval)
    prepared = prepare_trial(config, StopFlag())
    holder["model"] = prepared.model
    trial_dir.mkdir(parents=True, exist_ok=True)
    (trial_dir / "stop_request.json").write_text(json.dumps({"by": by, "reason": "the sweep was stopped"}))
    assert run_trial(prepared, stop) == 0
    return read_events(trial_dir / EVENTS_FILE, final=True).events


@pytest.mark.parametrize(("after_steps", "during_eval", "end_step"), [(4, False, 4), (3, True, 3)],
                         ids=["between-steps", "during-an-evaluation"])
def test_the_sweeps_stop_suspends_and_resume_gives_the_straight_runs_evaluations(
        run_trainer: RunTrainer, base_flags: list[str], tmp_path: Path, after_steps: int, during_eval: bool,
        end_step: int) -> None:
    _code, straight = run_trainer(*SEEDS, trial="straight")
    trial_dir = tmp_path / "interrupted"
    events = _interrupted_run(base_flags, trial_dir, by="sweep", after_steps=after_steps,
                              during_eval=during_eval)
    end = events[-1]
    assert (end["event"], end["status"], end["by"], end["step"]) == ("end", "suspended", "sweep", end_step)
    assert checkpoint_path(trial_dir).is_file()
    # the evaluation the stop interrupted was finished before the checkpoint, never skipped
    assert [e["step"] for e in of_kind(events, "eval")] == [1, 3]
    (trial_dir / "stop_request.json").unlink()  # a new run: the supervisor's request was for the last one

    code, resumed = run_trainer(*SEEDS, "--resume", trial="interrupted")
    assert code == 0 and resumed[-1]["status"] == "completed"
    assert [(e["step"], e["score"]) for e in of_kind(resumed, "eval")] == [
        (e["step"], e["score"]) for e in of_kind(straight, "eval")]
    assert [e["loss"] for e in of_kind(resumed, "train")] == [e["loss"] for e in of_kind(straight, "train")]


def test_the_sweeps_stop_before_the_first_step_writes_no_checkpoint(base_flags: list[str],
                                                                     tmp_path: Path) -> None:
    trial_dir = tmp_path / "early"
    events = _interrupted_run(base_flags, trial_dir, by="sweep", after_steps=0, during_eval=False)
    # nothing to keep: the supervisor re-queues a 'stopped' end by the sweep, and it starts over
    assert (events[-1]["status"], events[-1]["by"], events[-1]["step"]) == ("stopped", "sweep", 0)
    assert not checkpoint_path(trial_dir).exists()


def test_a_stop_by_the_user_still_ends_the_trial_stopped(base_flags: list[str], tmp_path: Path) -> None:
    trial_dir = tmp_path / "killed"
    events = _interrupted_run(base_flags, trial_dir, by="user", after_steps=4, during_eval=False)
    assert (events[-1]["status"], events[-1]["by"]) == ("stopped", "user")
    assert not checkpoint_path(trial_dir).exists()
