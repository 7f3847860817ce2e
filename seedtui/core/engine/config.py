"""The sweep configuration: a TOML file, validated into a ``SweepConfig``.

Every problem is reported as a ``ConfigError`` naming the key (``policy.tfp.p``) and what is
wrong with it, so ``seedtui run`` can print it and exit 2 before anything is launched. Relative
paths are resolved against the directory of the config file, so a sweep can be started from
anywhere; the resolved configuration (absolute paths, expanded seed lists) is written to
``SWEEP_DIR/sweep.toml`` by :func:`write_resolved_config`. The layout is documented by
``examples/sweep.toml``.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from seedtui.core.engine.config_table import (
    ConfigError,
    Table,
    kind_of,
    looks_like_local_path,
    model_path_problem,
)
from seedtui.core.engine.tomlwrite import dumps_toml
from seedtui.log.atomic_file import write_text_atomically
from seedtui.log.trial_env import command_problem
from seedtui.policy.schedule import PROTOCOLS, planned_eval_count

TASKS = ("rte", "mrpc", "cola", "sst2", "custom")
BACKENDS = ("local", "ray")
RULES = ("none", "tfp", "asha")


@dataclass(frozen=True)
class DataConfig:
    dir: Path | None = None
    """Local GLUE-layout directory (train.tsv, dev.tsv); None loads the task from the hub."""
    train_limit: int | None = None
    eval_limit: int | None = None
    cache_dir: Path | None = None
    """Where the trainer caches tokenized tensors (shared by the sweep's trials)."""


@dataclass(frozen=True)
class TrainerSettings:
    """The ``[trainer]`` table: what every trial of the sweep passes to the trainer. The trainer's
    own config (``trainers.config.TrainerConfig``) is built from it per trial by
    ``seedtui.core.engine.trainer_command``, and checked by the trainer's own rules at load."""

    epochs: int = 3
    batch_size: int = 16
    lr: float = 2e-5
    max_seq_length: int = 128
    warmup_ratio: float = 0.0
    """When the table has none, the protocol's (``trainers.config.PROTOCOL_PRESETS``: 0, or 0.1 under
    ``dodge2020``), so ``sweep.toml`` records the value the trials use."""
    evals_per_epoch: int = 10
    protocol: str = "default"
    """The built-in trainer's ``--protocol``: ``default`` or ``dodge2020`` (docs/protocol.md)."""
    device: str = "auto"
    """``auto`` gives ``cuda`` on a GPU slot and ``cpu`` otherwise."""
    dropout_seed: int | None = None
    extra_args: tuple[str, ...] = ()
    """Passed to the trainer verbatim (e.g. the column names of a custom task)."""
    command: tuple[str, ...] | None = None
    """Any training script instead of the built-in trainer: the command line with placeholders
    (``{wi}``, ``{do}``, ``{trial_dir}``, ...; see docs/byo-trainer.md). None runs the built-in one."""
    workdir: Path | None = None
    """Where ``command`` runs: the config file's directory unless ``[trainer] workdir`` says."""


@dataclass(frozen=True)
class ResourcesConfig:
    gpus: str | tuple[int, ...] = "auto"
    trials_per_gpu: int = 1
    max_concurrent: int = 1
    """Trials run at once when there is no GPU."""
    kill_grace_s: float = 15.0
    """Seconds between SIGTERM and SIGKILL when a trial is stopped."""
    backend: str = "local"
    """``local`` (this machine) or ``ray`` (a Ray cluster; see docs/ray.md)."""
    address: str | None = None
    """The Ray cluster: ``auto``, ``HOST:6379``, ``ray://HOST:10001``; None starts a private one."""
    ray_gpus_per_trial: float = 0.0
    ray_cpus_per_trial: float = 1.0
    ray_resources: dict[str, float] = field(default_factory=dict)
    ray_shared_storage: bool = False
    requeue_on_node_failure: bool = False
    """Ray: a trial whose node died runs again; local with ``trials_per_process`` > 1: a trial whose
    multi-trial worker died runs again (otherwise it is marked failed)."""
    trials_per_process: int = 1
    """Trials one process trains at once (the multi-trial worker, ``trainers.pack``; built-in trainer
    and local backend only): every slot becomes one worker holding this many. 1: a process per trial."""
    max_checkpoint_gb: float | None = None
    """Cap on the sweep's checkpoints (GB of 10^9 bytes): a t/f/p cohort trial is not launched while
    its checkpoint would take them past it (docs/engine.md, "Disk"); None: no cap."""


@dataclass(frozen=True)
class TfpConfig:
    t: int
    f: float
    p: int


@dataclass(frozen=True)
class AshaConfig:
    reduction_factor: float = 4.0
    min_fraction: float = 0.25


@dataclass(frozen=True)
class DivergenceConfig:
    min_fraction: float = 0.3
    tolerance: float = 1e-9


@dataclass(frozen=True)
class PolicyConfig:
    rule: str = "none"
    order_seed: int = 0
    """Seeds the random order in which grid trials are launched under a policy."""
    tfp: TfpConfig | None = None
    asha: AshaConfig | None = None
    divergence: DivergenceConfig | None = None
    """The divergence rule runs beside any rule when this is set (off by default)."""


@dataclass(frozen=True)
class SweepConfig:
    name: str
    sweep_dir: Path
    task: str
    model: str | None
    data: DataConfig
    trainer: TrainerSettings
    wi_seeds: tuple[int, ...]
    do_seeds: tuple[int, ...]
    resources: ResourcesConfig = field(default_factory=ResourcesConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    source: Path | None = None
    notes: tuple[str, ...] = ()
    """What loading adjusted, said to the user (e.g. ``f`` snapped to a scheduled evaluation)."""

    @property
    def evals_per_trial(self) -> int:
        """Scheduled evaluations of a full training (an epoch shorter than ``evals_per_epoch``
        steps makes fewer; the trainer then snaps to its own schedule)."""
        return planned_eval_count(self.trainer.evals_per_epoch, self.trainer.epochs,
                                  protocol=self.trainer.protocol)

    @property
    def grid(self) -> list[tuple[int, int]]:
        """Every (WI, DO) pair, WI-major."""
        return [(wi, do) for wi in self.wi_seeds for do in self.do_seeds]

    def with_policy(self, policy: PolicyConfig) -> SweepConfig:
        return replace(self, policy=policy)


# --- reading -----------------------------------------------------------------------------------


_RANGE = re.compile(r"^\s*(-?\d+)\s*-\s*(-?\d+)\s*$")


MAX_RANGE_NUMBERS = 1_000_000
"""More numbers than any sweep or plan can use: a range beyond it is refused before it is expanded
(``"0-4294967295"`` would otherwise fill the memory)."""


def _int_spans(text: str, key: str, so_far: int = 0) -> list[tuple[int, int]]:
    """The inclusive (low, high) spans of ``"1-5, 9, 12-13"`` in the order written; ``so_far``
    numbers were read before (for the cap)."""
    spans: list[tuple[int, int]] = []
    for piece in text.split(","):
        piece = piece.strip()
        match = _RANGE.match(piece)
        if match:
            low, high = int(match.group(1)), int(match.group(2))
            if high < low:
                raise ConfigError(key, f"range {piece!r} is empty (the end is below the start)")
        elif re.fullmatch(r"-?\d+", piece):
            low = high = int(piece)
        else:
            raise ConfigError(key, f"{piece!r} is neither a whole number nor a range like \"1-25\"")
        so_far += high - low + 1
        if so_far > MAX_RANGE_NUMBERS:
            raise ConfigError(key, f"range {piece!r} makes more than {MAX_RANGE_NUMBERS:,} numbers")
        spans.append((low, high))
    return spans


def _expand(spans: list[tuple[int, int]]) -> list[int]:
    numbers: list[int] = []
    for low, high in spans:
        numbers.extend(range(low, high + 1))
    return numbers


def parse_int_ranges(text: str, key: str) -> list[int]:
    """The integers of ``"1-5, 9, 12-13"`` in the order written (ranges inclusive): the one reader of
    number ranges, for seeds in a config and for the CLI's ``--budgets``. Raises ConfigError naming
    ``key``."""
    return _expand(_int_spans(text, key))


def _first_repeat(spans: list[tuple[int, int]]) -> int | None:
    """The smallest number that two spans share, or None: the spans sorted by their start, a span
    that starts at or below the highest end so far repeats its start (and nothing smaller repeats,
    or an earlier span would have). Linear after the sort, with no set of every seed."""
    highest: int | None = None
    for low, high in sorted(spans):
        if highest is not None and low <= highest:
            return low
        highest = high if highest is None else max(highest, high)
    return None


def parse_seeds(value: Any, key: str) -> tuple[int, ...]:
    """Seeds from an int, a list of ints and ranges, or a string such as ``"1-25"`` or
    ``"1-5, 9, 12-13"`` (ranges are inclusive). Duplicates are an error. Linear in the number of
    seeds (``"1-100000"`` is read in milliseconds)."""
    parts: list[Any] = value if isinstance(value, list) else [value]
    spans: list[tuple[int, int]] = []
    count = 0
    for part in parts:
        if isinstance(part, bool):
            raise ConfigError(key, f"a seed must be an integer, not {kind_of(part)}")
        if isinstance(part, int):
            spans.append((part, part))
            count += 1
            continue
        if not isinstance(part, str):
            raise ConfigError(key, f"must hold integers or ranges like \"1-25\", not {kind_of(part)}")
        more = _int_spans(part, key, so_far=count)
        count += sum(high - low + 1 for low, high in more)
        spans.extend(more)
    if not spans:
        raise ConfigError(key, "holds no seeds")
    repeat = _first_repeat(spans)
    if repeat is not None:
        raise ConfigError(key, f"seed {repeat} is listed twice")
    return tuple(_expand(spans))


def _path(base: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def load_sweep_config(path: Path) -> SweepConfig:
    """Read and validate a sweep configuration; raises ConfigError naming the key on bad input."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("", f"config file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError("", f"cannot read {path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError("", f"{path} is not valid TOML: {error}") from None
    return parse_sweep_config(raw, base=path.resolve().parent, source=path.resolve())


def parse_sweep_config(raw: dict[str, Any], *, base: Path, source: Path | None = None) -> SweepConfig:
    """Validate a decoded TOML document (relative paths are taken from ``base``)."""
    top = Table(raw, "")
    name = top.string("name", required=True)
    assert name is not None
    if not re.fullmatch(r"[A-Za-z0-9._-]+", name):
        raise ConfigError("name", f"{name!r} may hold only letters, digits, '.', '_' and '-'")
    sweep_dir_value = top.string("sweep_dir", f"runs/{name}")
    assert sweep_dir_value is not None
    task = top.string("task", required=True)
    trainer = _parse_trainer(top.table("trainer"), base)
    if trainer.command is not None:  # the user's own script: the task is only its label
        if not re.fullmatch(r"[A-Za-z0-9._-]+", task or ""):
            raise ConfigError("task", f"{task!r} may hold only letters, digits, '.', '_' and '-'")
    elif task not in TASKS:
        raise ConfigError("task", f"{task!r} is not one of {', '.join(TASKS)}")
    assert task is not None
    model = top.string("model")
    if model is not None and (looks_like_local_path(model) or _path(base, model).exists()):
        model = str(_path(base, model))  # a local checkpoint: make it absolute for sweep.toml
        if (problem := model_path_problem(model)) is not None:
            raise ConfigError("model", problem)
    for key in ("wi_seeds", "do_seeds"):
        if not top.has(key):
            raise ConfigError(key, "is required (a list of seeds or a range like \"1-25\")")
    wi_seeds = parse_seeds(top.get("wi_seeds"), "wi_seeds")
    do_seeds = parse_seeds(top.get("do_seeds"), "do_seeds")
    data = _parse_data(top.table("data"), base, task if trainer.command is None else "")
    resources = _parse_resources(top.table("resources"))
    if resources.trials_per_process > 1 and trainer.command is not None:
        raise ConfigError("resources.trials_per_process",
                          "only the built-in trainer runs several trials in one process; a [trainer] command "
                          "runs one per process")
    notes: list[str] = []
    policy = _parse_policy(top.table("policy"), base, grid_size=len(wi_seeds) * len(do_seeds),
                           evals=planned_eval_count(trainer.evals_per_epoch, trainer.epochs,
                                                    protocol=trainer.protocol), notes=notes)
    top.finish()
    config = SweepConfig(
        name=name, sweep_dir=_path(base, sweep_dir_value), task=task, model=model, data=data,
        trainer=trainer, wi_seeds=wi_seeds, do_seeds=do_seeds, resources=resources, policy=policy,
        source=source, notes=tuple(notes),
    )
    from seedtui.core.engine.trainer_command import check_trainer_accepts

    check_trainer_accepts(config)
    return config


def _parse_data(table: Table, base: Path, task: str) -> DataConfig:
    dir_value = table.string("dir")
    data_dir = _path(base, dir_value) if dir_value else None
    if data_dir is not None and not data_dir.is_dir():
        raise ConfigError(table.key("dir"), f"{data_dir} is not a directory")
    if data_dir is None and task == "custom":
        raise ConfigError(table.key("dir"), "is required for task 'custom'")
    cache = table.string("cache_dir")
    result = DataConfig(
        dir=data_dir,
        train_limit=table.integer("train_limit", None, minimum=1),
        eval_limit=table.integer("eval_limit", None, minimum=1),
        cache_dir=_path(base, cache) if cache else None,
    )
    table.finish()
    return result


def _parse_trainer(table: Table, base: Path) -> TrainerSettings:
    extra = table.get("extra_args", [])
    if not isinstance(extra, list) or not all(isinstance(a, str) for a in extra):
        raise ConfigError(table.key("extra_args"), "must be a list of strings")
    device = table.string("device", "auto")
    assert device is not None
    command = table.get("command")
    if command is not None:
        if not isinstance(command, list) or not all(isinstance(a, str) for a in command):
            raise ConfigError(table.key("command"), "must be a list of strings (a program and its arguments)")
        problem = command_problem(command)
        if problem is not None:
            raise ConfigError(table.key("command"), problem)
    from trainers.config import PROTOCOL_PRESETS  # no torch: the light install reads configs too

    protocol = _protocol(table)
    if command is not None and protocol != "default":
        raise ConfigError(table.key("protocol"), "is an option of the built-in trainer; a [trainer] command "
                                                 "script trains with its own optimizer and schedule")
    result = TrainerSettings(
        epochs=_whole_epochs(table),
        batch_size=table.integer("batch_size", 16, minimum=1) or 16,
        lr=table.number("lr", 2e-5, low=0, low_open=True) or 2e-5,
        max_seq_length=table.integer("max_seq_length", 128, minimum=8) or 128,
        warmup_ratio=table.number("warmup_ratio", PROTOCOL_PRESETS[protocol]["warmup_ratio"], low=0, high=1)
        or 0.0,
        evals_per_epoch=table.integer("evals_per_epoch", 10, minimum=1) or 10,
        protocol=protocol,
        device=device,
        dropout_seed=table.integer("dropout_seed", None),
        extra_args=tuple(extra),
        command=None if command is None else tuple(command),
        workdir=None if command is None else _path(base, table.string("workdir", ".") or "."),
    )
    table.finish()
    return result


def _protocol(table: Table) -> str:
    protocol = table.string("protocol", "default") or "default"
    if protocol not in PROTOCOLS:
        raise ConfigError(table.key("protocol"), f"{protocol!r} is not one of {', '.join(PROTOCOLS)}")
    return protocol


def _whole_epochs(table: Table) -> int:
    """Epochs as the trainer takes them (``--epochs`` is an integer); 3.0 reads as 3."""
    value = table.number("epochs", 3, low=0, low_open=True)
    if value is None or value != int(value):
        raise ConfigError(table.key("epochs"), f"must be a whole number of epochs (the trainer trains whole "
                                               f"epochs), not {value}")
    return int(value)


def _parse_resources(table: Table) -> ResourcesConfig:
    gpus = table.get("gpus", "auto")
    gpu_list: str | tuple[int, ...]
    if gpus == "auto":
        gpu_list = "auto"
    elif isinstance(gpus, list) and all(isinstance(g, int) and not isinstance(g, bool) and g >= 0
                                        for g in gpus):
        gpu_list = tuple(gpus)
    else:
        problem = f"must be \"auto\" or a list of GPU indices, not {kind_of(gpus)}"
        raise ConfigError(table.key("gpus"), problem)
    backend = table.string("backend", "local")
    if backend not in BACKENDS:
        raise ConfigError(table.key("backend"), f"{backend!r} is not one of {', '.join(BACKENDS)}")
    ray_resources = table.get("ray_resources", {})
    if not isinstance(ray_resources, dict) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in ray_resources.values()):
        raise ConfigError(table.key("ray_resources"), "must be a table of resource names to amounts")
    flags: dict[str, bool] = {}
    for name in ("ray_shared_storage", "requeue_on_node_failure"):
        flags[name] = table.get(name, False)
        if not isinstance(flags[name], bool):
            raise ConfigError(table.key(name), f"must be true or false, not {kind_of(flags[name])}")
    result = ResourcesConfig(
        gpus=gpu_list,
        trials_per_gpu=table.integer("trials_per_gpu", 1, minimum=1) or 1,
        max_concurrent=table.integer("max_concurrent", 1, minimum=1) or 1,
        kill_grace_s=table.number("kill_grace_s", 15.0, low=0) or 0.0,
        backend=backend or "local",
        address=table.string("address"),
        ray_gpus_per_trial=table.number("ray_gpus_per_trial", 0.0, low=0) or 0.0,
        ray_cpus_per_trial=table.number("ray_cpus_per_trial", 1.0, low=0, low_open=True) or 1.0,
        ray_resources={str(k): float(v) for k, v in ray_resources.items()},
        ray_shared_storage=flags["ray_shared_storage"],
        requeue_on_node_failure=flags["requeue_on_node_failure"],
        trials_per_process=table.integer("trials_per_process", 1, minimum=1) or 1,
        max_checkpoint_gb=table.number("max_checkpoint_gb", None, low=0, low_open=True),
    )
    if result.max_checkpoint_gb is not None and not math.isfinite(result.max_checkpoint_gb):
        raise ConfigError(table.key("max_checkpoint_gb"), f"must be a finite number of GB, not "
                                                          f"{result.max_checkpoint_gb}")
    if result.trials_per_process > 1 and result.backend != "local":
        raise ConfigError(table.key("trials_per_process"), f"runs several trials in one process only on the "
                                                           f"local backend, not {result.backend!r}")
    from seedtui.core.engine.ray_backend.options import RayOptions, option_problems

    problems = option_problems(RayOptions.from_resources(result))
    if problems:
        raise ConfigError(table.key(problems[0][0]), problems[0][1])
    table.finish()
    return result


def _parse_policy(table: Table, base: Path, *, grid_size: int, evals: int, notes: list[str]) -> PolicyConfig:
    # without a rule, a [policy.tfp] (or tfp = "auto") or a [policy.asha] table says which
    implied = "tfp" if table.has("tfp") else "asha" if table.has("asha") else "none"
    rule = table.string("rule", implied)
    if rule not in RULES:
        raise ConfigError(table.key("rule"), f"{rule!r} is not one of {', '.join(RULES)}")
    order_seed = table.integer("order_seed", 0) or 0
    tfp = asha = divergence = None
    if table.get("tfp") == "auto":
        tfp = _auto_tfp(table, base, grid_size=grid_size, evals=evals, notes=notes)
    elif table.has("tfp") or rule == "tfp":
        tfp = parse_tfp(table.table("tfp"), grid_size=grid_size, evals=evals, notes=notes,
                        required=rule == "tfp")
    if table.has("asha") or rule == "asha":
        sub = table.table("asha")
        asha = AshaConfig(
            reduction_factor=sub.number("reduction_factor", 4.0, low=1, low_open=True) or 4.0,
            min_fraction=sub.number("min_fraction", 0.25, low=0, high=1, low_open=True) or 0.25,
        )
        sub.finish()
    if table.has("divergence"):
        sub = table.table("divergence")
        enabled = sub.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ConfigError(sub.key("enabled"), f"must be true or false, not {kind_of(enabled)}")
        config = DivergenceConfig(
            min_fraction=sub.number("min_fraction", 0.3, low=0, high=1) or 0.0,
            tolerance=sub.number("tolerance", 1e-9, low=0) or 0.0,
        )
        sub.finish()
        divergence = config if enabled else None
    table.finish()
    return PolicyConfig(rule=rule, order_seed=order_seed, tfp=tfp, asha=asha, divergence=divergence)


def parse_tfp(table: Table, *, grid_size: int, evals: int, notes: list[str],
              required: bool = True) -> TfpConfig | None:
    """``[policy.tfp]``: t, p and either f (snapped to the nearest scheduled evaluation) or k."""
    missing = [k for k in ("t", "p") if not table.has(k)]
    if not table.has("f") and not table.has("k"):
        missing.insert(0, "f")
    if missing and required:
        hint = " (or k, the number of evaluations before the decision)" if missing[0] == "f" else ""
        raise ConfigError(table.key(missing[0]), "is required by the tfp rule" + hint)
    if missing:
        table.finish()
        return None
    t = table.integer("t", None, minimum=1)
    f = table.number("f", None, low=0, high=1, low_open=True) if table.has("f") else None
    k = table.integer("k", None, minimum=1) if table.has("k") else None
    p = table.integer("p", None, minimum=1)
    assert t is not None and p is not None
    table.finish()
    if f is not None and k is not None and abs(f - k / evals) > 1e-9:
        raise ConfigError(table.key("k"), f"k = {k} of {evals} evaluations is f = {k / evals:g}, "
                                          f"not f = {f:g}; give one of them")
    return validate_tfp(t, f, p, grid_size=grid_size, evals=evals, k=k, prefix=table.prefix, notes=notes)


def validate_tfp(t: int, f: float | None, p: int, *, grid_size: int, evals: int, k: int | None = None,
                 prefix: str = "policy.tfp", notes: list[str] | None = None) -> TfpConfig:
    """The t/f/p values checked by the one rule (``seedtui.policy.tfp_rule.check_setting``) against
    each other, the grid and the trials' evaluation schedule; ``f`` comes back snapped to k/E.
    Also used for CLI overrides and ``apply_tfp`` (an empty prefix names command-line flags)."""
    from seedtui.policy.tfp_rule import TfpError, check_setting

    def key(name: str) -> str:
        return f"{prefix}.{name}" if prefix else f"--{name}"

    try:
        setting = check_setting(t, f, p, grid_size=grid_size, evals=evals, k=k)
    except TfpError as error:
        raise ConfigError(key(error.field), error.message) from None
    if setting.note and notes is not None:
        notes.append(f"{key('f')}: {setting.note}")
    return TfpConfig(t=setting.t, f=setting.f, p=setting.p)


def _auto_tfp(table: Table, base: Path, *, grid_size: int, evals: int, notes: list[str]) -> TfpConfig:
    """``tfp = "auto"``: the statistics planner's t/f/p for ``budget`` from an earlier sweep
    (t limited to this grid and to the earlier sweep's trials, so the answer can be applied)."""
    budget = table.integer("budget", None, minimum=1)
    source = table.string("source")
    if budget is None:
        raise ConfigError(table.key("budget"), "is required when tfp = \"auto\" (in full trainings)")
    if source is None:
        raise ConfigError(table.key("source"), "is required when tfp = \"auto\" (an earlier sweep dir)")
    source_dir = _path(base, source)
    if not source_dir.is_dir():
        raise ConfigError(table.key("source"), f"{source_dir} is not a directory")
    from seedtui.core.stats.planner import recommend_tfp
    from seedtui.state import load_trials

    try:
        row = recommend_tfp(load_trials(source_dir, skip_train=True), budget, max_t=grid_size)
    except ValueError as error:  # the planner's own message is the useful one
        raise ConfigError(table.key("tfp"), f"the planner could not recommend t/f/p: {error}") from None
    return validate_tfp(int(row.t), float(row.f), int(row.p), grid_size=grid_size, evals=evals,
                        prefix=f"{table.key('tfp')} (auto)", notes=notes)


# --- writing -----------------------------------------------------------------------------------


def config_to_dict(config: SweepConfig) -> dict[str, Any]:
    """The resolved configuration as a TOML-ready dict (absolute paths, explicit seed lists)."""
    policy: dict[str, Any] = {"rule": config.policy.rule, "order_seed": config.policy.order_seed}
    for name in ("tfp", "asha", "divergence"):
        value = getattr(config.policy, name)
        if value is not None:
            policy[name] = _drop_none(vars(value))
    return {
        "name": config.name,
        "sweep_dir": str(config.sweep_dir),
        "task": config.task,
        **({"model": config.model} if config.model else {}),
        "wi_seeds": list(config.wi_seeds),
        "do_seeds": list(config.do_seeds),
        "data": _drop_none({k: str(v) if isinstance(v, Path) else v for k, v in vars(config.data).items()}),
        "trainer": _drop_none({k: list(v) if isinstance(v, tuple) else str(v) if isinstance(v, Path) else v
                               for k, v in vars(config.trainer).items()}),
        "resources": _drop_none({k: list(v) if isinstance(v, tuple) else v
                                 for k, v in vars(config.resources).items()}),
        "policy": policy,
    }


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def write_resolved_config(config: SweepConfig, path: Path) -> None:
    """Write ``sweep.toml`` atomically (a reader never sees half a file)."""
    header = "# The resolved sweep configuration, written by seedtui (absolute paths, expanded seeds).\n"
    if config.source is not None:
        header += f"# From {config.source}\n"
    write_text_atomically(path, header + dumps_toml(config_to_dict(config)))


def training_identity(config: SweepConfig) -> dict[str, Any]:
    """The settings that make two trials comparable; a sweep dir must not mix different ones."""
    resolved = config_to_dict(config)
    return {k: resolved.get(k) for k in ("task", "model", "data", "trainer")}
