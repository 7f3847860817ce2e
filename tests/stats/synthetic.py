"""Synthetic seed sweeps for tests and benches: fixtures, not results.

RTE-like curves: accuracies on a 277-example dev set (so scores are multiples of 1/277), a share
of trials stuck at the majority-class baseline (the paper's "failed" runs), the rest climbing
towards a trial-specific plateau that depends on both seeds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from seedtui.log import EventWriter, trial_id

DEV_SIZE = 277
MAJORITY = 146 / DEV_SIZE


def rte_like_curves(
    wi_count: int = 25, do_count: int = 25, evals: int = 30, *, seed: int = 0, quantise: bool = True
) -> np.ndarray:
    """(wi_count * do_count, evals) accuracies, rows ordered wi-major (row = wi * do_count + do)."""
    rng = np.random.default_rng(seed)
    wi_effect = rng.normal(0.0, 0.02, wi_count)
    do_effect = rng.normal(0.0, 0.015, do_count)
    plateau = 0.66 + wi_effect[:, None] + do_effect[None, :] + rng.normal(0.0, 0.02, (wi_count, do_count))
    failed = rng.random((wi_count, do_count)) < 0.25
    speed = rng.uniform(0.05, 0.4, (wi_count, do_count))
    steps = np.arange(1, evals + 1)
    climb = 1.0 - np.exp(-speed[..., None] * steps)
    curves = MAJORITY + (plateau[..., None] - MAJORITY) * climb
    curves = np.where(failed[..., None], MAJORITY, curves)
    curves = curves + rng.normal(0.0, 0.015, curves.shape)
    curves = np.clip(curves, 0.0, 1.0).reshape(wi_count * do_count, evals)
    if quantise:
        curves = np.round(curves * DEV_SIZE) / DEV_SIZE
    return curves


def write_trial(
    root: Path,
    wi: int,
    do: int,
    scores: list[float] | np.ndarray,
    *,
    status: str = "completed",
    task: str = "rte",
    metric: str = "acc",
    greater_is_better: bool = True,
    evals_per_epoch: int = 10,
    steps_per_eval: int = 10,
    majority_baseline: float = MAJORITY,
) -> Path:
    """One trial's events.jsonl under root/trials/wi{W}-do{D}/, with these eval scores."""
    name = trial_id(wi, do)
    path = root / "trials" / name / "events.jsonl"
    epochs = max(1, -(-len(scores) // evals_per_epoch))
    steps_per_epoch = evals_per_epoch * steps_per_eval
    with EventWriter(path) as writer:
        writer.write(
            "start",
            t=0.0,
            schema=1,
            trial=name,
            wi_seed=wi,
            do_seed=do,
            task=task,
            model="tiny",
            metric=metric,
            greater_is_better=greater_is_better,
            epochs=epochs,
            steps_per_epoch=steps_per_epoch,
            total_steps=epochs * steps_per_epoch,
            evals_per_epoch=evals_per_epoch,
            batch_size=8,
            lr=2e-5,
            train_size=2490,
            eval_size=DEV_SIZE,
            majority_baseline=majority_baseline,
            pid=1,
            host="synthetic",
            config={},
        )
        for index, score in enumerate(scores):
            step = (index + 1) * steps_per_eval
            writer.write(
                "eval",
                t=float(index + 1),
                step=step,
                epoch=step / steps_per_epoch,
                metrics={metric: float(score)},
                score=float(score),
                eval_index=index,
                epoch_end=(index + 1) % evals_per_epoch == 0,
            )
        if status != "running":
            writer.write(
                "end",
                t=float(len(scores) + 1),
                status=status,
                step=len(scores) * steps_per_eval,
                reason="synthetic",
            )
    return path


def write_sweep(root: Path, curves: np.ndarray, wi_count: int, do_count: int, **kwargs: object) -> Path:
    """A sweep directory holding one log per row of ``curves`` (wi-major order)."""
    for row, scores in enumerate(curves):
        write_trial(root, row // do_count, row % do_count, scores, **kwargs)  # type: ignore[arg-type]
    return root
