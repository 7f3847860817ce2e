"""Runs of the Hugging Face ``Trainer``, read from the ``trainer_state.json`` it saves.

Only that JSON file is read (and the run's ``config.json`` for the model's name): ``training_args.bin``
is a pickle and stays unread, so importing a directory can never run code from it. ``log_history``
holds one entry per logged training loss (``loss``, ``learning_rate``, ``epoch``, ``step``) and one per
evaluation (``eval_*`` metrics, ``epoch``, ``step``); the primary metric is one ``eval_*`` key, chosen
by the person importing or, when the runs have only one besides ``eval_loss``, that one.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from seedtui.importers.imported_run import (
    EvalPoint,
    ImportedRun,
    ImportInputError,
    TrainPoint,
    finite_float,
    is_number,
)

TRAINER_STATE_FILE = "trainer_state.json"
MODEL_CONFIG_FILE = "config.json"
EVAL_PREFIX = "eval_"
# eval_* keys that time the evaluation rather than measure the model.
_EVAL_TIMINGS = frozenset({"eval_runtime", "eval_samples_per_second", "eval_steps_per_second",
                           "eval_jit_compilation_time", "eval_model_preparation_time"})
_CHECKPOINT_DIR = re.compile(r"^checkpoint-(\d+)$")
# Top-level scalars of trainer_state.json kept in the start event's config.
_KEPT_FIELDS = ("global_step", "max_steps", "num_train_epochs", "eval_steps", "logging_steps",
                "train_batch_size", "best_metric", "best_global_step", "best_model_checkpoint")


def find_trainer_state(run_dir: Path) -> Path:
    """``RUN_DIR/trainer_state.json`` (written by ``trainer.save_state()``), else the one of the run's
    latest ``checkpoint-N``; ``run_dir`` may also be the JSON file itself."""
    if run_dir.is_file():
        return run_dir
    direct = run_dir / TRAINER_STATE_FILE
    if direct.is_file():
        return direct
    checkpoints = [(int(match.group(1)), path) for path in run_dir.glob(f"checkpoint-*/{TRAINER_STATE_FILE}")
                   if (match := _CHECKPOINT_DIR.match(path.parent.name))]
    if checkpoints:
        return max(checkpoints)[1]
    raise ImportInputError(f"{run_dir}: no {TRAINER_STATE_FILE} (nor in a checkpoint-N directory)")


def load_trainer_state(path: Path) -> dict[str, Any]:
    """The decoded ``trainer_state.json``; a file that is not one raises ImportInputError."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ImportInputError(f"{path}: cannot read it as JSON ({error})") from None
    if not isinstance(state, dict) or not isinstance(state.get("log_history"), list):
        raise ImportInputError(f"{path}: not a trainer_state.json (no log_history list)")
    return state


def _eval_entries(state: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [entry for entry in state["log_history"] if isinstance(entry, dict)
            and isinstance(entry.get("step"), int) and any(key.startswith(EVAL_PREFIX) for key in entry)]


def eval_metric_names(state: Mapping[str, Any]) -> set[str]:
    """The ``eval_*`` metrics a run logged (timings left out)."""
    return {key for entry in _eval_entries(state) for key, value in entry.items()
            if key.startswith(EVAL_PREFIX) and key not in _EVAL_TIMINGS and is_number(value)}


def choose_metric(states: Mapping[Path, Mapping[str, Any]], requested: str | None) -> str:
    """The primary metric of every run: ``requested`` (``eval_`` added when missing), else the runs'
    one ``eval_*`` metric besides ``eval_loss`` (``eval_loss`` when there is no other). Runs with no
    eval entry, without the metric, or with different metrics when none was requested are errors."""
    names = {path: eval_metric_names(state) for path, state in states.items()}
    no_evals = [str(path) for path, found in names.items() if not found]
    if no_evals:
        raise ImportInputError(f"no eval entries (eval_* in log_history) in: {', '.join(no_evals)}; "
                               "train with eval_strategy='steps' or 'epoch'")
    if requested is not None:
        metric = requested if requested.startswith(EVAL_PREFIX) else EVAL_PREFIX + requested
        lacking = [str(path) for path, found in names.items() if metric not in found]
        if lacking:
            raise ImportInputError(f"mixed metrics: {metric} is not logged by {', '.join(lacking)}")
        return metric
    distinct = {frozenset(found) for found in names.values()}
    if len(distinct) > 1:
        listed = "; ".join(f"{path}: {', '.join(sorted(found))}" for path, found in names.items())
        raise ImportInputError(f"mixed metrics across the runs ({listed}); choose one with --metric")
    candidates = sorted(next(iter(distinct)) - {"eval_loss"}) or ["eval_loss"]
    if len(candidates) > 1:
        raise ImportInputError(f"several eval metrics ({', '.join(candidates)}); choose one with --metric")
    return candidates[0]


def _steps_per_epoch(state: Mapping[str, Any]) -> int:
    """Steps per epoch from the latest entry (HF logs epoch = step / steps per epoch), else from
    ``max_steps`` / ``num_train_epochs``."""
    for entry in reversed(state["log_history"]):
        epoch = finite_float(entry.get("epoch")) if isinstance(entry, dict) else None
        if epoch and isinstance(entry.get("step"), int) and entry["step"] > 0:
            return max(1, round(entry["step"] / epoch))
    max_steps, epochs = state.get("max_steps"), finite_float(state.get("num_train_epochs"))
    if isinstance(max_steps, int) and epochs:
        return max(1, math.ceil(max_steps / epochs))
    return 1


def _model_name(run_dir: Path) -> str:
    """The model's ``_name_or_path`` from the run's ``config.json`` (plain JSON), if it has one."""
    try:
        config = json.loads((run_dir / MODEL_CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "unknown"
    name = config.get("_name_or_path") if isinstance(config, dict) else None
    return name if isinstance(name, str) and name else "unknown"


def _train_points(state: Mapping[str, Any], steps_per_epoch: int) -> list[TrainPoint]:
    """The logged training losses (``loss`` entries), each with its learning rate (NaN if none)."""
    points = []
    for entry in state["log_history"]:
        if isinstance(entry, dict) and isinstance(entry.get("step"), int) and is_number(entry.get("loss")):
            rate = finite_float(entry.get("learning_rate"))
            points.append(TrainPoint(step=entry["step"], epoch=entry["step"] / steps_per_epoch,
                                     loss=float(entry["loss"]), lr=math.nan if rate is None else rate))
    return points


def _whole_number(state: Mapping[str, Any], key: str, default: int) -> int:
    """An integer field of the state, or ``default`` when it is absent or not an integer."""
    value = state.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def run_from_trainer_state(path: Path, state: Mapping[str, Any], metric: str,
                           greater_is_better: bool) -> ImportedRun:
    """One run (seeds still 0) from a decoded ``trainer_state.json`` at ``path``. Of several evals
    at one step (a final ``trainer.evaluate()`` after training) the first, scheduled one is kept."""
    steps_per_epoch = _steps_per_epoch(state)
    evals: list[EvalPoint] = []
    for entry in _eval_entries(state):
        score = entry.get(metric)
        if not isinstance(score, (int, float)) or isinstance(score, bool) or (
                evals and entry["step"] <= evals[-1].step):
            continue
        metrics = {key: float(value) for key, value in entry.items()
                   if key.startswith(EVAL_PREFIX) and key not in _EVAL_TIMINGS and is_number(value)}
        evals.append(EvalPoint(step=entry["step"], epoch=entry["step"] / steps_per_epoch,
                               score=float(score), metrics=metrics))
    if not evals:
        raise ImportInputError(f"{path}: no eval entry with {metric}")
    trains = _train_points(state, steps_per_epoch)
    global_step = _whole_number(state, "global_step", evals[-1].step)
    total_steps = max(_whole_number(state, "max_steps", 0), global_step, evals[-1].step)
    runtime = next((finite_float(entry.get("train_runtime")) for entry in state["log_history"]
                    if isinstance(entry, dict) and "train_runtime" in entry), None)
    eval_steps = _whole_number(state, "eval_steps", 0)
    evals_per_epoch = (round(steps_per_epoch / eval_steps) if eval_steps
                       else round(len(evals) * steps_per_epoch / total_steps))
    learning_rates = [point.lr for point in trains if math.isfinite(point.lr)]
    return ImportedRun(
        source=str(path), metric=metric, greater_is_better=greater_is_better, evals=evals, trains=trains,
        total_steps=total_steps, steps_per_epoch=steps_per_epoch, evals_per_epoch=max(1, evals_per_epoch),
        completed=global_step >= total_steps,
        batch_size=_whole_number(state, "train_batch_size", 0),
        lr=max(learning_rates) if learning_rates else math.nan,
        seconds_per_step=runtime / max(1, global_step) if runtime else 1.0,
        end_time=path.stat().st_mtime, model=_model_name(path.parent),
        details={key: state[key] for key in _KEPT_FIELDS if key in state and (
            state[key] is None or isinstance(state[key], (int, float, str)))},
    )
