"""The wrapper a command-template trial runs under: ``python -m seedtui.core.engine.command_trial``.

A sweep's ``[trainer] command`` may be any program, which may never write a line of seedtui's log.
So the engine does not launch it directly but through this wrapper, which

- records the process in the trial's event log before the program starts: a ``start`` event
  (``written_by: "launcher"``, no curves: the program's own ``start``, written by the logging
  client, follows and replaces it) or, when the trial resumes, a ``resume`` event. The trial is
  then shown ``running`` from the start and judged by the liveness rule like any other;
- fills the command template's placeholders (here, where the trial directory and the interpreter
  are the real ones: on a Ray node they are the node's) and runs the program with the trial's
  environment variables (``seedtui.log.trial_env``) in the
  same process group, so a kill reaches it, and passes on its exit code (128 + N for signal N),
  from which the supervisor writes ``completed`` or ``failed`` when the program wrote no ``end``.

The wrapper's command line holds the trial directory, which is how the engine recognises the
trial's process before it signals it. It imports only the log package: it starts in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from seedtui.log import EVENTS_FILE, append_event
from seedtui.log.events import SCHEMA_VERSION
from seedtui.log.trial_env import LAUNCHER, TrialEnvironment, expand_command


def parse_arguments(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    if "--" not in argv:
        raise SystemExit("usage: python -m seedtui.core.engine.command_trial FLAGS -- COMMAND TEMPLATE...")
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="python -m seedtui.core.engine.command_trial",
                                     description="Run one command-template trial of a sweep.")
    parser.add_argument("--trial-dir", type=Path, required=True, help="the trial's directory")
    parser.add_argument("--wi-seed", type=int, required=True, help="the weight-initialization seed")
    parser.add_argument("--do-seed", type=int, required=True, help="the data-order seed")
    parser.add_argument("--device", default="cpu", help="the device of the trial's slot")
    parser.add_argument("--task", default="custom", help="the sweep's task (a label)")
    parser.add_argument("--model", default="", help="the sweep's model (a label)")
    parser.add_argument("--workdir", type=Path, default=Path.cwd(), help="where the program runs")
    parser.add_argument("--stop-at-fraction", type=float, default=None, help="the t/f/p milestone")
    parser.add_argument("--resume", action="store_true", help="continue a suspended run")
    program = argv[split + 1:]
    if not program:
        parser.error("no program after --")
    return parser.parse_args(argv[:split]), program


def record_process(trial: TrialEnvironment, *, task: str, model: str, program: list[str]) -> None:
    """The ``start`` (or, resuming, ``resume``) event that names this process."""
    path = trial.trial_dir / EVENTS_FILE
    process = {"pid": os.getpid(), "host": socket.gethostname(), "device": trial.device}
    if trial.resume:
        from seedtui.state import load_trial

        append_event(path, "resume", step=load_trial(path, skip_train=True).last_step,
                     written_by=LAUNCHER, **process)
        return
    # the values the program has not told yet: no schedule (no evaluations are expected), no
    # baseline; the program's own start (seedtui.client) replaces them
    append_event(
        path, "start", schema=SCHEMA_VERSION, trial=trial.trial, wi_seed=trial.wi_seed,
        do_seed=trial.do_seed, task=task, model=model, metric="", greater_is_better=True, epochs=0,
        steps_per_epoch=0, total_steps=0, evals_per_epoch=0, batch_size=0, lr=0.0, train_size=0,
        eval_size=0, majority_baseline=float("nan"), written_by=LAUNCHER,
        config={"command": program, "stop_at_fraction": trial.stop_at_fraction}, **process)


def _ignore(_signum: int, _frame: object) -> None:
    """The wrapper outlives a SIGTERM to the group: the program gets it too and decides when to end.
    (A Python handler, not SIG_IGN, which the program would inherit.)"""


def main(argv: list[str] | None = None) -> int:
    args, template = parse_arguments(sys.argv[1:] if argv is None else argv)
    trial = TrialEnvironment(trial_dir=args.trial_dir, wi_seed=args.wi_seed, do_seed=args.do_seed,
                             device=args.device, stop_at_fraction=args.stop_at_fraction, resume=args.resume)
    program = expand_command(template, trial)  # here, where the trial's directory and python are real
    trial.trial_dir.mkdir(parents=True, exist_ok=True)
    record_process(trial, task=args.task, model=args.model, program=program)
    signal.signal(signal.SIGTERM, _ignore)
    signal.signal(signal.SIGINT, _ignore)
    try:
        child = subprocess.Popen(program, env={**os.environ, **trial.to_env()}, cwd=args.workdir)
    except OSError as error:
        print(f"cannot run {program[0]!r}: {error}", file=sys.stderr, flush=True)
        return 127
    code = child.wait()
    return 128 - code if code < 0 else code


if __name__ == "__main__":
    sys.exit(main())
