"""``seedtui import hf-trainer`` and ``seedtui import csv``: runs already made, as a sweep directory.

The parsing lives in ``seedtui.importers``; this module reads the options, shows progress on stderr
for long imports, and turns bad input into one message and exit code 2 with nothing written.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from seedtui.cli.app import app
from seedtui.importers import ImportedRun, ImportInputError, write_sweep

import_app = typer.Typer(
    help="Import runs made outside seedtui (HF Trainer output dirs, a tracker's long table) as a sweep "
         "directory that replay, stats, plan and report read.",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")

DEFAULT_TASK = "imported"

OutSweep = Annotated[Path, typer.Argument(help="The sweep directory to create (new, or empty).")]
Metric = Annotated[str | None, typer.Option("--metric", help="The primary metric (e.g. eval_accuracy).")]
Direction = Annotated[
    bool | None,
    typer.Option("--greater-is-better/--lower-is-better",
                 help="The metric's direction (default: lower for losses and error rates, else greater)."),
]
Task = Annotated[str, typer.Option("--task", help="The task name written to every trial.")]
Baseline = Annotated[
    float | None,
    typer.Option("--majority-baseline", help="The majority-class score on the eval set, when known."),
]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"seedtui import: {message}", err=True)
    return typer.Exit(2)


def _progress(verb: str) -> Callable[[int, int], None]:
    """A progress line on stderr: rewritten in place on a terminal, else every tenth of the way."""
    def show(done: int, total: int) -> None:
        if sys.stderr.isatty():
            sys.stderr.write(f"\r{verb} {done}/{total}" + ("\n" if done == total else ""))
        elif total >= 20 and (done * 10 // total) != ((done - 1) * 10 // total):
            sys.stderr.write(f"{verb} {done}/{total}\n")
        sys.stderr.flush()
    return show


def _write(out_sweep: Path, runs: list[ImportedRun], task: str, majority_baseline: float | None) -> None:
    write_sweep(out_sweep, runs, task=task, progress=_progress("writing trial"),
                majority_baseline=math.nan if majority_baseline is None else majority_baseline)
    stopped = sum(not run.completed for run in runs)
    note = f" ({stopped} ended before their planned steps: imported as stopped)" if stopped else ""
    typer.echo(f"imported {len(runs)} runs ({runs[0].metric}) into {out_sweep}{note}")


@import_app.command("hf-trainer")
def hf_trainer(
    out_sweep: OutSweep,
    run_dirs: Annotated[list[Path], typer.Argument(
        help="HF Trainer output dirs (their trainer_state.json, else the latest checkpoint-N's).")],
    wi: Annotated[str | None, typer.Option("--wi", help=r"Regex, WI seed in group 1: 'seed(\d+)'.")] = None,
    do: Annotated[str | None, typer.Option("--do", help=r"Regex, DO seed in group 1: 'data(\d+)'.")] = None,
    mapping: Annotated[Path | None, typer.Option(
        "--map", help="CSV (path,wi,do) or JSON ({path: {wi, do}}) file of each run's seeds.")] = None,
    metric: Metric = None,
    greater_is_better: Direction = None,
    task: Task = DEFAULT_TASK,
    majority_baseline: Baseline = None,
) -> None:
    """Import Hugging Face Trainer runs from their trainer_state.json files (training_args.bin is
    never read: it is a pickle)."""
    from seedtui.importers import hf_trainer_state, seed_sources
    from seedtui.importers.imported_run import default_greater_is_better

    try:
        if mapping is not None and (wi or do):
            raise ImportInputError("give either --map or --wi and --do, not both")
        if mapping is None and not (wi and do):
            raise ImportInputError("give the seeds: --wi and --do patterns, or --map FILE")
        seeds = (seed_sources.seeds_from_mapping(run_dirs, mapping) if mapping is not None
                 else seed_sources.seeds_from_patterns(run_dirs, wi or "", do or ""))
        show = _progress("reading run")
        states = {}
        for done, run_dir in enumerate(run_dirs, start=1):
            path = hf_trainer_state.find_trainer_state(run_dir)
            states[run_dir] = (path, hf_trainer_state.load_trainer_state(path))
            show(done, len(run_dirs))
        chosen = hf_trainer_state.choose_metric({path: state for path, state in states.values()}, metric)
        direction = default_greater_is_better(chosen) if greater_is_better is None else greater_is_better
        runs = []
        for run_dir, (path, state) in states.items():
            run = hf_trainer_state.run_from_trainer_state(path, state, chosen, direction)
            run.wi_seed, run.do_seed = seeds[run_dir]
            runs.append(run)
        _write(out_sweep, runs, task, majority_baseline)
    except ImportInputError as error:
        raise _fail(str(error)) from None


@import_app.command("csv")
def csv_table(
    out_sweep: OutSweep,
    table: Annotated[Path, typer.Argument(
        help="A long table: wi, do, step, kind (train or eval), value[, metric, epoch].")],
    metric: Metric = None,
    greater_is_better: Direction = None,
    epochs: Annotated[float, typer.Option(
        "--epochs", min=0.0, help="Epochs the steps span, when the table has no epoch column.")] = 1.0,
    task: Task = DEFAULT_TASK,
    majority_baseline: Baseline = None,
) -> None:
    """Import a long table of logged values (one row per value), such as a tracker's export."""
    from seedtui.importers.long_table import runs_from_long_table

    try:
        if epochs <= 0:
            raise ImportInputError("--epochs must be positive")
        runs = runs_from_long_table(table, metric=metric, greater_is_better=greater_is_better, epochs=epochs)
        _write(out_sweep, runs, task, majority_baseline)
    except ImportInputError as error:
        raise _fail(str(error)) from None
