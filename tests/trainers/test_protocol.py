"""The ``dodge2020`` protocol (docs/protocol.md): the authors' BertAdam against a step computed by hand,
their learning-rate schedule and evaluation steps, how it differs from the default protocol (exactly
the differences the document lists), the sweep config's ``[trainer] protocol``, and a suspend/resume
under it that continues exactly like the straight run."""

from __future__ import annotations

import math
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
import torch

from seedtui.core.engine.config import ConfigError, parse_sweep_config
from seedtui.core.engine.trainer_command import trainer_arguments
from seedtui.policy.schedule import eval_schedule, planned_eval_count, scheduled_eval_count
from tests.trainers.conftest import RunTrainer, of_kind
from trainers.config import PROTOCOL_PRESETS, TrainerConfig, parse_config, to_argv
from trainers.model import make_optimizer, make_scheduler
from trainers.optim import AuthorsSchedule, BertAdam, authors_t_total, clip_gradients, warmup_linear

PROTOCOL_DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


# --- BertAdam: two steps by hand --------------------------------------------------------------------


def test_bert_adam_matches_two_steps_computed_by_hand() -> None:
    """lr 0.1, betas (0.9, 0.999), eps 1e-6, max_grad_norm 1. A weight w = [1, -2] decayed by 0.01 and
    a bias b = [0.5] not decayed, in float64. Per parameter: g *= min(1, 1 / (|g| + 1e-6)) (its own
    norm); m = 0.9 m + 0.1 g; v = 0.999 v + 0.001 g^2; p -= 0.1 * (m / (sqrt(v) + 1e-6) + wd * p).

    Step 1, grads w: [3, 4], b: [0.5].
      w: |g| = 5, so g = [3, 4] / 5.000001 = [0.59999988, 0.79999984]; m = 0.1 g; sqrt(v) = sqrt(0.001) |g|,
         so m / (sqrt(v) + 1e-6) = 0.1 / sqrt(0.001) * g / (|g| + 1e-6 / sqrt(0.001)) = +-3.162111...
         (no bias correction: AdamW's first step would be +-1); plus 0.01 * p = [0.01, -0.02]:
         w = [1 - 0.1 * 3.172111, -2 - 0.1 * (-3.162117 - 0.02)] = [0.6827889, -2.3142153].
      b: |g| = 0.5 is not clipped; m = 0.05, sqrt(v) = 0.0158113883, update = 0.05 / 0.0158123883
         = 3.162078 (no decay): b = 0.5 - 0.3162078 = 0.1837922.
    Step 2, grads w: [0.3, 0.4] (|g| = 0.5, not clipped), b: [2] (clipped alone to 2 / 2.000001;
    one global clip over both tensors, |g| = 2.06, would have scaled w's gradient too):
      w = [0.2859865, -2.7080253], b = [-0.2263591] (the same formulas on the running m and v)."""
    weight = torch.nn.Parameter(torch.tensor([1.0, -2.0], dtype=torch.float64))
    bias = torch.nn.Parameter(torch.tensor([0.5], dtype=torch.float64))
    groups = [{"params": [weight], "weight_decay": 0.01}, {"params": [bias], "weight_decay": 0.0}]
    optimizer = BertAdam(groups, lr=0.1)
    expected = [([0.6827888997747977, -2.314215266508424], [0.18379223271833123]),
                ([0.2859864946902066, -2.708025337445196], [-0.22635913938095858])]
    for (weight_grad, bias_grad), (weight_after, bias_after) in zip(
            [([3.0, 4.0], [0.5]), ([0.3, 0.4], [2.0])], expected, strict=True):
        weight.grad = torch.tensor(weight_grad, dtype=torch.float64)
        bias.grad = torch.tensor(bias_grad, dtype=torch.float64)
        optimizer.step()
        assert weight.detach().tolist() == pytest.approx(weight_after, rel=1e-12, abs=1e-12)
        assert bias.detach().tolist() == pytest.approx(bias_after, rel=1e-12, abs=1e-12)
    # the clip acts on the gradient the step saw: b's second gradient was scaled to norm 1 in place
    assert bias.grad is not None and bias.grad.tolist() == pytest.approx([2.0 / (2.0 + 1e-6)], rel=1e-15)


def test_the_loops_clip_is_global_under_default_and_left_to_bert_adam_under_dodge2020() -> None:
    def grads_after_clip(protocol: str) -> list[list[float]]:
        model = torch.nn.Linear(2, 1)
        with torch.no_grad():
            model.weight.grad = torch.tensor([[3.0, 4.0]])
            model.bias.grad = torch.tensor([0.5])
        clip_gradients(model, TrainerConfig(task="rte", model="m", trial_dir="t", protocol=protocol))
        return [model.weight.grad.flatten().tolist(), model.bias.grad.tolist()]

    total = math.sqrt(3.0**2 + 4.0**2 + 0.5**2)  # 5.0249: both tensors scaled by 1 / (total + 1e-6)
    scale = 1.0 / (total + 1e-6)
    default = grads_after_clip("default")
    assert default[0] == pytest.approx([3.0 * scale, 4.0 * scale], rel=1e-6)
    assert default[1] == pytest.approx([0.5 * scale], rel=1e-6)
    assert grads_after_clip("dodge2020") == [[3.0, 4.0], [0.5]]  # untouched: BertAdam clips in its step


# --- the schedule -----------------------------------------------------------------------------------


def test_the_authors_schedule_applies_warmup_linear_twice_over_their_t_total() -> None:
    # RTE: 2,490 examples, batch 16, 3 epochs -> t_total = int(466.875) = 466, though 156 * 3 = 468
    # steps are trained (the last batch of each epoch is partial)
    assert authors_t_total(2490, 16, 3) == 466
    assert authors_t_total(3668, 16, 3) == 687  # MRPC: int(687.75), 690 steps trained
    assert warmup_linear(0.05, 0.1) == pytest.approx(0.5) and warmup_linear(0.25, 0.1) == pytest.approx(0.75)
    schedule = AuthorsSchedule(t_total=466, warmup=0.1)
    # factor = warmup_linear(x)^2, x = steps done / 466; x/0.1 below 0.1, then 1 - x
    assert schedule(0) == 0.0  # the first step has learning rate 0
    assert schedule(23) == pytest.approx((23 / 466 / 0.1) ** 2)  # 0.2436
    assert schedule(46) == pytest.approx((46 / 466 / 0.1) ** 2)  # 0.9744, the last warm-up step
    assert schedule(47) == pytest.approx((1 - 47 / 466) ** 2)  # 0.8085: 1 - x does not start at 1
    assert schedule(466) == 0.0
    assert schedule(467) == pytest.approx((1 - 467 / 466) ** 2)  # 4.6e-6: past t_total, squared back above 0


def test_the_scheduler_sets_the_rate_each_step_uses_and_survives_a_state_dict_round_trip() -> None:
    config = TrainerConfig(task="rte", model="m", trial_dir="t", protocol="dodge2020", lr=2e-5,
                           warmup_ratio=0.1, batch_size=16, epochs=3)
    model = torch.nn.Linear(2, 2)
    optimizer = make_optimizer(model, config, torch.device("cpu"))
    scheduler = make_scheduler(optimizer, config, 468, train_size=2490)
    rates = []
    for _ in range(48):
        rates.append(scheduler.get_last_lr()[0])  # what the loop logs as the step's lr
        optimizer.step()
        scheduler.step()
    assert rates[0] == 0.0 and rates[23] == pytest.approx(2e-5 * (23 / 46.6) ** 2)
    assert rates[47] == pytest.approx(2e-5 * (1 - 47 / 466) ** 2)
    assert {group["lr"] for group in optimizer.param_groups} == {scheduler.get_last_lr()[0]}
    saved = scheduler.state_dict()
    fresh = make_scheduler(make_optimizer(model, config, torch.device("cpu")), config, 468, train_size=2490)
    fresh.load_state_dict(saved)
    assert fresh.get_last_lr() == scheduler.get_last_lr()


# --- the evaluation steps ---------------------------------------------------------------------------


def test_dodge2020_evaluates_after_one_step_then_every_tenth_of_an_epoch() -> None:
    # MRPC: 3,668 / 16 = 230 steps per epoch; the authors evaluated after the batches whose 0-based
    # index is a multiple of 230 // 10 = 23, i.e. after 1, 24, ..., 208 steps of each epoch
    mrpc = eval_schedule(230, 10, 3, protocol="dodge2020")
    assert [e.step for e in mrpc[:11]] == [1, 24, 47, 70, 93, 116, 139, 162, 185, 208, 231]
    assert len(mrpc) == 30 and mrpc[-1].step == 460 + 208
    assert [e.epoch_end for e in mrpc[:10]] == [False] * 9 + [True]  # the last evaluation of its epoch
    # RTE: 156 steps per epoch, spacing 15: after 1, 16, ..., 136 (the authors' 11th, after 151, is not kept)
    assert [e.step for e in eval_schedule(156, 10, 1, protocol="dodge2020")] == list(range(1, 137, 15))
    # fewer steps than evaluations: once per step, as the default protocol
    assert eval_schedule(3, 10, 2, protocol="dodge2020") == eval_schedule(3, 10, 2, protocol="default")
    with pytest.raises(ValueError, match="unknown protocol"):
        eval_schedule(10, 2, 1, protocol="dodge")


def test_the_count_of_evaluations_is_the_schedules_under_either_protocol() -> None:
    start = {"steps_per_epoch": 156, "evals_per_epoch": 10, "epochs": 3}
    for protocol in ("default", "dodge2020"):
        logged = {**start, "config": {"protocol": protocol}}
        assert scheduled_eval_count(logged) == len(eval_schedule(156, 10, 3, protocol=protocol)) == 30
        assert planned_eval_count(10, 3, protocol=protocol) == 30
    assert scheduled_eval_count({**start, "config": {"protocol": "future"}}) is None
    assert scheduled_eval_count(start) == 30  # a log without a protocol is the default's


def test_the_engines_fake_trainer_evaluates_and_suspends_where_the_protocol_says(tmp_path: Path) -> None:
    from seedtui.core.engine.config import TrainerSettings
    from seedtui.testing.fake_backend import FakeTrainer

    def fake(protocol: str) -> FakeTrainer:
        return FakeTrainer(trial="wi1-do1", directory=tmp_path, steps_per_epoch=5, step_s=1.0, startup_s=0.0,
                           score=lambda trial, index: 0.5, launched_at=0.0, stop_at_fraction=0.5,
                           settings=TrainerSettings(epochs=2, evals_per_epoch=2, protocol=protocol))

    assert (fake("default").eval_steps, fake("default").suspend_at) == ([2, 5, 7, 10], 5)
    assert (fake("dodge2020").eval_steps, fake("dodge2020").suspend_at) == ([1, 3, 6, 8], 3)


# --- dodge2020 against default: exactly the documented differences ---------------------------------


def _documented_presets() -> dict[str, tuple[str, str]]:
    """docs/protocol.md's table of the config fields the preset changes: field -> (default, dodge2020)."""
    text = PROTOCOL_DOC.read_text(encoding="utf-8")
    section = text.split("## What `--protocol dodge2020` sets", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| `([^`]+)` \| `([^`]+)` \|", section, flags=re.MULTILINE)
    return {field: (default, dodge) for field, default, dodge in rows}


def test_the_configs_differ_exactly_in_the_fields_the_document_lists(base_flags: list[str]) -> None:
    default = asdict(parse_config([*base_flags, "--trial-dir", "t"]))
    dodge = asdict(parse_config([*base_flags, "--trial-dir", "t", "--protocol", "dodge2020"]))
    changed = {key: (default[key], dodge[key]) for key in default if default[key] != dodge[key]}
    documented = _documented_presets()
    assert set(changed) == set(documented) == {"protocol", "weight_decay", "warmup_ratio"}
    assert {key: (str(a), str(b)) for key, (a, b) in changed.items()} == documented
    assert {key: dodge[key] for key in PROTOCOL_PRESETS["dodge2020"]} == PROTOCOL_PRESETS["dodge2020"]
    # the command line says the same: every flag the same but these three
    default_argv = to_argv(parse_config([*base_flags, "--trial-dir", "t"]))
    dodge_argv = to_argv(parse_config([*base_flags, "--trial-dir", "t", "--protocol", "dodge2020"]))
    assert set(zip(default_argv[::2], default_argv[1::2], strict=False)) ^ set(
        zip(dodge_argv[::2], dodge_argv[1::2], strict=False)) == {
        ("--protocol", "default"), ("--protocol", "dodge2020"), ("--weight-decay", "0.0"),
        ("--weight-decay", "0.01"), ("--warmup-ratio", "0.0"), ("--warmup-ratio", "0.1")}


def test_an_explicit_flag_overrides_the_preset(base_flags: list[str]) -> None:
    config = parse_config([*base_flags, "--trial-dir", "t", "--protocol", "dodge2020", "--weight-decay", "0",
                           "--warmup-ratio", "0.2"])
    assert (config.protocol, config.weight_decay, config.warmup_ratio) == ("dodge2020", 0.0, 0.2)
    assert parse_config(to_argv(config)) == config  # the engine's argv round trip keeps the override


def test_the_optimizer_and_scheduler_follow_the_protocol() -> None:
    model = torch.nn.Module()
    model.dense, model.LayerNorm = torch.nn.Linear(2, 2), torch.nn.LayerNorm(2)  # BERT's names
    for protocol, optimizer_class, lambda_class in (("default", torch.optim.AdamW, None),
                                                     ("dodge2020", BertAdam, AuthorsSchedule)):
        config = TrainerConfig(task="rte", model="m", trial_dir="t", protocol=protocol,
                               **PROTOCOL_PRESETS[protocol])  # type: ignore[arg-type]
        optimizer = make_optimizer(model, config, torch.device("cpu"))
        assert type(optimizer) is optimizer_class
        decayed, not_decayed = optimizer.param_groups
        assert (decayed["weight_decay"], not_decayed["weight_decay"]) == (config.weight_decay, 0.0)
        assert len(decayed["params"]) == 1 and len(not_decayed["params"]) == 3  # dense.weight only
        assert optimizer.defaults["eps"] == (1e-6 if protocol == "dodge2020" else 1e-8)
        scheduler = make_scheduler(optimizer, config, 100, train_size=800)
        if lambda_class is not None:
            assert type(scheduler.lr_lambdas[0]) is lambda_class
            assert scheduler.lr_lambdas[0] == AuthorsSchedule(t_total=150, warmup=0.1)  # int(800 / 16 * 3)


def test_a_trial_under_each_protocol_logs_the_documented_differences(run_trainer: RunTrainer) -> None:
    seeds = ("--wi-seed", "2", "--do-seed", "3")
    code, default = run_trainer(*seeds, trial="default")
    assert code == 0
    code, dodge = run_trainer(*seeds, "--protocol", "dodge2020", trial="dodge")
    assert code == 0
    ignore = {"t", "pid", "config"}
    assert {k: v for k, v in default[0].items() if k not in ignore} == {
        k: v for k, v in dodge[0].items() if k not in ignore}
    before, after = default[0]["config"], dodge[0]["config"]
    config_changes = {key for key in before if before[key] != after[key]}
    assert config_changes == {"protocol", "weight_decay", "warmup_ratio", "trial_dir"}
    # 40 examples / batch 8 = 5 steps per epoch, 2 evaluations per epoch: the default evaluates after
    # steps 2 and 5 of each epoch, dodge2020 after steps 1 and 1 + 5 // 2 = 3
    assert [e["step"] for e in of_kind(default, "eval")] == [2, 5, 7, 10]
    assert [e["step"] for e in of_kind(dodge, "eval")] == [1, 3, 6, 8]
    # t_total = int(40 / 8 * 2) = 10, warm-up 0.1: step k (1-based) uses 1e-3 * warmup_linear((k - 1) / 10)^2
    expected = [1e-3 * warmup_linear(done / 10, 0.1) ** 2 for done in range(10)]
    assert [e["lr"] for e in of_kind(dodge, "train")] == pytest.approx(expected, rel=1e-12, abs=1e-20)
    first, second = of_kind(dodge, "train")[:2]
    assert first["lr"] == 0.0 and second["lr"] == pytest.approx(8.1e-4)


def test_dodge2020_suspended_and_resumed_continues_exactly_like_the_straight_run(
        run_trainer: RunTrainer) -> None:
    flags = ("--wi-seed", "4", "--do-seed", "6", "--protocol", "dodge2020")
    _code, straight = run_trainer(*flags, trial="straight")
    # 4 evaluations (steps 1, 3, 6, 8); f = 0.5 is k = 2: suspend after the evaluation at step 3
    code, suspended = run_trainer(*flags, "--stop-at-fraction", "0.5", trial="split")
    assert code == 0 and suspended[-1]["status"] == "suspended" and suspended[-1]["step"] == 3
    code, resumed = run_trainer(*flags, "--stop-at-fraction", "0.5", "--resume", trial="split")
    assert code == 0 and resumed[-1]["status"] == "completed"

    def trace(events: list[dict[str, Any]]) -> tuple[list[Any], list[Any]]:
        return ([(e["step"], e["loss"], e["lr"]) for e in of_kind(events, "train")],
                [(e["step"], e["score"], e["eval_index"]) for e in of_kind(events, "eval")])

    assert trace(resumed) == trace(straight)  # bitwise: BertAdam's moments and the schedule were restored


# --- the sweep config -------------------------------------------------------------------------------


def _sweep(tmp_path: Path, **trainer: Any) -> Any:
    raw = {"name": "p", "task": "rte", "sweep_dir": "runs/p", "wi_seeds": [1], "do_seeds": [2],
           "trainer": trainer}
    return parse_sweep_config(raw, base=tmp_path)


def test_the_sweep_configs_protocol_reaches_the_trainer_with_its_presets(tmp_path: Path) -> None:
    config = _sweep(tmp_path, protocol="dodge2020")
    settings = config.trainer
    assert (settings.protocol, settings.warmup_ratio, config.evals_per_trial) == ("dodge2020", 0.1, 30)
    parsed = parse_config(trainer_arguments(config, 1, 2, tmp_path / "t", device="cpu"))
    assert (parsed.protocol, parsed.weight_decay, parsed.warmup_ratio) == ("dodge2020", 0.01, 0.1)
    explicit = _sweep(tmp_path, protocol="dodge2020", warmup_ratio=0.0, extra_args=["--weight-decay", "0"])
    parsed = parse_config(trainer_arguments(explicit, 1, 2, tmp_path / "t", device="cpu"))
    assert (parsed.protocol, parsed.weight_decay, parsed.warmup_ratio) == ("dodge2020", 0.0, 0.0)
    default = parse_config(trainer_arguments(_sweep(tmp_path), 1, 2, tmp_path / "t", device="cpu"))
    assert (default.protocol, default.weight_decay, default.warmup_ratio) == ("default", 0.0, 0.0)


@pytest.mark.parametrize(("trainer", "message"), [
    ({"protocol": "dodge"}, "'dodge' is not one of default, dodge2020"),
    ({"protocol": 2020}, "must be a non-empty string"),
    ({"protocol": "dodge2020", "command": ["{python}", "train.py"]}, "built-in trainer"),
])
def test_a_bad_protocol_is_refused_naming_the_key(tmp_path: Path, trainer: dict[str, Any],
                                                  message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)) as refused:
        _sweep(tmp_path, **trainer)
    assert refused.value.key == "trainer.protocol"
