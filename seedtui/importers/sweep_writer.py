"""Imported runs written as a normal sweep directory, all or nothing.

Each run becomes ``trials/wi{W}-do{D}/events.jsonl`` with a ``start`` (its ``imported_from`` naming
the source), its ``train`` and ``eval`` events in step order, and an ``end`` (``completed``, or
``stopped`` for a run that ended before its planned steps), written through ``seedtui.log``'s
validating writer. The sweep is written to a hidden folder beside the target and renamed into place
only when every trial is written, so bad input leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from seedtui.importers.imported_run import EvalPoint, ImportedRun, ImportInputError, TrainPoint
from seedtui.log import SCHEMA_VERSION, EventWriter, trial_id
from seedtui.log.files import events_path

IMPORTED_HOST = "imported"
"""The ``host`` of an imported trial's start event: no process of it runs anywhere."""

Progress = Callable[[int, int], None]


def check_runs(runs: Sequence[ImportedRun]) -> None:
    """Refuse what would not be one sweep: no runs, two runs with the same seeds, or mixed metrics."""
    if not runs:
        raise ImportInputError("nothing to import")
    sources: dict[tuple[int, int], str] = {}
    for run in runs:
        seeds = (run.wi_seed, run.do_seed)
        if seeds in sources:
            raise ImportInputError(
                f"duplicate seed pair wi{seeds[0]}-do{seeds[1]}: {sources[seeds]} and {run.source}")
        sources[seeds] = run.source
    kinds = sorted({f"{run.metric} ({'greater' if run.greater_is_better else 'lower'} is better)"
                    for run in runs})
    if len(kinds) > 1:
        raise ImportInputError(f"mixed metrics: {', '.join(kinds)}")


def check_target(out_dir: Path) -> None:
    """The target must not exist, or be an empty directory."""
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ImportInputError(f"{out_dir} exists and is not empty: import into a new directory")


def _write_trial(sweep_dir: Path, run: ImportedRun, *, task: str, majority_baseline: float) -> None:
    start_time = run.end_time - run.last_step * run.seconds_per_step

    def at(step: int) -> float:
        return start_time + step * run.seconds_per_step

    trial = trial_id(run.wi_seed, run.do_seed)
    with EventWriter(events_path(sweep_dir, trial)) as writer:
        writer.write(
            "start", t=start_time, schema=SCHEMA_VERSION, trial=trial,
            wi_seed=run.wi_seed, do_seed=run.do_seed,
            task=task, model=run.model, metric=run.metric, greater_is_better=run.greater_is_better,
            epochs=run.epochs, steps_per_epoch=run.steps_per_epoch, total_steps=run.total_steps,
            evals_per_epoch=run.evals_per_epoch, evals=run.planned_evals, batch_size=run.batch_size,
            lr=run.lr, train_size=0, eval_size=0, majority_baseline=majority_baseline,
            pid=0, host=IMPORTED_HOST,
            config={"imported_from": run.source, **run.details}, imported_from=run.source,
        )
        # Train before eval at one step: the eval measures the weights after that step.
        points: list[tuple[int, int, EvalPoint | TrainPoint]] = [(p.step, 0, p) for p in run.trains]
        points += [(p.step, 1, p) for p in run.evals]
        timeline = sorted(points, key=lambda item: item[:2])
        eval_index = 0
        for step, _, point in timeline:
            if isinstance(point, EvalPoint):
                writer.write("eval", t=at(step), step=step, epoch=point.epoch, metrics=point.metrics,
                             score=point.score, eval_index=eval_index)
                eval_index += 1
            else:
                writer.write("train", t=at(step), step=step, epoch=point.epoch, loss=point.loss, lr=point.lr)
        if run.completed:
            writer.write("end", t=at(run.last_step), status="completed", step=run.last_step,
                         reason=f"imported from {run.source}")
        else:
            writer.write("end", t=at(run.last_step), status="stopped", step=run.last_step,
                         reason=f"imported from {run.source}: "
                                f"ended at step {run.last_step} of {run.total_steps}")


def write_sweep(out_dir: Path, runs: Sequence[ImportedRun], *, task: str, majority_baseline: float,
                progress: Progress | None = None) -> None:
    """Write ``runs`` as the sweep ``out_dir`` (checked first: see ``check_runs``, ``check_target``)."""
    check_runs(runs)
    check_target(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.parent / f".{out_dir.name}.importing-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        for done, run in enumerate(runs, start=1):
            _write_trial(staging, run, task=task, majority_baseline=majority_baseline)
            if progress is not None:
                progress(done, len(runs))
        check_target(out_dir)  # nobody wrote there meanwhile
        os.replace(staging, out_dir)  # an empty target directory is replaced too
    finally:
        shutil.rmtree(staging, ignore_errors=True)
