"""A backend whose trainers are simulated: the supervisor's whole logic, in-process and deterministic.

``FakeBackend`` satisfies ``seedtui.core.engine.backend.Backend``. Instead of a process, each launch
gets a ``FakeTrainer`` that writes the events a real trainer would, through the real log writer
(``seedtui.log.EventWriter``), at the times a ``FakeClock`` reaches: ``start`` (or ``resume``), an
``eval`` at each scheduled evaluation (``seedtui.policy.schedule.eval_schedule``), and an ``end``:
``completed``, ``suspended`` right after the t/f/p milestone's evaluation (the trainer's own rule,
``seedtui.policy.tfp_rule.suspend_step``), or ``stopped`` on SIGTERM with the ``by``/``reason`` of
the stop request (read as the trainer reads it, ``trainers.control.stop_details``). SIGKILL ends it
without an ``end``, as it would a real one. Trainers outlive the supervisor that launched them
(they belong to the backend), so a second supervisor on the same backend adopts them, as after
``kill -9``.

Nothing here sleeps or starts a process: a test advances the clock (or lets the supervisor's
``sleep`` do it) and calls ``Supervisor.step``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from seedtui.core.engine.backend import Adoption, LaunchRequest, TrialHandle
from seedtui.core.engine.clock import Clock
from seedtui.core.engine.config import SweepConfig, TrainerSettings
from seedtui.core.engine.slots import Slot
from seedtui.log import EVENTS_FILE, EventWriter, parse_trial_id
from seedtui.log.files import checkpoint_path, delete_checkpoint
from seedtui.policy.schedule import eval_schedule
from seedtui.policy.tfp_rule import suspend_step
from seedtui.state import TrialState
from seedtui.testing.trial_log import start_fields
from trainers.config import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK
from trainers.control import StopFlag, stop_details, suspends_on_stop

ScoreFunction = Callable[[str, int], float]
"""(trial id, 0-based eval index) -> the score of that evaluation."""



def default_score(trial: str, eval_index: int) -> float:
    """Distinct for every trial of a small grid, rising with training: a ranking with no ties."""
    seeds = parse_trial_id(trial) or (0, 0)
    return 0.5 + 0.031 * seeds[0] + 0.017 * seeds[1] + 0.01 * eval_index


@dataclass
class FakeTrainer:
    """One simulated trainer run (one launch): writes its events lazily, up to the time asked."""

    trial: str
    directory: Path
    settings: TrainerSettings
    """The sweep config's ``[trainer]``: epochs and evaluations per epoch, as the real trainer gets them."""
    steps_per_epoch: int
    step_s: float
    """Fake seconds one optimizer step takes."""
    startup_s: float
    """Fake seconds from launch to the ``start`` (or ``resume``) event."""
    score: ScoreFunction
    launched_at: float
    first_step: int = 0
    """0 for a fresh run; on resume, the step of the checkpoint it finds when it starts."""
    stop_at_fraction: float | None = None
    resume: bool = False
    ignores_sigterm: bool = False
    fails_at_step: int | None = None
    """Write ``end failed`` and exit 1 after this step (an exception in a real trainer)."""
    bad_input: bool = False
    """Exit 2 before writing anything (bad flags or data)."""
    pid: int = field(default_factory=os.getpid)
    term_at: float | None = None
    kill_at: float | None = None
    exit_code: int | None = None
    exited_at: float | None = None
    step: int = 0
    started: bool = False

    def __post_init__(self) -> None:
        self.step = self.first_step

    @property
    def total_steps(self) -> int:
        return self.steps_per_epoch * self.settings.epochs

    @property
    def eval_steps(self) -> list[int]:
        schedule = eval_schedule(self.steps_per_epoch, self.settings.evals_per_epoch, self.settings.epochs,
                                 protocol=self.settings.protocol)
        return [scheduled.step for scheduled in schedule]

    @property
    def suspend_at(self) -> int | None:
        if self.stop_at_fraction is None:
            return None
        step = suspend_step(self.stop_at_fraction, self.eval_steps)
        return step if step is not None and step > self.first_step else None  # a resume past it goes on

    def advance(self, now: float) -> None:
        """Write every event due by ``now`` (each stamped with its own time, not ``now``)."""
        if self.exit_code is not None:
            return
        if self.bad_input:
            self._exit(EXIT_BAD_INPUT, self.launched_at)
            return
        began = self.launched_at + self.startup_s
        with EventWriter(self.directory / EVENTS_FILE) as writer:
            if not self.started:
                if not self._alive_until(min(now, began)) or began > now:
                    return
                self._begin(writer, began)
            while self.exit_code is None:
                next_step_at = began + (self.step + 1 - self.first_step) * self.step_s
                if not self._alive_until(min(now, next_step_at), writer):
                    return
                if next_step_at > now:
                    return
                self._train_step(writer, next_step_at)

    def _alive_until(self, t: float, writer: EventWriter | None = None) -> bool:
        """Obey a signal that came before ``t``; False once the trainer has exited."""
        if self.kill_at is not None and self.kill_at <= t:
            self._exit(-signal.SIGKILL, self.kill_at)
        elif self.term_at is not None and self.term_at <= t and not self.ignores_sigterm:
            if writer is not None and self.started:
                by, reason = stop_details(self.directory, StopFlag("SIGTERM"))
                status = "stopped"
                if suspends_on_stop(by):  # as the trainer: the sweep's stop checkpoints and suspends
                    self._save_checkpoint()
                    status = "suspended"
                writer.write("end", t=self.term_at, status=status, step=self.step, reason=reason, by=by)
            self._exit(EXIT_OK, self.term_at)
        return self.exit_code is None

    def _begin(self, writer: EventWriter, t: float) -> None:
        self.started = True
        if self.resume:
            checkpoint_step = _checkpoint_step(self.directory)
            if checkpoint_step is None:  # as the trainer: no checkpoint to resume from is bad input
                self._exit(EXIT_BAD_INPUT, t)
                return
            self.first_step = self.step = checkpoint_step
            writer.write("resume", t=t, step=self.step, pid=self.pid, host=socket.gethostname(), device="cpu")
            return
        seeds = parse_trial_id(self.trial) or (0, 0)
        writer.write("start", t=t, **start_fields(
            seeds[0], seeds[1], epochs=self.settings.epochs, steps_per_epoch=self.steps_per_epoch,
            total_steps=self.total_steps, evals_per_epoch=self.settings.evals_per_epoch, pid=self.pid,
            host=socket.gethostname(), device="cpu", resumable=self.stop_at_fraction is not None,
            config={"stop_at_fraction": self.stop_at_fraction, "trial_dir": str(self.directory),
                    "protocol": self.settings.protocol}))

    def _train_step(self, writer: EventWriter, t: float) -> None:
        self.step += 1
        epoch = self.step / self.steps_per_epoch
        writer.write("train", t=t, step=self.step, epoch=epoch, loss=0.7, lr=2e-5)
        eval_steps = self.eval_steps
        if self.step in eval_steps:
            index = eval_steps.index(self.step)
            score = self.score(self.trial, index)
            writer.write("eval", t=t, step=self.step, epoch=epoch,
                         metrics={"acc": score}, score=score, eval_index=index)
        if self.fails_at_step is not None and self.step >= self.fails_at_step:
            writer.write("end", t=t, status="failed", step=self.step, reason="RuntimeError: simulated")
            self._exit(EXIT_FAILED, t)
        elif self.step == self.suspend_at:
            self._save_checkpoint()
            writer.write("end", t=t, status="suspended", step=self.step, reason="reached its milestone")
            self._exit(EXIT_OK, t)
        elif self.step >= self.total_steps:
            writer.write("end", t=t, status="completed", step=self.step, reason="trained all epochs")
            delete_checkpoint(self.directory)  # as the trainer does when it completes
            self._exit(EXIT_OK, t)

    def _save_checkpoint(self) -> None:
        path = checkpoint_path(self.directory)  # as the trainer leaves it: in the trial's directory
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"step": self.step}))

    def _exit(self, code: int, t: float) -> None:
        self.exit_code, self.exited_at = code, t


def _checkpoint_step(directory: Path) -> int | None:
    """The step of the checkpoint a suspended fake run left in ``directory``, or None."""
    try:
        return int(json.loads(checkpoint_path(directory).read_text())["step"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


@dataclass
class FakeHandle:
    """The supervisor's handle on a fake trainer (``TrialHandle``)."""

    trial_id: str
    trainer: FakeTrainer
    slot: Slot | None
    pid: int = 0
    stop_by: str | None = None
    stop_reason: str = ""
    term_sent_at: float | None = None
    kill_sent: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class FakeBackend:
    """``slot_count`` CPU slots; every launch a ``FakeTrainer`` on ``clock``, training as ``config``'s
    ``[trainer]`` says (epochs, evaluations per epoch) for ``steps_per_epoch`` steps an epoch.

    ``ignores_sigterm``, ``fails_at_step`` and ``bad_input`` make chosen trials misbehave (and a
    resume whose checkpoint file is gone exits 2, as the trainer's does);
    ``launches`` records every ``LaunchRequest`` in order, for tests to assert on."""

    name = "fake"

    def __init__(self, config: SweepConfig, clock: Clock, *, slot_count: int = 2, steps_per_epoch: int = 8,
                 step_s: float = 1.0, startup_s: float = 1.0, score: ScoreFunction = default_score) -> None:
        self.config = config
        self.clock = clock
        self.steps_per_epoch, self.step_s, self.startup_s = steps_per_epoch, step_s, startup_s
        self.score = score
        self._slots = [Slot(index=i, gpu=None) for i in range(slot_count)]
        self.trainers: dict[str, FakeTrainer] = {}
        """The latest run of each trial (what is 'running on the machine')."""
        self.launches: list[LaunchRequest] = []
        self.slot_of: dict[str, int] = {}
        self.ignores_sigterm: set[str] = set()
        self.fails_at_step: dict[str, int] = {}
        self.bad_input: set[str] = set()

    def slots(self) -> list[Slot]:
        return list(self._slots)

    def launch(self, request: LaunchRequest) -> TrialHandle:
        self.advance()  # a run that just suspended writes its checkpoint first
        self.launches.append(request)
        trial = request.trial_id
        trainer = FakeTrainer(
            trial=trial, directory=request.directory, settings=self.config.trainer,
            steps_per_epoch=self.steps_per_epoch, step_s=self.step_s, startup_s=self.startup_s,
            score=self.score, launched_at=self.clock.time(),
            stop_at_fraction=request.stop_at_fraction, resume=request.resume,
            ignores_sigterm=trial in self.ignores_sigterm, fails_at_step=self.fails_at_step.get(trial),
            bad_input=trial in self.bad_input,
        )
        request.directory.mkdir(parents=True, exist_ok=True)
        self.trainers[trial] = trainer
        self.slot_of[trial] = request.slot.index
        return FakeHandle(trial_id=trial, trainer=trainer, slot=request.slot, pid=trainer.pid)

    def signal(self, handle: TrialHandle, signum: int) -> bool:
        trainer = cast(FakeHandle, handle).trainer
        if trainer.exit_code is not None:
            return False
        if signum == signal.SIGKILL:
            trainer.kill_at = self.clock.time()
        elif trainer.term_at is None:
            trainer.term_at = self.clock.time()
        return True

    def is_ours(self, handle: TrialHandle) -> bool:
        trainer = cast(FakeHandle, handle).trainer
        trainer.advance(self.clock.time())
        return trainer.exit_code is None

    def poll(self, handles: Mapping[str, TrialHandle]) -> dict[str, int]:
        self.advance()
        exited = {}
        for trial, handle in handles.items():
            trainer = cast(FakeHandle, handle).trainer
            if trainer.exit_code is not None:
                exited[trial] = trainer.exit_code
        return exited

    def advance(self) -> None:
        """Let every trainer (watched or orphaned) write what is due by now."""
        now = self.clock.time()
        for trainer in self.trainers.values():
            trainer.advance(now)

    def adopt(self, trial_ids: list[str]) -> Adoption:
        self.advance()
        adoption = Adoption()
        for trial in trial_ids:
            trainer = self.trainers.get(trial)
            if trainer is not None and trainer.exit_code is None:
                adoption.running[trial] = FakeHandle(trial_id=trial, trainer=trainer, slot=None,
                                                     pid=trainer.pid, extra={"slot": self.slot_of.get(trial)})
        return adoption

    def orphan_is_lost(self, state: TrialState) -> bool:
        return True

    def requeue_reason(self, handle: TrialHandle) -> str | None:
        return None

    def where(self, handle: TrialHandle) -> str:
        return f"fake {handle.slot.label if handle.slot is not None else 'slot'}"

    def nodes(self, handles: Mapping[str, TrialHandle]) -> dict[str, str]:
        return {}

    def running(self) -> list[str]:
        """Trials whose fake trainers have not exited (whoever watches them)."""
        return [t for t, trainer in self.trainers.items() if trainer.exit_code is None]
