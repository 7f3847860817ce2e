"""The trainer run in-process on the tiny BERT: the log, seeds, schedule, divergence, suspend/resume."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import torch

from seedtui.log import EVENTS_FILE, validate_event
from seedtui.log.files import checkpoint_path
from tests.trainers.conftest import RunTrainer, of_kind
from trainers import loop
from trainers.config import TrainerConfig
from trainers.finetune import main
from trainers.model import init_new_head, load_tokenizer_and_model
from trainers.seeding import epoch_order, seed_random_streams


def test_short_run_writes_a_valid_complete_log(run_trainer: RunTrainer) -> None:
    code, events = run_trainer("--wi-seed", "3", "--do-seed", "5")
    assert code == 0
    assert all(validate_event(event) == [] for event in events)
    start = events[0]
    assert start["event"] == "start" and start["trial"] == "wi3-do5"
    assert (start["task"], start["metric"], start["greater_is_better"]) == ("sst2", "acc", True)
    sizes = (start["train_size"], start["eval_size"], start["steps_per_epoch"], start["total_steps"])
    assert sizes == (40, 16, 5, 10)
    assert start["dropout_seed"] == 5 and start["device"] == "cpu" and start["resumable"] is False
    assert (start["num_labels"], start["head_init_std"]) == (2, 0.02)  # what a WI seed's head is
    assert start["config"]["wi_seed"] == 3 and start["config"]["lr"] == pytest.approx(1e-3)
    # majority baseline: the first 40 SST-2 train labels are 21 zeros and 19 ones, so "always 0";
    # 8 of the first 16 dev labels are 0
    assert start["majority_baseline"] == 0.5
    assert [event["step"] for event in of_kind(events, "train")] == list(range(1, 11))
    assert all(math.isfinite(event["loss"]) for event in of_kind(events, "train"))
    end = events[-1]
    assert end["event"] == "end" and end["status"] == "completed" and end["step"] == 10
    assert end["best_score"] == max(event["score"] for event in of_kind(events, "eval"))


def test_eval_schedule_is_evenly_spaced_with_the_last_at_each_epoch_end(run_trainer: RunTrainer) -> None:
    # 40 examples / batch 4 = 10 steps per epoch; 3 evals per epoch -> after steps 3, 6, 10 of each
    code, events = run_trainer("--batch-size", "4", "--evals-per-epoch", "3")
    assert code == 0
    evals = of_kind(events, "eval")
    assert [e["step"] for e in evals] == [3, 6, 10, 13, 16, 20]
    assert [e["eval_index"] for e in evals] == list(range(6))
    assert [e["epoch_end"] for e in evals] == [False, False, True, False, False, True]
    assert [e["epoch"] for e in evals] == [0.3, 0.6, 1.0, 1.3, 1.6, 2.0]
    assert all(set(e["metrics"]) == {"acc"} and e["score"] == e["metrics"]["acc"] for e in evals)
    assert [e["step"] for e in of_kind(events, "train")] == list(range(1, 21))


def _scores_and_losses(events: list[dict[str, Any]]) -> tuple[list[float], list[float]]:
    return [e["score"] for e in of_kind(events, "eval")], [e["loss"] for e in of_kind(events, "train")]


def test_identical_seeds_give_identical_scores_and_other_seeds_do_not(run_trainer: RunTrainer) -> None:
    first = _scores_and_losses(run_trainer("--wi-seed", "1", "--do-seed", "2", trial="a")[1])
    again = _scores_and_losses(run_trainer("--wi-seed", "1", "--do-seed", "2", trial="b")[1])
    other_wi = _scores_and_losses(run_trainer("--wi-seed", "9", "--do-seed", "2", trial="c")[1])
    assert first == again  # bitwise: same floats, not approximately
    assert first[1] != other_wi[1]


def _initial_state(model_dir: Path, wi: int, do: int, dropout: int) -> dict[str, torch.Tensor]:
    """The model as the trainer builds it before the first step."""
    config = TrainerConfig(task="sst2", model=str(model_dir), trial_dir="unused", wi_seed=wi, do_seed=do,
                           dropout_seed=dropout)
    _tokenizer, model, new_head = load_tokenizer_and_model(config)
    streams = seed_random_streams(config.wi_seed, config.do_seed, config.effective_dropout_seed)
    init_new_head(model, new_head, streams.head_init)
    return {name: tensor.clone() for name, tensor in model.state_dict().items()}


def test_changing_only_wi_changes_only_the_new_heads_initial_weights(tiny_model_dir: Path) -> None:
    base = _initial_state(tiny_model_dir, wi=1, do=1, dropout=1)
    other_wi = _initial_state(tiny_model_dir, wi=2, do=1, dropout=1)
    other_do_and_dropout = _initial_state(tiny_model_dir, wi=1, do=7, dropout=8)
    differing = {name for name in base if not torch.equal(base[name], other_wi[name])}
    assert differing == {"classifier.weight"}  # the bias of the new head is 0 for every seed
    assert torch.count_nonzero(base["classifier.bias"]) == 0
    assert all(torch.equal(base[name], other_do_and_dropout[name]) for name in base)
    # N(0, 0.02^2): 128 draws, so the sample moments are close to the spec's
    head = base["classifier.weight"]
    assert head.shape == (2, 64)
    assert abs(float(head.mean())) < 0.006 and 0.016 < float(head.std()) < 0.024


def _train_batches(run_trainer: RunTrainer, monkeypatch: pytest.MonkeyPatch, *flags: str,
                   trial: str) -> list[list[int]]:
    """The example indices of every training batch, as the loop passed them to the real collate."""
    consumed: list[list[int]] = []
    real_collate = loop.collate

    def recording_collate(split: Any, indices: list[int], pad_token_id: int) -> dict[str, torch.Tensor]:
        if len(split) == 40:  # the training split (the eval split has 16 examples)
            consumed.append(list(indices))
        return real_collate(split, indices, pad_token_id)

    monkeypatch.setattr(loop, "collate", recording_collate)
    code, _events = run_trainer(*flags, trial=trial)
    monkeypatch.setattr(loop, "collate", real_collate)
    assert code == 0
    return consumed


def test_changing_only_do_changes_only_the_data_order(run_trainer: RunTrainer,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    do_1 = _train_batches(run_trainer, monkeypatch, "--wi-seed", "1", "--do-seed", "1", trial="a")
    do_1_other_wi = _train_batches(run_trainer, monkeypatch, "--wi-seed", "5", "--do-seed", "1", trial="b")
    do_2 = _train_batches(run_trainer, monkeypatch, "--wi-seed", "1", "--do-seed", "2", trial="c")
    expected_do_1 = [epoch_order(1, epoch, 40).tolist() for epoch in range(2)]
    assert do_1 == [expected_do_1[e][b * 8:(b + 1) * 8] for e in range(2) for b in range(5)]
    assert do_1 == do_1_other_wi  # the WI seed does not touch the order
    assert do_1 != do_2
    assert sorted(sum(do_2[:5], [])) == list(range(40))  # every example once per epoch
    assert do_2[:5] != do_2[5:]  # and a new order in the next epoch


def test_suspend_then_resume_gives_exactly_the_straight_runs_scores(run_trainer: RunTrainer) -> None:
    seeds = ("--wi-seed", "4", "--do-seed", "6", "--evals-per-epoch", "3")
    _code, straight = run_trainer(*seeds, trial="straight")
    # 5 steps per epoch, 3 evals per epoch: evals after steps 1, 3, 5, 6, 8, 10. f = 0.4 of 6 evals
    # snaps to the nearest scheduled eval, k = 2 (step 3); round(0.4 * 10) = 4 would be off schedule.
    code, suspended = run_trainer(*seeds, "--stop-at-fraction", "0.4", trial="split")
    assert code == 0
    assert suspended[0]["resumable"] is True
    assert suspended[-1]["status"] == "suspended" and suspended[-1]["step"] == 3
    assert checkpoint_path(Path(suspended[0]["config"]["trial_dir"])).is_file()
    assert [e["step"] for e in of_kind(suspended, "eval")] == [1, 3]
    assert not any("milestone" in e for e in of_kind(suspended, "eval"))  # no extra evaluation
    code, resumed = run_trainer(*seeds, "--stop-at-fraction", "0.4", "--resume", trial="split")
    assert code == 0
    assert resumed[:len(suspended)] == suspended  # the same file goes on
    tail = resumed[len(suspended):]
    assert tail[0]["event"] == "resume" and tail[0]["step"] == 3
    assert tail[-1]["status"] == "completed" and tail[-1]["best_score"] == straight[-1]["best_score"]
    # exactly the evaluations of the straight run: same steps, same scores, nothing added
    assert [(e["step"], e["score"]) for e in of_kind(resumed, "eval")] == [
        (e["step"], e["score"]) for e in of_kind(straight, "eval")]
    assert [e["loss"] for e in of_kind(resumed, "train")] == [e["loss"] for e in of_kind(straight, "train")]
    assert not checkpoint_path(Path(suspended[0]["config"]["trial_dir"])).exists()  # deleted when completed


def test_a_nan_loss_ends_the_trial_diverged(run_trainer: RunTrainer) -> None:
    # An absurd learning rate blows the weights up until the loss is NaN, in the real loop.
    code, events = run_trainer("--lr", "1e30", "--epochs", "5")
    assert code == 0
    end = events[-1]
    assert end["status"] == "diverged"
    last_train = of_kind(events, "train")[-1]
    assert last_train["step"] == end["step"] < events[0]["total_steps"]
    assert not math.isfinite(last_train["loss"])
    assert all(math.isfinite(e["loss"]) for e in of_kind(events, "train")[:-1])


def test_an_exception_in_training_ends_failed_with_exit_code_1(
    run_trainer: RunTrainer, tmp_path: Path, tiny_model_dir: Path
) -> None:
    # A model whose vocabulary is smaller than its tokenizer's: the embedding lookup raises mid-run.
    import transformers

    broken = tmp_path / "small-vocab"
    config = transformers.BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1,
                                     num_attention_heads=1, intermediate_size=16)
    transformers.BertModel(config).save_pretrained(broken)
    transformers.AutoTokenizer.from_pretrained(tiny_model_dir).save_pretrained(broken)
    code, events = run_trainer("--model", str(broken))
    assert code == 1
    assert events[0]["event"] == "start"
    assert events[-1]["status"] == "failed" and events[-1]["step"] == 0
    assert "IndexError" in events[-1]["reason"]


@pytest.mark.parametrize(
    "flags",
    [
        ("--data-dir", "/nonexistent/SST-2"),
        ("--epochs", "0"),
        ("--stop-at-fraction", "1.5"),
        ("--model", "/nonexistent/model"),
        ("--resume",),
        ("--task", "custom", "--text-column", "review"),  # SST-2's columns are sentence, label
        ("--task", "custom", "--data-dir", "/nonexistent"),
    ],
)
def test_bad_input_exits_2_without_writing_a_log(
    base_flags: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: tuple[str, ...]
) -> None:
    code = main([*base_flags, *flags, "--trial-dir", str(tmp_path / "t")])
    assert code == 2
    assert "error:" in capsys.readouterr().err
    assert not (tmp_path / "t" / EVENTS_FILE).exists()


def test_an_unknown_flag_value_exits_2_with_one_line(base_flags: list[str], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*base_flags, "--task", "qnli", "--trial-dir", str(tmp_path / "t")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--task" in err  # argparse's refusal, without its usage
    assert not (tmp_path / "t").exists()


def test_resume_with_a_changed_configuration_is_refused(run_trainer: RunTrainer, base_flags: list[str],
                                                        tmp_path: Path) -> None:
    code, events = run_trainer("--stop-at-fraction", "0.5", trial="t")
    assert code == 0 and events[-1]["status"] == "suspended"
    code = main([*base_flags, "--lr", "5e-4", "--resume", "--trial-dir", str(tmp_path / "t")])
    assert code == 2
    assert len((tmp_path / "t" / EVENTS_FILE).read_text().splitlines()) == len(events)  # nothing appended


def test_custom_task_from_jsonl_with_mcc(run_trainer: RunTrainer, tmp_path: Path) -> None:
    data = tmp_path / "custom"
    data.mkdir()
    for name, count in (("train", 24), ("dev", 10)):
        lines = [f'{{"review": "film number {i} was {"good" if i % 3 else "bad"}", "sentiment": '
                 f'"{"pos" if i % 3 else "neg"}"}}' for i in range(count)]
        (data / f"{name}.jsonl").write_text("\n".join(lines) + "\n")
    code, events = run_trainer("--task", "custom", "--data-dir", str(data), "--text-column", "review",
                               "--label-column", "sentiment", "--metric", "mcc", "--epochs", "1")
    assert code == 0
    start = events[0]
    assert (start["metric"], start["train_size"], start["eval_size"]) == ("mcc", 24, 10)
    assert start["majority_baseline"] == 0.0  # constant predictions: MCC undefined -> 0
    assert set(of_kind(events, "eval")[0]["metrics"]) == {"acc", "f1", "mcc", "acc_and_f1"}
