"""SYNTHETIC sweeps for tests and benchmarks: made-up curves written through EventWriter.

Nothing here is a real training result. The curves follow a simple formula (a saturating score
plus per-seed offsets and seeded noise) so tests can reason about them, and every trial status
(queued, running, completed, stopped, diverged, failed, suspended) appears in the small fixture.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seedtui.log import EventWriter, trial_id
from seedtui.log.files import (
    DECISIONS_FILE,
    EVENTS_FILE,
    STDERR_FILE,
    SWEEP_CONFIG_FILE,
    TRIALS_DIR,
    trial_dir,
)
from seedtui.testing.trial_log import start_fields

T0 = 1_700_000_000.0
"""Start of every synthetic sweep (fixed, so replays and snapshots are deterministic)."""
MARKUP_LINE = "[bold red]not markup[/bold red] RuntimeError: CUDA out of memory"


@dataclass(frozen=True)
class SweepShape:
    n_wi: int = 4
    n_do: int = 5
    epochs: int = 2
    steps_per_epoch: int = 20
    evals_per_epoch: int = 2
    slots: int = 4
    """Trials running at once: trial i starts when slot i % slots frees."""
    seconds_per_step: float = 1.0
    baseline: float = 0.5
    with_every_status: bool = True
    queued_trials: int = 2
    """Seeds listed in sweep.toml that never got a log (the last DO seeds of the last WI)."""


PAPER_SCALE = SweepShape(
    n_wi=25, n_do=25, epochs=3, steps_per_epoch=167, evals_per_epoch=10, slots=8, seconds_per_step=0.5,
    queued_trials=0,
)
"""The paper's scale: 25 x 25 seeds, 30 evaluations and ~500 training losses per trial (the
benchmarks' 625-trial sweep)."""


def _score(rng: np.random.Generator, wi: int, do: int, epoch: float, shape: SweepShape) -> float:
    wi_effect = 0.03 * math.sin(wi * 1.7)
    do_effect = 0.02 * math.cos(do * 2.3)
    rise = 1 - math.exp(-2.0 * epoch)
    return round(shape.baseline + 0.2 * rise + wi_effect + do_effect + float(rng.normal(0, 0.01)), 4)


def write_sweep(root: Path, name: str = "synthetic-sweep", shape: SweepShape = SweepShape()) -> Path:
    """Write a synthetic sweep directory under ``root`` and return it."""
    sweep = root / name
    (sweep / TRIALS_DIR).mkdir(parents=True, exist_ok=True)
    wi_seeds = list(range(1, shape.n_wi + 1))
    do_seeds = list(range(1, shape.n_do + 1))
    grid = [(wi, do) for wi in wi_seeds for do in do_seeds]
    logged = grid[: len(grid) - shape.queued_trials] if shape.with_every_status else grid
    (sweep / SWEEP_CONFIG_FILE).write_text(
        f'# SYNTHETIC test sweep\nname = "{name}"\ntask = "rte"\nmodel = "synthetic/tiny-bert"\n'
        f"wi_seeds = {wi_seeds}\ndo_seeds = {do_seeds}\n",
        encoding="utf-8",
    )
    total_steps = shape.epochs * shape.steps_per_epoch
    duration = total_steps * shape.seconds_per_step
    fates = {}
    if shape.with_every_status:
        fates = {
            0: "stopped",
            1: "diverged",
            2: "failed",
            3: "suspended",
            4: "flat",
            len(logged) - 1: "running",
        }
    decisions = []
    for index, (wi, do) in enumerate(logged):
        trial = trial_id(wi, do)
        rng = np.random.default_rng(wi * 1000 + do)
        start_t = T0 + (index // shape.slots) * (duration + 2.0)
        fate = fates.get(index, "completed")
        directory = trial_dir(sweep, trial)
        with EventWriter(directory / EVENTS_FILE) as writer:
            writer.write(
                "start",
                t=start_t,
                **start_fields(
                    wi, do, model="synthetic/tiny-bert", epochs=shape.epochs,
                    steps_per_epoch=shape.steps_per_epoch, total_steps=total_steps,
                    evals_per_epoch=shape.evals_per_epoch, train_size=160, eval_size=64,
                    majority_baseline=shape.baseline, pid=999_999, host="synthetic-host",
                    config={"synthetic": True},
                ),
            )
            stop_at = {
                "stopped": total_steps // 2,
                "diverged": total_steps // 3,
                "failed": total_steps // 4,
                "suspended": total_steps // 2,
                "running": total_steps * 3 // 4,
            }.get(fate, total_steps)
            eval_every = shape.steps_per_epoch // shape.evals_per_epoch
            best = None
            for step in range(1, stop_at + 1):
                t = start_t + step * shape.seconds_per_step
                epoch = step / shape.steps_per_epoch
                loss = 0.7 * math.exp(-1.5 * epoch) + 0.05 + float(rng.normal(0, 0.02))
                if fate == "diverged" and step > stop_at - 3:
                    loss = float("nan")
                writer.write("train", t=t, step=step, epoch=epoch, loss=loss, lr=2e-5)
                if step % eval_every == 0:
                    score = shape.baseline if fate == "flat" else _score(rng, wi, do, epoch, shape)
                    best = score if best is None else max(best, score)
                    writer.write(
                        "eval", t=t + 0.2, step=step, epoch=epoch, metrics={"acc": score}, score=score
                    )
            end_t = start_t + stop_at * shape.seconds_per_step + 0.5
            if fate in ("completed", "flat"):
                writer.write(
                    "end", t=end_t, status="completed", step=stop_at, reason="finished", best_score=best
                )
            elif fate == "stopped":
                writer.write(
                    "end",
                    t=end_t,
                    status="stopped",
                    step=stop_at,
                    by="tfp",
                    reason="t/f/p: below the p best at f=0.5",
                )
                decisions.append(
                    {
                        "t": end_t - 0.1,
                        "rule": "tfp",
                        "trial": trial,
                        "action": "stop",
                        "rung": 0.5,
                        "score": best,
                        "threshold": 0.7,
                        "rank": 4,
                        "of": 4,
                        "reason": "rank 4 of 4 at f=0.5 [not markup]",
                    }
                )
            elif fate == "diverged":
                writer.write("end", t=end_t, status="diverged", step=stop_at, reason="loss is NaN")
            elif fate == "failed":
                writer.write("end", t=end_t, status="failed", step=stop_at, reason="exit code 1")
            elif fate == "suspended":
                writer.write("end", t=end_t, status="suspended", step=stop_at, reason="waiting at f=0.5")
        stderr = f"SYNTHETIC stderr of {trial}\n"
        if fate == "failed":
            stderr += "Traceback (most recent call last):\n" + MARKUP_LINE + "\n"
        (directory / STDERR_FILE).write_text(stderr, encoding="utf-8")
    with open(sweep / DECISIONS_FILE, "w", encoding="utf-8") as handle:
        for record in decisions:
            handle.write(json.dumps(record) + "\n")
    return sweep
