"""One trial, after its flags are parsed: load and check everything, then write the log and train.

``prepare_trial`` raises ``BadInput`` before anything is written; ``run_trial`` owns the log from
its ``start`` (or ``resume``) event to its ``end``. The entry point is ``trainers.finetune``.
"""

from __future__ import annotations

import copy
import os
import socket
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from seedtui.log import EVENTS_FILE, SCHEMA_VERSION, EventWriter, trial_id
from seedtui.log.files import STOP_REQUEST_FILE, checkpoint_path, delete_checkpoint
from seedtui.policy.schedule import ScheduledEval, eval_schedule, steps_per_epoch
from seedtui.policy.tfp_rule import suspend_step
from trainers.checkpoint import (
    LoopPosition,
    load_checkpoint,
    restore_rng_states,
)
from trainers.config import (
    ADDED_FIELD_DEFAULTS,
    EXIT_FAILED,
    EXIT_OK,
    BadInput,
    TrainerConfig,
    default_cache_dir,
)
from trainers.control import StopFlag
from trainers.data import load_task_data
from trainers.loop import LoopOutcome, TrialLoop, TrialRun
from trainers.metrics import majority_baseline, primary_metric
from trainers.model import (
    HEAD_INIT_STD,
    NUM_LABELS,
    init_new_head,
    load_tokenizer_and_model,
    make_optimizer,
    make_scheduler,
)
from trainers.progress import Progress
from trainers.seeding import seed_random_streams
from trainers.tokenize_cache import TokenizedSplit, tokenize_with_cache, tokenizer_fingerprint


@dataclass
class SharedInputs:
    """What every trial of one sweep loads the same way: the device, the tokenized data and the
    pretrained model (its new head not drawn yet). Loaded once per process; the multi-trial worker
    (``trainers.pack``) gives each of its trials a copy of ``model``."""

    key: tuple[Any, ...]
    """``shared_key`` of the config it was loaded for: a trial with another key cannot share it."""
    device: torch.device
    model: torch.nn.Module
    new_head: list[str]
    pad_token_id: int
    train_split: TokenizedSplit
    eval_split: TokenizedSplit
    metric: str
    majority_baseline: float


@dataclass
class PreparedTrial:
    """Everything checked and loaded before the log is opened: the inputs the trial shares with its
    sweep, its own model and, for --resume, its checkpoint."""

    config: TrainerConfig
    shared: SharedInputs
    model: torch.nn.Module
    """This trial's model: ``shared.model`` itself for a trial alone, a copy of it in a pack."""
    checkpoint: dict[str, Any] | None


SHARED_FIELDS = ("task", "model", "data_dir", "train_file", "eval_file", "text_column", "text_pair_column",
                 "label_column", "metric", "max_seq_length", "train_limit", "eval_limit", "device",
                 "num_threads", "cache_dir", "deterministic")
"""The config fields ``load_shared_inputs`` reads: trials equal in these share one load."""


def shared_key(config: TrainerConfig) -> tuple[Any, ...]:
    return tuple(getattr(config, name) for name in SHARED_FIELDS)


def load_shared_inputs(config: TrainerConfig, progress: Progress | None = None) -> SharedInputs:
    """Resolve the device, load and tokenize the data, load the model. Raises BadInput."""
    progress = progress or Progress.disabled()
    device = resolve_device(config.device, config.deterministic)
    if config.num_threads is not None:
        torch.set_num_threads(config.num_threads)
    progress.say(f"loading {config.task} data" + (f" from {config.data_dir}" if config.data_dir else ""))
    data = load_task_data(config)
    progress.say(f"loading the tokenizer and model {config.model}")
    tokenizer, model, new_head = load_tokenizer_and_model(config)
    pad_token_id = tokenizer.pad_token_id
    if pad_token_id is None:  # decoder-only models ship without one; any id works under the mask
        pad_token_id = tokenizer.eos_token_id if tokenizer.eos_token_id is not None else 0
        model.config.pad_token_id = pad_token_id  # type: ignore[union-attr]
    cache_dir = config.cache_dir or default_cache_dir()
    tokenizer_hash = tokenizer_fingerprint(tokenizer)
    kept_in = f"cached in {cache_dir}" if cache_dir is not None else "not cached: SEEDTUI_CACHE_DIR=off"
    progress.say(f"tokenizing {len(data.train.labels)} training and {len(data.eval.labels)} eval examples "
                 f"({kept_in})")
    train_split, _ = tokenize_with_cache(tokenizer, data.train, config.max_seq_length, cache_dir,
                                         tokenizer_hash)
    eval_split, _ = tokenize_with_cache(tokenizer, data.eval, config.max_seq_length, cache_dir,
                                        tokenizer_hash)
    metric = primary_metric(config.task, config.metric)
    baseline = majority_baseline(config.task, data.train.labels, data.eval.labels, config.metric)
    return SharedInputs(shared_key(config), device, model, new_head, pad_token_id, train_split, eval_split,
                        metric, baseline)


def prepare_trial(config: TrainerConfig, stop: StopFlag, progress: Progress | None = None, *,
                  shared: SharedInputs | None = None) -> PreparedTrial:
    """Resolve the device, load data, model and (for --resume) the checkpoint. Raises BadInput.

    With ``shared`` (loaded for a config of the same ``shared_key``) the trial trains a copy of its
    model instead of loading its own."""
    progress = progress or Progress.disabled()
    trial_dir = Path(config.trial_dir)
    if config.resume and not checkpoint_path(trial_dir).is_file():
        raise BadInput(f"--resume: no checkpoint at {checkpoint_path(trial_dir)}")
    if shared is None:
        shared = load_shared_inputs(config, progress)
        model = shared.model
    elif shared.key != shared_key(config):
        pairs = zip(SHARED_FIELDS, shared.key, shared_key(config), strict=True)
        differ = [name for name, mine, theirs in pairs if mine != theirs]
        raise BadInput(f"this process holds the model and data of another configuration ({', '.join(differ)} "
                       f"differ)")
    else:
        model = copy.deepcopy(shared.model)
    checkpoint = None
    if config.resume:
        progress.say(f"loading the checkpoint in {checkpoint_path(trial_dir).parent}")
        checkpoint = load_checkpoint(trial_dir)
        _check_resumable(config, checkpoint["config"])
    elif not stop.requested:
        # A fresh trial replaces whatever an earlier run left in its directory.
        delete_checkpoint(trial_dir)
        (trial_dir / STOP_REQUEST_FILE).unlink(missing_ok=True)
        (trial_dir / EVENTS_FILE).unlink(missing_ok=True)
    return PreparedTrial(config, shared, model, checkpoint)


def resolve_device(requested: str, deterministic: bool) -> torch.device:
    if requested == "cuda" and not torch.cuda.is_available():
        raise BadInput("--device cuda: no CUDA device is available")
    device = torch.device("cuda" if requested != "cpu" and torch.cuda.is_available() else "cpu")
    if deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # must precede CUDA's first matmul
        torch.use_deterministic_algorithms(True)
    elif device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    return device


def _check_resumable(config: TrainerConfig, saved: dict[str, Any]) -> None:
    current = config.training_fields()
    saved = {**ADDED_FIELD_DEFAULTS, **saved}  # a checkpoint older than a field was trained with its default
    changed = [key for key, value in current.items() if saved.get(key) != value]
    if changed:
        details = ", ".join(f"{key}: {saved.get(key)!r} -> {current[key]!r}" for key in changed)
        raise BadInput(f"--resume with a different configuration than the checkpoint's ({details})")


def run_trial(prepared: PreparedTrial, stop: StopFlag, progress: Progress | None = None) -> int:
    """Write start (or resume), train, write end. Returns the exit code."""
    trial = ActiveTrial(prepared, stop, progress)
    while (exit_code := trial.advance()) is None:
        pass
    return exit_code


class ActiveTrial:
    """One trial from its ``start`` (or ``resume``) event to its ``end``: the constructor writes the
    first, ``advance`` trains one step at a time and returns the exit code once the ``end`` is written.
    ``run_trial`` advances one to its end; the multi-trial worker (``trainers.pack``) interleaves several."""

    def __init__(self, prepared: PreparedTrial, stop: StopFlag, progress: Progress | None = None) -> None:
        config = prepared.config
        self.config = config
        self.progress = progress or Progress.disabled()
        steps_in_epoch = steps_per_epoch(len(prepared.shared.train_split), config.batch_size)
        total_steps = steps_in_epoch * config.epochs
        schedule = eval_schedule(steps_in_epoch, config.evals_per_epoch, config.epochs,
                                 protocol=config.protocol)
        milestone = None
        if config.stop_at_fraction is not None:
            milestone = suspend_step(config.stop_at_fraction, [scheduled.step for scheduled in schedule])
        self.position = LoopPosition() if prepared.checkpoint is None else prepared.checkpoint["position"]
        epochs = f"{config.epochs} epoch{'s' if config.epochs != 1 else ''}"
        self.progress.say(f"training on {prepared.shared.device}: {total_steps} steps ({epochs} of "
                          f"{steps_in_epoch}), {len(schedule)} evals"
                          + (f", from step {self.position.step}" if self.position.step else "")
                          + f"; log in {Path(config.trial_dir) / EVENTS_FILE}")
        self.writer = EventWriter(Path(config.trial_dir) / EVENTS_FILE)
        if prepared.checkpoint is None:
            self.writer.write("start", **_start_fields(prepared, steps_in_epoch, total_steps))
        else:
            self.writer.write("resume", step=self.position.step, pid=os.getpid(), host=socket.gethostname(),
                              device=str(prepared.shared.device))
        self.loop: TrialLoop | None = None
        self.failure: LoopOutcome | None = None
        try:
            run = _build_run(prepared, self.writer, stop, steps_in_epoch, total_steps, schedule, milestone)
            run.progress = self.progress
            if prepared.checkpoint is not None:
                _restore(run, prepared.checkpoint)
            self.loop = TrialLoop(run, self.position)
        except Exception as error:
            self.failure = self._failed(error)

    def _failed(self, error: Exception) -> LoopOutcome:
        traceback.print_exc(file=sys.stderr)
        return LoopOutcome("failed", self.position.step, f"{type(error).__name__}: {error}")

    def advance(self) -> int | None:
        """One optimizer step (see ``TrialLoop.advance``); the exit code once the trial has ended."""
        outcome = self.failure
        if outcome is None:
            assert self.loop is not None
            try:
                outcome = self.loop.advance()
            except Exception as error:
                outcome = self._failed(error)
            if outcome is None:
                return None
        self.loop = None  # the model and optimizer can go
        self.writer.write("end", status=outcome.status, step=outcome.step, reason=outcome.reason,
                          **outcome.extra)
        self.writer.close()
        self.progress.say(f"{outcome.status} at step {outcome.step}: {outcome.reason}")
        if outcome.status == "completed":
            delete_checkpoint(self.config.trial_dir)
        return EXIT_FAILED if outcome.status == "failed" else EXIT_OK


def _start_fields(prepared: PreparedTrial, steps_in_epoch: int, total_steps: int) -> dict[str, Any]:
    config = prepared.config
    return {
        "schema": SCHEMA_VERSION,
        "trial": trial_id(config.wi_seed, config.do_seed),
        "wi_seed": config.wi_seed,
        "do_seed": config.do_seed,
        "dropout_seed": config.effective_dropout_seed,
        "task": config.task,
        "model": config.model,
        "metric": prepared.shared.metric,
        "greater_is_better": True,
        "epochs": config.epochs,
        "steps_per_epoch": steps_in_epoch,
        "total_steps": total_steps,
        "evals_per_epoch": config.evals_per_epoch,
        "batch_size": config.batch_size,
        "lr": config.lr,
        "train_size": len(prepared.shared.train_split),
        "eval_size": len(prepared.shared.eval_split),
        "majority_baseline": prepared.shared.majority_baseline,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "device": str(prepared.shared.device),
        "resumable": config.stop_at_fraction is not None,
        "num_labels": NUM_LABELS,
        "head_init_std": HEAD_INIT_STD,
        "config": config.to_dict(),
    }


def _build_run(prepared: PreparedTrial, writer: EventWriter, stop: StopFlag, steps_in_epoch: int,
               total_steps: int, schedule: list[ScheduledEval], milestone: int | None) -> TrialRun:
    config, shared = prepared.config, prepared.shared
    streams = seed_random_streams(config.wi_seed, config.do_seed, config.effective_dropout_seed)
    init_new_head(prepared.model, shared.new_head, streams.head_init)
    model = prepared.model.to(shared.device)
    optimizer = make_optimizer(model, config, shared.device)
    return TrialRun(
        config=config, metric=shared.metric, model=model, optimizer=optimizer,
        scheduler=make_scheduler(optimizer, config, total_steps, train_size=len(shared.train_split)),
        train_split=shared.train_split, eval_split=shared.eval_split, pad_token_id=shared.pad_token_id,
        device=shared.device, streams=streams, writer=writer, stop=stop, steps_per_epoch=steps_in_epoch,
        total_steps=total_steps,
        schedule=schedule, milestone=milestone,
    )


def _restore(run: TrialRun, checkpoint: dict[str, Any]) -> None:
    """Put the model, optimizer, scheduler and RNGs back where the suspended run left them."""
    run.model.load_state_dict(checkpoint["model"])
    run.optimizer.load_state_dict(checkpoint["optimizer"])
    run.scheduler.load_state_dict(checkpoint["scheduler"])
    restore_rng_states(checkpoint["rng"])

