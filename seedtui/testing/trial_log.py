"""One SYNTHETIC trial's event log with given eval scores: the shared fixture writer.

Statistics, report and state tests each used to write their own logs with their own copy of the
start event; this is the one writer they share. Scores are written as they are given: an eval every
``steps_per_eval`` steps, one second per step after ``t0``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from seedtui.log import EventWriter, trial_id
from seedtui.log.files import events_path

DEFAULT_MAJORITY = 146 / 277
"""RTE's majority-class accuracy on its 277-example dev set."""


def start_fields(wi: int, do: int, **overrides: Any) -> dict[str, Any]:
    """Every field of a valid ``start`` event for trial ``wi{wi}-do{do}``, with ``overrides`` applied."""
    fields: dict[str, Any] = dict(
        schema=1, trial=trial_id(wi, do), wi_seed=wi, do_seed=do, task="rte", model="tiny",
        metric="acc", greater_is_better=True, epochs=3, steps_per_epoch=10, total_steps=30,
        evals_per_epoch=2, batch_size=8, lr=2e-5, train_size=2490, eval_size=277,
        majority_baseline=DEFAULT_MAJORITY, pid=1, host="synthetic", config={},
    )
    fields.update(overrides)
    return fields


def write_trial(
    root: Path,
    wi: int,
    do: int,
    scores: Sequence[float],
    *,
    status: str | None = "completed",
    evals_per_epoch: int = 10,
    steps_per_eval: int = 10,
    total_evals: int | None = None,
    train_loss: float | None = None,
    t0: float = 0.0,
    **start: Any,
) -> Path:
    """Write ``root/trials/wi{W}-do{D}/events.jsonl`` and return its path.

    ``status`` None or ``"running"`` leaves the trial without an end event (running, or killed);
    ``total_evals`` is the planned number of evals when the scores stop early; ``train_loss`` adds a
    train event before each eval; other keywords (task, metric, greater_is_better, model, host, ...)
    override fields of the start event.
    """
    total_evals = len(scores) if total_evals is None else total_evals
    epochs = max(1, -(-total_evals // evals_per_epoch))
    steps_per_epoch = evals_per_epoch * steps_per_eval
    path = events_path(root, trial_id(wi, do))
    metric = start.get("metric", "acc")
    fields = start_fields(
        wi, do, epochs=epochs, steps_per_epoch=steps_per_epoch, total_steps=epochs * steps_per_epoch,
        evals_per_epoch=evals_per_epoch, **start,
    )
    with EventWriter(path) as writer:
        writer.write("start", t=t0, **fields)
        for index, score in enumerate(scores):
            step = (index + 1) * steps_per_eval
            epoch = step / steps_per_epoch
            if train_loss is not None:
                writer.write("train", t=t0 + step, step=step, epoch=epoch, loss=train_loss, lr=2e-5)
            writer.write(
                "eval", t=t0 + step, step=step, epoch=epoch, metrics={metric: float(score)},
                score=float(score), eval_index=index, epoch_end=(index + 1) % evals_per_epoch == 0,
            )
        if status not in (None, "running"):
            end_t = t0 + len(scores) * steps_per_eval + 1
            writer.write("end", t=end_t, status=status, step=len(scores) * steps_per_eval, reason="synthetic")
    return path
