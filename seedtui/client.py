"""The logging client: any training script as a trial of a seedtui sweep.

A sweep whose ``[trainer] command`` runs your script tells it which trial it is through
environment variables (``seedtui.log.trial_env``). This client reads them and writes the trial's
event log through the log package, so the live grid, t/f/p, replay and the statistics see your
script like seedtui's own trainer::

    from seedtui.client import Trial

    trial = Trial.from_env()                 # outside a sweep: a silent no-op
    resume_step = trial.resuming()           # None, or the step to continue from (load your checkpoint)
    trial.start(metric="accuracy", greater_is_better=True, total_steps=600, evals=6)
    for step in ...:
        trial.train(step, loss)
        if step in eval_steps:
            trial.eval(step, score, {"accuracy": score})
            if trial.at_milestone():         # a t/f/p milestone: checkpoint, then suspend
                save(trial.checkpoint_dir)
                trial.end("suspended")
                sys.exit(0)
        if trial.should_stop():              # a kill from a person or a policy
            trial.end("stopped", reason="asked to stop")
            sys.exit(0)
    trial.end("completed")

The milestone is the one rule of ``seedtui.policy.tfp_rule``: after the ``k``-th of the ``E``
evaluations a full training makes (``f = k / E``), so a suspended-then-resumed trial logs exactly
the evaluations of a straight run. The light install only: no torch, no Textual (numpy, through
the t/f/p rule). docs/byo-trainer.md explains all of it.
"""

from __future__ import annotations

import math
import os
import signal
import socket
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from seedtui.core.direction import best_score
from seedtui.log.events import SCHEMA_VERSION, EventWriter
from seedtui.log.files import EVENTS_FILE, delete_checkpoint
from seedtui.log.launch_records import read_stop_request
from seedtui.log.trial_env import TrialEnvironment
from seedtui.policy.tfp_rule import snap_fraction

NAN = float("nan")


class Trial:
    """One trial's side of the log. Built by :meth:`from_env`; every method is a no-op when the
    script runs outside a sweep (``active`` is False), so the same script runs by hand."""

    def __init__(self, environment: TrialEnvironment | None, *, catch_sigterm: bool = False) -> None:
        self.environment = environment
        self._writer: EventWriter | None = None
        self._evals_done = 0
        self._evals_planned: int | None = None
        self._greater_is_better = True
        self._scores: list[float] = []
        """This run's evaluation scores, after those of the runs it resumes."""
        self._last_step = 0
        self._ended = False
        self._sigterm = False
        if environment is None:
            return
        self._writer = EventWriter(environment.trial_dir / EVENTS_FILE)
        if environment.resume:
            self._continue_from_log()
        if catch_sigterm and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._on_sigterm)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, catch_sigterm: bool = False) -> Trial:
        """The trial this process runs as (from ``SEEDTUI_*`` variables), inactive outside a sweep.

        ``catch_sigterm``: a kill's SIGTERM only makes :meth:`should_stop` true, so the script can
        end cleanly (it is killed anyway ``kill_grace_s`` later); by default SIGTERM ends it at once."""
        return cls(TrialEnvironment.from_env(env), catch_sigterm=catch_sigterm)

    # --- what the script asks -------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """Whether the script runs as a trial of a sweep."""
        return self.environment is not None

    @property
    def wi_seed(self) -> int | None:
        return None if self.environment is None else self.environment.wi_seed

    @property
    def do_seed(self) -> int | None:
        return None if self.environment is None else self.environment.do_seed

    @property
    def checkpoint_dir(self) -> Path | None:
        """Where to save the suspend/resume checkpoint (the supervisor deletes it once the trial's
        fate is final); None outside a sweep."""
        return None if self.environment is None else self.environment.checkpoint_dir

    def resuming(self) -> int | None:
        """The step a suspended trial continues from (load the checkpoint saved there), or None
        when this run starts from scratch."""
        if self.environment is None or not self.environment.resume:
            return None
        return self._last_step

    def should_stop(self) -> bool:
        """Whether a person or a policy asked this trial to stop (``stop_request.json``, or a
        SIGTERM caught with ``catch_sigterm``): end with ``end("stopped")`` and exit."""
        if self.environment is None:
            return False
        return self._sigterm or read_stop_request(self.environment.trial_dir) is not None

    def at_milestone(self) -> bool:
        """True right after the evaluation at this run's t/f/p milestone: save a checkpoint to
        :attr:`checkpoint_dir`, call ``end("suspended")`` and exit; the supervisor resumes the trial
        (``resuming()``) if it is among the best. Needs the number of evaluations from ``start``."""
        environment = self.environment
        if environment is None or environment.stop_at_fraction is None or not self._evals_planned:
            return False
        milestone = snap_fraction(environment.stop_at_fraction, self._evals_planned)
        return not milestone.is_end and self._evals_done == milestone.k

    # --- what the script tells ------------------------------------------------------------------
    def start(self, *, metric: str, greater_is_better: bool, total_steps: int, evals: int | None = None,
              evals_per_epoch: int | None = None, epochs: float = 1, majority_baseline: float | None = None,
              task: str | None = None, model: str | None = None, batch_size: int = 0, lr: float = NAN,
              train_size: int = 0, eval_size: int = 0, config: Mapping[str, Any] | None = None) -> None:
        """The trial began: its metric and direction, its length, and its evaluation schedule
        (``evals`` in all, or ``evals_per_epoch`` over ``epochs``; the t/f/p milestone is counted in
        them). A resumed run writes nothing: its first run's start holds all of this."""
        planned = evals if evals is not None else (
            None if evals_per_epoch is None else int(evals_per_epoch * epochs))
        if planned is None or planned < 1:
            raise ValueError("start needs the number of evaluations: evals, or evals_per_epoch and epochs")
        self._evals_planned, self._greater_is_better = planned, greater_is_better
        environment = self.environment
        if environment is None or environment.resume or self._writer is None:
            return
        per_epoch = evals_per_epoch if evals_per_epoch is not None else max(1, round(planned / epochs))
        self._write(
            "start", schema=SCHEMA_VERSION, trial=environment.trial, wi_seed=environment.wi_seed,
            do_seed=environment.do_seed, task=task or _launch_field(environment, "task") or "custom",
            model=model or _launch_field(environment, "model") or "", metric=metric,
            greater_is_better=greater_is_better, epochs=epochs,
            steps_per_epoch=max(1, math.ceil(total_steps / epochs)), total_steps=total_steps,
            evals_per_epoch=per_epoch, evals=planned, batch_size=batch_size, lr=lr, train_size=train_size,
            eval_size=eval_size, majority_baseline=NAN if majority_baseline is None else majority_baseline,
            pid=os.getpid(), host=socket.gethostname(), device=environment.device,
            config={**(config or {}), "stop_at_fraction": environment.stop_at_fraction},
        )

    def train(self, step: int, loss: float, *, epoch: float = NAN, lr: float = NAN) -> None:
        """A training loss at optimizer step ``step``."""
        self._last_step = max(self._last_step, step)
        self._write("train", step=int(step), epoch=epoch, loss=float(loss), lr=lr)

    def eval(self, step: int, score: float, metrics: Mapping[str, Any] | None = None, *,
             epoch: float = NAN) -> None:
        """An evaluation at step ``step``: ``score`` is the primary metric named in ``start``."""
        self._last_step = max(self._last_step, step)
        self._evals_done += 1
        score = float(score)
        self._scores.append(score)
        self._write("eval", step=int(step), epoch=epoch, score=score, metrics=dict(metrics or {}),
                    eval_index=self._evals_done - 1)

    def end(self, status: str = "completed", *, step: int | None = None, reason: str = "") -> None:
        """The trial ended (``completed``, ``suspended`` at a milestone, ``stopped``, ``failed``,
        ``diverged``). A stop names who asked for it (``by``, from the stop request). A completed
        trial's checkpoint is deleted (it will not resume)."""
        if self.environment is None or self._ended:
            return
        fields: dict[str, Any] = {"status": status, "step": self._last_step if step is None else int(step),
                                  "reason": reason or status}
        request = read_stop_request(self.environment.trial_dir) if status == "stopped" else None
        if request is not None:  # say who asked, as the supervisor would
            fields["by"] = str(request.get("by", "user"))
            fields["reason"] = reason or str(request.get("reason", "asked to stop"))
        best = best_score(self._scores, self._greater_is_better)
        if best is not None:
            fields["best_score"] = best
        self._write("end", **fields)
        self._ended = True
        if status == "completed":
            delete_checkpoint(self.environment.trial_dir)
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    # --- inside ---------------------------------------------------------------------------------
    def _write(self, event: str, **fields: Any) -> None:
        if self._writer is not None and not self._ended:
            self._writer.write(event, t=time.time(), **fields)

    def _continue_from_log(self) -> None:
        """A resumed run counts on from its log: evaluations done, the best score, the last step."""
        from seedtui.policy.schedule import scheduled_eval_count
        from seedtui.state import load_trial

        assert self.environment is not None
        state = load_trial(self.environment.trial_dir / EVENTS_FILE, skip_train=True)
        self._evals_done = len(state.eval_scores)
        self._greater_is_better = state.greater_is_better
        self._scores = list(state.eval_scores)
        self._last_step = state.last_step
        self._evals_planned = None if state.start is None else scheduled_eval_count(state.start)

    def _on_sigterm(self, _signum: int, _frame: object) -> None:
        self._sigterm = True


def _launch_field(environment: TrialEnvironment, name: str) -> str | None:
    """``task`` or ``model`` from the start the launcher wrote for this run (the sweep's labels)."""
    from seedtui.log.events import read_events

    for event in reversed(read_events(environment.trial_dir / EVENTS_FILE, final=True).events):
        if event.get("event") == "start":
            value = event.get(name)
            return value if isinstance(value, str) and value else None
    return None
