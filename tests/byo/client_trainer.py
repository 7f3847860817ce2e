"""A tiny training script that uses seedtui's logging client: the command-template trainer of the
tests (run as ``python tests/byo/client_trainer.py --steps 12 --evals 6``).

Its "model" is a random walk seeded by the WI and DO seeds; a checkpoint holds the walk's position
and the generator's state, so a run suspended at a t/f/p milestone and resumed from its checkpoint
logs exactly the numbers of a straight run (``straight_run``), and one resumed without it would not.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time

from seedtui.client import Trial

CHECKPOINT_NAME = "walk.json"


def score_of(position: float) -> float:
    return 0.5 + 0.4 * (position / (1 + abs(position)))


def walk(generator: random.Random, position: float) -> float:
    return position + generator.gauss(0.0, 1.0)


def straight_run(wi: int, do: int, steps: int, evals: int) -> list[tuple[int, float]]:
    """(step, score) of every evaluation of an uninterrupted run: what a resumed run must log."""
    generator, position, logged = random.Random(wi * 1000 + do), 0.0, []
    for step in range(1, steps + 1):
        position = walk(generator, position)
        if step % (steps // evals) == 0:
            logged.append((step, score_of(position)))
    return logged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="a random-walk 'trainer' that logs through seedtui.client")
    parser.add_argument("--steps", type=int, default=12, help="optimizer steps of a full run")
    parser.add_argument("--evals", type=int, default=6, help="evaluations of a full run, evenly spaced")
    parser.add_argument("--step-seconds", type=float, default=0.0, help="sleep per step (to be killed)")
    args = parser.parse_args(argv)
    trial = Trial.from_env(catch_sigterm=True)
    wi, do = trial.wi_seed or 0, trial.do_seed or 0
    generator, position, first_step = random.Random(wi * 1000 + do), 0.0, 1
    resume_step = trial.resuming()
    if resume_step is not None:
        assert trial.checkpoint_dir is not None
        saved = json.loads((trial.checkpoint_dir / CHECKPOINT_NAME).read_text())
        generator.setstate((saved["state"][0], tuple(saved["state"][1]), saved["state"][2]))
        position, first_step = saved["position"], saved["step"] + 1
        assert saved["step"] == resume_step
    trial.start(metric="accuracy", greater_is_better=True, total_steps=args.steps, evals=args.evals)
    for step in range(first_step, args.steps + 1):
        position = walk(generator, position)
        trial.train(step, loss=abs(position))
        time.sleep(args.step_seconds)
        if step % (args.steps // args.evals) == 0:
            score = score_of(position)
            trial.eval(step, score, {"accuracy": score})
            if trial.at_milestone():
                assert trial.checkpoint_dir is not None
                trial.checkpoint_dir.mkdir(parents=True, exist_ok=True)
                saved_state = {"step": step, "position": position, "state": generator.getstate()}
                (trial.checkpoint_dir / CHECKPOINT_NAME).write_text(json.dumps(saved_state))
                trial.end("suspended", reason="at the t/f/p milestone")
                return 0
        if trial.should_stop():
            trial.end("stopped", reason="asked to stop")
            return 0
    trial.end("completed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
