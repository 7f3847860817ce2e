"""Sweep configuration: parsing, seed ranges, errors that name their key, the resolved sweep.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from seedtui.core.engine.config import (
    ConfigError,
    config_to_dict,
    load_sweep_config,
    parse_seeds,
    parse_sweep_config,
    write_resolved_config,
)

GOOD = """
name = "demo"
task = "rte"
wi_seeds = "1-3"
do_seeds = [1, "4-5"]
[data]
dir = "data"
train_limit = 64
[policy]
rule = "tfp"
[policy.tfp]
t = 4
f = 0.5
p = 2
"""


@pytest.fixture
def base(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    return tmp_path


def write(base: Path, text: str) -> Path:
    path = base / "sweep.toml"
    path.write_text(text)
    return path


def test_a_good_config_resolves_paths_seeds_and_policy(base: Path) -> None:
    config = load_sweep_config(write(base, GOOD))
    assert config.wi_seeds == (1, 2, 3)
    assert config.do_seeds == (1, 4, 5)
    assert len(config.grid) == 9
    assert config.data.dir == base / "data"
    assert config.sweep_dir == base / "runs" / "demo"  # default: runs/<name> beside the file
    assert config.policy.rule == "tfp" and config.policy.tfp is not None
    assert (config.policy.tfp.t, config.policy.tfp.f, config.policy.tfp.p) == (4, 0.5, 2)
    assert config.policy.divergence is None  # off by default
    assert config.trainer.epochs == 3 and config.trainer.lr == 2e-5  # the paper's defaults


@pytest.mark.parametrize(("value", "expected"), [
    ("1-25", tuple(range(1, 26))),
    ([3, 1, 2], (3, 1, 2)),
    ("1-3, 7, 9-10", (1, 2, 3, 7, 9, 10)),
    (5, (5,)),
])
def test_seed_lists_and_ranges(value: object, expected: tuple[int, ...]) -> None:
    assert parse_seeds(value, "wi_seeds") == expected


@pytest.mark.parametrize(("value", "problem"), [
    ("5-1", "empty"), ("one", "neither"), ([1, 1], "twice"), ([], "no seeds"), ([True], "integer"),
])
def test_bad_seeds_name_the_key(value: object, problem: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_seeds(value, "do_seeds")
    assert error.value.key == "do_seeds" and problem in str(error.value)


@pytest.mark.parametrize(("replace", "key", "problem"), [
    (('task = "rte"', 'task = "mnli"'), "task", "not one of"),
    (('task = "rte"\n', ""), "task", "required"),
    (("t = 4", "t = 40"), "policy.tfp.t", "more trials than the grid"),
    (("p = 2", "p = 5"), "policy.tfp.p", "than the t = 4"),
    (("f = 0.5", "f = 1.5"), "policy.tfp.f", "<= 1"),
    (("p = 2\n", ""), "policy.tfp.p", "required"),
    (('rule = "tfp"', 'rule = "hyperband"'), "policy.rule", "not one of"),
    (("train_limit = 64", "train_limit = -3"), "data.train_limit", "at least 1"),
    (("train_limit = 64", "train_limt = 64"), "data.train_limt", "unknown key"),
    (('dir = "data"', 'dir = "missing"'), "data.dir", "not a directory"),
    (('[data]', '[resources]\ngpus = "all"\n[data]'), "resources.gpus", "list of GPU indices"),
    (('name = "demo"', 'name = "my sweep"'), "name", "may hold only"),
])
def test_bad_configs_name_the_key_and_the_problem(base: Path, replace: tuple[str, str], key: str,
                                                  problem: str) -> None:
    assert replace[0] in GOOD
    with pytest.raises(ConfigError) as error:
        load_sweep_config(write(base, GOOD.replace(*replace, 1)))
    assert error.value.key == key
    assert problem in str(error.value)


def test_invalid_toml_and_missing_file_are_config_errors(base: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_sweep_config(write(base, "name = "))
    with pytest.raises(ConfigError, match="does not exist"):
        load_sweep_config(base / "nope.toml")


def test_the_resolved_config_round_trips(base: Path) -> None:
    config = load_sweep_config(write(base, GOOD + "\n[policy.divergence]\nmin_fraction = 0.4\n"))
    written = base / "resolved.toml"
    write_resolved_config(config, written)
    again = parse_sweep_config(tomllib.loads(written.read_text()), base=Path("/elsewhere"))
    assert config_to_dict(again) == config_to_dict(config)
    assert again.policy.divergence is not None and again.policy.divergence.min_fraction == 0.4
