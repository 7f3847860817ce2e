"""A Hugging Face ``Trainer`` callback that makes a ``Trainer`` script a trial of a seedtui sweep.

    from seedtui.integrations.transformers import SeedtuiCallback

    callback = SeedtuiCallback(metric="accuracy")
    trainer = Trainer(..., callbacks=[callback])
    trainer.train(resume_from_checkpoint=callback.resume_from_checkpoint(args.output_dir))

The callback logs every training loss and evaluation through ``seedtui.client``, honours a stop
request from a person or a policy (``control.should_training_stop``), and at the t/f/p milestone
(the evaluation after which the sweep decides, by the one rule of ``seedtui.policy.tfp_rule``)
saves a checkpoint and ends the trial ``suspended``; when the sweep resumes the trial,
``resume_from_checkpoint`` names that checkpoint, and HF restores the model, optimizer, scheduler,
RNG states and data position from it. Outside a sweep every call is a no-op.

Seeds (docs/byo-trainer.md): pass ``--seed {wi}`` and ``--data_seed {do}``. In HF, ``seed`` seeds
everything set before training (the new classification head, when the model is built after
``set_seed``, or with ``model_init``) *and* dropout; ``data_seed`` seeds only the sampler, the data
order. In the paper's code (and seedtui's own trainer) dropout follows the DO seed instead, so with
HF the WI seed varies the head and dropout together.

Evaluations are counted from ``eval_strategy``: ``steps`` makes ``max_steps // eval_steps``,
``epoch`` one per epoch; the milestone is counted in them, so keep them evenly spaced.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from transformers import TrainerCallback
from transformers.trainer_utils import get_last_checkpoint

from seedtui.client import Trial


def planned_evaluations(args: Any, max_steps: int) -> int:
    """How many evaluations a full training makes under these ``TrainingArguments``."""
    strategy = str(getattr(args.eval_strategy, "value", args.eval_strategy))
    if strategy == "epoch":
        return max(1, math.ceil(float(args.num_train_epochs)))
    if strategy == "steps":
        every = args.eval_steps if args.eval_steps is not None else args.logging_steps
        every = math.ceil(every * max_steps) if 0 < every < 1 else int(every)  # a ratio of training
        return max(1, max_steps // max(1, every))
    raise ValueError("seedtui needs evaluations: set eval_strategy to 'steps' or 'epoch'")


class SeedtuiCallback(TrainerCallback):  # type: ignore[misc]
    """Logs an HF ``Trainer`` run as a seedtui trial; see the module docstring."""

    def __init__(self, metric: str, *, greater_is_better: bool | None = None,
                 majority_baseline: float | None = None, trial: Trial | None = None) -> None:
        self.metric = metric
        self.greater_is_better = greater_is_better
        self.majority_baseline = majority_baseline
        self.trial = trial if trial is not None else Trial.from_env(catch_sigterm=True)
        self._ending = "completed"

    def resume_from_checkpoint(self, output_dir: str | Path) -> str | None:
        """The checkpoint to pass to ``trainer.train(resume_from_checkpoint=...)``: the latest in
        ``output_dir`` when the sweep resumes this trial, else None (a fresh start)."""
        if self.trial.resuming() is None:
            return None
        checkpoint = get_last_checkpoint(str(output_dir))
        if checkpoint is None:
            raise FileNotFoundError(f"resuming, but {output_dir} holds no checkpoint-* directory")
        return str(checkpoint)

    # --- the Trainer's events ----------------------------------------------------------------------
    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        greater = self.greater_is_better
        if greater is None:
            greater = True if args.greater_is_better is None else bool(args.greater_is_better)
        self.trial.start(
            metric=self.metric, greater_is_better=greater, total_steps=int(state.max_steps),
            evals=planned_evaluations(args, int(state.max_steps)), epochs=float(args.num_train_epochs),
            majority_baseline=self.majority_baseline, batch_size=int(args.per_device_train_batch_size),
            lr=float(args.learning_rate), config={"seed": args.seed, "data_seed": args.data_seed,
                                                  "output_dir": str(args.output_dir)})

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None,
               **kwargs: Any) -> None:
        if logs and "loss" in logs:
            self.trial.train(int(state.global_step), float(logs["loss"]), epoch=float(state.epoch or 0),
                             lr=float(logs.get("learning_rate", math.nan)))

    def on_evaluate(self, args: Any, state: Any, control: Any, metrics: dict[str, Any] | None = None,
                    **kwargs: Any) -> None:
        metrics = metrics or {}
        key = self.metric if self.metric in metrics else f"eval_{self.metric}"
        if key not in metrics:
            raise KeyError(f"the evaluation has no {self.metric!r} (it has {', '.join(sorted(metrics))})")
        numbers = {name: value for name, value in metrics.items() if isinstance(value, (int, float))}
        self.trial.eval(int(state.global_step), float(metrics[key]), numbers, epoch=float(state.epoch or 0))
        if self.trial.at_milestone():
            # save a checkpoint here and end: the sweep decides whether this trial continues
            control.should_save = True
            control.should_training_stop = True
            self._ending = "suspended"

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self._ending == "completed" and self.trial.should_stop():
            control.should_training_stop = True
            self._ending = "stopped"

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        reasons = {"suspended": "at the t/f/p milestone", "stopped": "asked to stop", "completed": ""}
        self.trial.end(self._ending, step=int(state.global_step), reason=reasons[self._ending])
