"""The training loop of one trial: steps, train/eval events, and the ways a trial ends.

The loop's whole position is the number of optimizer steps done: epoch = step // steps_per_epoch,
batch = step % steps_per_epoch, and the epoch's order is recomputed from the DO seed. That is what
makes suspend + resume continue exactly where the straight run would be.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import torch

from seedtui.log import EventWriter
from seedtui.policy.schedule import ScheduledEval
from trainers.batching import collate, eval_batches, to_device
from trainers.checkpoint import LoopPosition, save_checkpoint
from trainers.config import TrainerConfig
from trainers.control import StopFlag, stop_details, suspends_on_stop
from trainers.metrics import compute_metrics
from trainers.optim import clip_gradients
from trainers.progress import Progress
from trainers.seeding import RandomStreams
from trainers.tokenize_cache import TokenizedSplit


@dataclass
class TrialRun:
    """Everything the loop works on, built by ``trainers.finetune``."""

    config: TrainerConfig
    metric: str
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: Any
    train_split: TokenizedSplit
    eval_split: TokenizedSplit
    pad_token_id: int
    device: torch.device
    streams: RandomStreams
    writer: EventWriter
    stop: StopFlag
    steps_per_epoch: int
    total_steps: int
    schedule: list[ScheduledEval]
    milestone: int | None
    """Step of the scheduled evaluation after which --stop-at-fraction suspends the trial, or None
    (always one of ``schedule``'s steps: see ``seedtui.policy.tfp_rule``)."""
    progress: Progress = field(default_factory=Progress.disabled)
    """Progress lines on stderr for a person watching (``trainers.progress``)."""


@dataclass
class LoopOutcome:
    """How the loop ended: the fields of the end event."""

    status: str
    step: int
    reason: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class _PendingStep:
    """A step whose loss is still on the device. On a GPU it is read one step later, so the host never
    waits for the step it has just queued; on the CPU there is nothing to overlap and it is read at once."""

    step: int
    loss: torch.Tensor
    lr: float


def train(run: TrialRun, position: LoopPosition) -> LoopOutcome:
    """Train from ``position`` until the trial completes, is stopped, diverges or is suspended."""
    loop = TrialLoop(run, position)
    while (outcome := loop.advance()) is None:
        pass
    return outcome


class TrialLoop:
    """The one training loop, one optimizer step per ``advance``: ``train`` runs it to the end for a
    trial alone, and the multi-trial worker (``trainers.pack``) interleaves the ``advance`` calls of
    several trials in one process."""

    def __init__(self, run: TrialRun, position: LoopPosition) -> None:
        self.run = run
        self.position = position
        self.evals_at = {scheduled.step: scheduled for scheduled in run.schedule}
        # a resumed trial starts at its milestone and must not suspend there again
        resumed_past = run.milestone is not None and run.milestone <= position.step
        self.milestone = None if resumed_past else run.milestone
        self.pending: _PendingStep | None = None
        self.order: list[int] = []
        self.order_epoch = -1
        run.model.train()

    def advance(self) -> LoopOutcome | None:
        """One optimizer step, with its evaluation when one is scheduled there; the outcome once the
        trial has ended (completed, stopped, diverged or suspended), else None."""
        run, position, config = self.run, self.position, self.run.config
        if position.step >= run.total_steps:
            return self._completed()
        if run.stop.requested:
            if self.pending is not None and not _report(run, self.pending):
                return _diverged(self.pending)
            return _stopped(run, position)
        epoch, batch_index = divmod(position.step, run.steps_per_epoch)
        if epoch != self.order_epoch:
            self.order = run.streams.epoch_order(epoch, len(run.train_split)).tolist()
            self.order_epoch = epoch
        indices = self.order[batch_index * config.batch_size:(batch_index + 1) * config.batch_size]
        loss, lr = _train_step(run, indices)
        position.step += 1
        if self.pending is not None and not _report(run, self.pending):
            return _diverged(self.pending)
        self.pending = _PendingStep(position.step, loss, lr)

        scheduled = self.evals_at.get(position.step)
        if scheduled is None and run.device.type == "cuda" and position.step < run.total_steps:
            return None  # read this loss once the next step is queued
        if not _report(run, self.pending):
            return _diverged(self.pending)
        self.pending = None
        if scheduled is not None:
            metrics = evaluate(run)
            if metrics is None:  # a stop signal arrived during the evaluation
                return _stopped(run, position, interrupted_eval=scheduled)
            _write_eval(run, position, metrics, metrics[run.metric], scheduled)
            if position.step == self.milestone:
                save_checkpoint(config.trial_dir, config=config.to_dict(), position=position, model=run.model,
                                optimizer=run.optimizer, scheduler=run.scheduler)
                return LoopOutcome("suspended", position.step,
                                   f"reached its milestone, evaluation {scheduled.index + 1} of "
                                   f"{len(run.schedule)} "
                                   f"(stop_at_fraction {config.stop_at_fraction}, step {position.step} of "
                                   f"{run.total_steps}); checkpoint saved",
                                   _best(position))
        return self._completed() if position.step >= run.total_steps else None

    def _completed(self) -> LoopOutcome:
        if self.pending is not None and not _report(self.run, self.pending):
            return _diverged(self.pending)
        self.pending = None
        return LoopOutcome("completed", self.position.step, "trained all epochs", _best(self.position))


def _train_step(run: TrialRun, indices: list[int]) -> tuple[torch.Tensor, float]:
    """One optimizer step. Returns the loss (still on the device) and the learning rate it used."""
    batch = to_device(collate(run.train_split, indices, run.pad_token_id), run.device)
    with torch.autocast(device_type=run.device.type, dtype=torch.bfloat16, enabled=run.device.type == "cuda"):
        loss = run.model(**batch).loss
    loss.backward()
    clip_gradients(run.model, run.config)  # the protocol's clipping (none here under dodge2020)
    lr = float(run.scheduler.get_last_lr()[0])
    run.optimizer.step()
    run.scheduler.step()
    run.optimizer.zero_grad(set_to_none=True)
    return loss.detach(), lr


def _report(run: TrialRun, pending: _PendingStep) -> bool:
    """Write the step's train event; False when its loss is NaN or infinite."""
    loss = float(pending.loss.item())  # the one host sync per step: the log needs the number
    run.writer.write("train", step=pending.step, epoch=pending.step / run.steps_per_epoch, loss=loss,
                     lr=pending.lr)
    run.progress.step(pending.step, run.total_steps, loss)
    return math.isfinite(loss)


@torch.inference_mode()
def evaluate(run: TrialRun) -> dict[str, float] | None:
    """Every metric of the task on the eval split; None if a stop signal interrupted it."""
    run.model.eval()
    predictions = torch.empty(len(run.eval_split), dtype=torch.long, device=run.device)
    for indices in eval_batches(run.eval_split, run.config.eval_batch_size):
        if run.stop.requested:
            run.model.train()
            return None
        batch = to_device(collate(run.eval_split, indices, run.pad_token_id), run.device)
        batch.pop("labels")
        with torch.autocast(device_type=run.device.type, dtype=torch.bfloat16,
                            enabled=run.device.type == "cuda"):
            logits = run.model(**batch).logits
        predictions[torch.tensor(indices, device=run.device)] = logits.argmax(dim=-1)
    run.model.train()
    return compute_metrics(run.config.task, predictions.cpu().numpy(), run.eval_split.labels.numpy(),
                           run.config.metric)


def _write_eval(run: TrialRun, position: LoopPosition, metrics: dict[str, float], score: float,
                scheduled: ScheduledEval) -> None:
    step = position.step
    if position.best_score is None or score > position.best_score:
        position.best_score = score
    best_score = position.best_score
    run.writer.write("eval", step=step, epoch=step / run.steps_per_epoch, metrics=metrics, score=score,
                     eval_index=scheduled.index, epoch_end=scheduled.epoch_end)
    run.progress.evaluation(step, run.total_steps, scheduled.index + 1, len(run.schedule), run.metric, score,
                            best_score)


def _stopped(run: TrialRun, position: LoopPosition,
             interrupted_eval: ScheduledEval | None = None) -> LoopOutcome:
    by, reason = stop_details(Path(run.config.trial_dir), run.stop)
    if suspends_on_stop(by):
        return _suspended_by_the_sweep(run, position, interrupted_eval, by, reason)
    return LoopOutcome("stopped", position.step, reason, {"by": by, **_best(position)})


def _suspended_by_the_sweep(run: TrialRun, position: LoopPosition, interrupted_eval: ScheduledEval | None,
                            by: str, reason: str) -> LoopOutcome:
    """The whole sweep is being stopped (``trainers.control.suspends_on_stop``), not this trial judged:
    checkpoint at this step and end ``suspended``, so the sweep's next run continues it. An evaluation
    the stop interrupted is finished first, so the resumed run neither skips nor repeats it. Before
    its first step there is nothing to keep: it ends ``stopped`` and the next run starts it over."""
    if position.step == 0 and interrupted_eval is None:
        return LoopOutcome("stopped", 0, f"{reason} before its first step", {"by": by})
    if interrupted_eval is not None:
        metrics = evaluate(replace(run, stop=StopFlag()))  # a fresh flag: this evaluation runs to its end
        assert metrics is not None
        _write_eval(run, position, metrics, metrics[run.metric], interrupted_eval)
    save_checkpoint(run.config.trial_dir, config=run.config.to_dict(), position=position, model=run.model,
                    optimizer=run.optimizer, scheduler=run.scheduler)
    if interrupted_eval is not None and position.step == run.milestone:
        # that was its milestone's evaluation: it waits there for the t/f/p decision, as always
        return LoopOutcome("suspended", position.step, f"reached its milestone (step {position.step}) as the "
                           f"sweep was stopped; checkpoint saved", _best(position))
    return LoopOutcome("suspended", position.step, f"{reason}; checkpoint saved at step {position.step}, the "
                       f"sweep's next run continues it", {"by": by, **_best(position)})


def _diverged(pending: _PendingStep) -> LoopOutcome:
    reason = f"training loss is {pending.loss.item()} at step {pending.step}"
    return LoopOutcome("diverged", pending.step, reason)


def _best(position: LoopPosition) -> dict[str, Any]:
    return {} if position.best_score is None else {"best_score": position.best_score}
