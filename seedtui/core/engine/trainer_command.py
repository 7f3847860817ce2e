"""The built-in trainer's command line for one trial, built from the trainer's own config.

The sweep's ``[trainer]`` and ``[data]`` tables become a ``trainers.config.TrainerConfig`` per
trial, and ``trainers.config.to_argv`` writes its flags: the engine never spells a trainer flag
itself, so a value the engine accepts is a value the trainer parses. ``check_trainer_accepts``
runs the trainer's own parser and checks on the command line of the first trial when a config is
loaded, so a sweep the trainer would refuse (exit 2 at launch) is refused before anything starts.
``trainers.config`` imports no torch, so the light install can do this.

A sweep whose ``[trainer]`` has a ``command`` (any training script: docs/byo-trainer.md) runs
that command instead, its placeholders filled from the trial's ``TrialEnvironment``, under the
small wrapper ``seedtui.core.engine.command_trial`` that gives it the same values as environment
variables and records its process in the event log.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from seedtui.core.engine.config import SweepConfig
from seedtui.core.engine.config_table import ConfigError
from seedtui.log.files import TRIALS_DIR
from seedtui.log.trial_env import TrialEnvironment
from trainers.config import PROTOCOL_PRESETS, BadInput, TrainerConfig, check_config, parse_config, to_argv

TRAINER_MODULE = "trainers.finetune"
COMMAND_WRAPPER_MODULE = "seedtui.core.engine.command_trial"

# The sweep config key that sets each trainer flag, to name the key when the trainer refuses it.
_KEY_OF_FLAG = {
    "--epochs": "trainer.epochs", "--batch-size": "trainer.batch_size", "--lr": "trainer.lr",
    "--max-seq-length": "trainer.max_seq_length", "--warmup-ratio": "trainer.warmup_ratio",
    "--evals-per-epoch": "trainer.evals_per_epoch", "--device": "trainer.device",
    "--protocol": "trainer.protocol",
    "--dropout-seed": "trainer.dropout_seed", "--train-limit": "data.train_limit",
    "--eval-limit": "data.eval_limit", "--data-dir": "data.dir", "--cache-dir": "data.cache_dir",
    "--task": "task", "--model": "model", "--wi-seed": "wi_seeds", "--do-seed": "do_seeds",
}


def trainer_config(config: SweepConfig, wi_seed: int, do_seed: int, directory: Path, *, device: str,
                   stop_at_fraction: float | None = None, resume: bool = False) -> TrainerConfig:
    """The trainer's config for one trial of the sweep (the same on resume, plus ``resume``).

    The weight decay (no ``[trainer]`` key; ``extra_args`` may set it) is the protocol's preset
    (``PROTOCOL_PRESETS``; ``[trainer] warmup_ratio`` defaults to its preset when the config is read), so
    the command line says every value the trial trains with; ``extra_args`` come after it and win."""
    trainer = config.trainer
    preset = PROTOCOL_PRESETS[trainer.protocol]
    return TrainerConfig(
        task=config.task, model=config.model or "", trial_dir=str(directory),
        data_dir=None if config.data.dir is None else str(config.data.dir),
        wi_seed=wi_seed, do_seed=do_seed, dropout_seed=trainer.dropout_seed,
        epochs=trainer.epochs, batch_size=trainer.batch_size, lr=trainer.lr,
        max_seq_length=trainer.max_seq_length, warmup_ratio=trainer.warmup_ratio,
        weight_decay=preset["weight_decay"], protocol=trainer.protocol,
        evals_per_epoch=trainer.evals_per_epoch, train_limit=config.data.train_limit,
        eval_limit=config.data.eval_limit, stop_at_fraction=stop_at_fraction, resume=resume,
        device=device if trainer.device == "auto" else trainer.device,
        cache_dir=None if config.data.cache_dir is None else str(config.data.cache_dir),
    )


def trainer_arguments(config: SweepConfig, wi_seed: int, do_seed: int, directory: Path, *, device: str,
                      stop_at_fraction: float | None = None, resume: bool = False) -> list[str]:
    """The trainer's flags for one trial (without the interpreter), ``extra_args`` last."""
    trial = trainer_config(config, wi_seed, do_seed, directory, device=device,
                           stop_at_fraction=stop_at_fraction, resume=resume)
    # without a model in the sweep, the trainer picks its default where it runs
    omit = frozenset() if config.model else frozenset({"model"})
    return to_argv(trial, omit=omit) + list(config.trainer.extra_args)


def trainer_argv(config: SweepConfig, wi_seed: int, do_seed: int, directory: Path, *, device: str,
                 stop_at_fraction: float | None = None, resume: bool = False) -> list[str]:
    """The whole command line: ``python -m trainers.finetune`` and the trial's flags, or, with a
    ``[trainer] command``, that command under the wrapper (``command_trial``)."""
    if config.trainer.command is not None:
        trial = TrialEnvironment(trial_dir=Path(directory), wi_seed=wi_seed, do_seed=do_seed,
                                 device=device if config.trainer.device == "auto" else config.trainer.device,
                                 stop_at_fraction=stop_at_fraction, resume=resume)
        return command_wrapper_argv(config, trial)
    return [sys.executable, "-m", TRAINER_MODULE,
            *trainer_arguments(config, wi_seed, do_seed, directory, device=device,
                               stop_at_fraction=stop_at_fraction, resume=resume)]


# --- a command template ([trainer] command) ------------------------------------------------------


def command_wrapper_argv(config: SweepConfig, trial: TrialEnvironment) -> list[str]:
    """``python -m seedtui.core.engine.command_trial`` with the trial's values, ``--``, the
    command template. The wrapper fills the placeholders where it runs (on a Ray node the trial
    directory and the interpreter are the node's). Its own command line names the trial directory,
    which is how the engine recognises the trial's process before signalling it."""
    assert config.trainer.command is not None
    flags = ["--trial-dir", str(trial.trial_dir), "--wi-seed", str(trial.wi_seed),
             "--do-seed", str(trial.do_seed), "--device", trial.device, "--task", config.task,
             "--model", config.model or "", "--workdir", str(config.trainer.workdir or Path.cwd())]
    if trial.stop_at_fraction is not None:
        flags += ["--stop-at-fraction", repr(trial.stop_at_fraction)]
    if trial.resume:
        flags.append("--resume")
    return [sys.executable, "-m", COMMAND_WRAPPER_MODULE, *flags, "--", *config.trainer.command]


class _ArgparseRefused(Exception):
    pass


def check_trainer_accepts(config: SweepConfig) -> None:
    """Raise ConfigError (naming the key) when the trainer would refuse the sweep's trials.

    Parses the command lines of the first and last trials and of the smallest seeds (the seeds are
    all that differs between trials) with the trainer's own parser and checks, as the trainer does at
    start, with a t/f/p milestone when the policy sets one."""
    if not config.wi_seeds or not config.do_seeds or config.trainer.command is not None:
        return  # a command template is the user's own program: seedtui cannot parse its flags
    fraction = config.policy.tfp.f if config.policy.tfp is not None else None
    placeholder = config.sweep_dir / TRIALS_DIR / "_check"
    pairs = {(config.wi_seeds[0], config.do_seeds[0]), (config.wi_seeds[-1], config.do_seeds[-1]),
             (min(config.wi_seeds), min(config.do_seeds))}
    for wi, do in sorted(pairs):
        arguments = trainer_arguments(config, wi, do, placeholder, device="cpu", stop_at_fraction=fraction)
        try:
            check_config(_parse_quietly(arguments))
        except _ArgparseRefused as refused:
            raise ConfigError(_key_for(str(refused), config), f"the trainer refuses it: {refused}") from None
        except BadInput as error:
            raise ConfigError(_key_for(str(error), config), f"the trainer refuses it: {error}") from None


def _parse_quietly(arguments: list[str]) -> TrainerConfig:
    """``parse_config`` with argparse's usage message and exit turned into an exception."""
    import contextlib
    import io

    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured):
            return parse_config(arguments)
    except SystemExit:
        lines = [line for line in captured.getvalue().splitlines() if "error:" in line]
        message = lines[-1].split("error:", 1)[1].strip() if lines else "its command line is invalid"
        raise _ArgparseRefused(message) from None


def _key_for(message: str, config: SweepConfig) -> str:
    flags = re.findall(r"--[a-z][a-z-]*", message)
    for flag in flags:
        if flag in _KEY_OF_FLAG:
            return _KEY_OF_FLAG[flag]
    return "trainer.extra_args" if config.trainer.extra_args else "trainer"
