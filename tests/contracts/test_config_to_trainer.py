"""Every sweep config the engine accepts gives trainer command lines the trainer accepts, and the
engine refuses, naming the key, what the trainer would refuse."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from seedtui.cli import app
from seedtui.core.engine.config import ConfigError, parse_sweep_config
from seedtui.core.engine.trainer_command import trainer_arguments, trainer_config
from trainers.config import check_config, parse_config

EXTRA_ARGS = [[], ["--weight-decay", "0.01"], ["--num-threads", "1"], ["--max-grad-norm", "0.5"],
              ["--weight-decay", "-1"], ["--bogus-flag"], ["--num-threads", "0"], ["--deterministic"]]
NUMBERS = st.one_of(st.integers(-3, 40), st.floats(-1, 40, allow_nan=False),
                    st.sampled_from([2.5, 3.0, 1e-5]))


def _raw(trainer: dict[str, Any], *, wi: list[int], do: list[int],
         tfp: dict[str, Any] | None) -> dict[str, Any]:
    raw: dict[str, Any] = {"name": "c", "task": "rte", "sweep_dir": "runs/c", "wi_seeds": wi, "do_seeds": do,
                           "trainer": trainer}
    if tfp is not None:
        raw["policy"] = {"rule": "tfp", "tfp": tfp}
    return raw


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    epochs=NUMBERS, batch_size=NUMBERS, lr=NUMBERS, evals_per_epoch=NUMBERS,
    warmup=st.one_of(st.none(), NUMBERS),
    max_seq_length=st.sampled_from([4, 8, 64, 128]), dropout=st.one_of(st.none(), st.integers(-2, 5)),
    protocol=st.sampled_from([None, "default", "dodge2020", "dodge", 7]),
    extra=st.sampled_from(EXTRA_ARGS), wi=st.lists(st.integers(-2, 30), min_size=1, max_size=3, unique=True),
    do=st.lists(st.integers(-2, 30), min_size=1, max_size=3, unique=True),
    tfp=st.one_of(st.none(), st.fixed_dictionaries({"t": st.integers(1, 3), "f": st.floats(0.01, 1.0),
                                                    "p": st.integers(1, 3)})),
)
def test_a_config_the_engine_accepts_is_one_the_trainer_accepts(
        tmp_path: Path, epochs: Any, batch_size: Any, lr: Any, evals_per_epoch: Any, warmup: Any,
        max_seq_length: int, dropout: int | None, protocol: Any, extra: list[str], wi: list[int],
        do: list[int], tfp: dict[str, Any] | None) -> None:
    trainer: dict[str, Any] = {"epochs": epochs, "batch_size": batch_size, "lr": lr,
                               "evals_per_epoch": evals_per_epoch,
                               "max_seq_length": max_seq_length, "extra_args": extra}
    if warmup is not None:  # else the protocol's preset
        trainer["warmup_ratio"] = warmup
    if dropout is not None:
        trainer["dropout_seed"] = dropout
    if protocol is not None:
        trainer["protocol"] = protocol
    try:
        config = parse_sweep_config(_raw(trainer, wi=wi, do=do, tfp=tfp), base=tmp_path)
    except ConfigError as error:
        assert str(error).strip()  # refused with a message naming what is wrong
        return
    fraction = config.policy.tfp.f if config.policy.tfp is not None else None
    for wi_seed, do_seed in config.grid:
        for resume in (False, True):
            directory = tmp_path / "trials" / f"wi{wi_seed}-do{do_seed}"
            arguments = trainer_arguments(config, wi_seed, do_seed, directory, device="cpu",
                                          stop_at_fraction=fraction, resume=resume)
            parsed = parse_config(arguments)  # argparse exits (a failure here) on anything it refuses
            check_config(parsed)
            built = asdict(trainer_config(config, wi_seed, do_seed, directory, device="cpu",
                                          stop_at_fraction=fraction, resume=resume))
            extra_fields = {"weight_decay", "num_threads", "max_grad_norm", "deterministic", "model"}
            assert {k: v for k, v in asdict(parsed).items() if k not in extra_fields} == {
                k: v for k, v in built.items() if k not in extra_fields}


@pytest.mark.parametrize(("trainer", "key"), [
    ({"epochs": 2.5}, "trainer.epochs"),
    ({"extra_args": ["--weight-decay", "-1"]}, "trainer.extra_args"),
    ({"extra_args": ["--no-such-flag"]}, "trainer.extra_args"),
    ({"max_seq_length": 8, "extra_args": ["--eval-batch-size", "0"]}, "trainer.extra_args"),
])
def test_the_engine_refuses_what_the_trainer_would_naming_the_key(tmp_path: Path, trainer: dict[str, Any],
                                                                  key: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_sweep_config(_raw(trainer, wi=[1], do=[1], tfp=None), base=tmp_path)
    assert error.value.key == key


def test_epochs_2_5_is_refused_at_load_with_exit_2_and_nothing_launched(tmp_path: Path) -> None:
    config = tmp_path / "sweep.toml"
    config.write_text('name = "half"\ntask = "rte"\nwi_seeds = [1]\ndo_seeds = [1]\nsweep_dir = "runs/half"\n'
                      '[trainer]\nepochs = 2.5\n')
    result = CliRunner().invoke(app, ["run", str(config), "--headless"])
    assert result.exit_code == 2
    assert "trainer.epochs" in result.output and "whole number of epochs" in result.output
    assert not (tmp_path / "runs").exists()


def test_a_snapped_f_is_said_at_load(tmp_path: Path) -> None:
    raw = _raw({"epochs": 3, "evals_per_epoch": 10}, wi=[1, 2], do=[1, 2], tfp={"t": 4, "f": 0.33, "p": 2})
    config = parse_sweep_config(raw, base=tmp_path)
    assert config.policy.tfp is not None and config.policy.tfp.f == pytest.approx(10 / 30)
    assert any("policy.tfp.f" in note and "10/30" in note for note in config.notes)
    raw_k = _raw({"epochs": 3, "evals_per_epoch": 10}, wi=[1, 2], do=[1, 2], tfp={"t": 4, "k": 9, "p": 2})
    config_k = parse_sweep_config(raw_k, base=tmp_path)
    assert config_k.policy.tfp is not None and config_k.policy.tfp.f == pytest.approx(0.3)
    assert not config_k.notes
