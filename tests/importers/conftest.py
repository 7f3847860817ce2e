"""Fixtures for the importer tests: trainer_state.json files written by a real Hugging Face Trainer,
and a runner of ``seedtui import`` that checks that bad input leaves nothing behind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from seedtui.cli import app

HF_WI_SEEDS = (1, 2)
HF_DO_SEEDS = (7, 8)
HF_MAX_STEPS, HF_EVAL_STEPS = 6, 2

# A learnable toy task: the label is whether the sentence is about something good.
_GOOD = ["a good film", "great acting and a fine plot", "good fun", "a lovely, great story"]
_BAD = ["a bad film", "awful acting and a dull plot", "bad fun", "a boring, poor story"]


def _examples(tokenizer: Any, sentences: list[tuple[str, int]]) -> list[dict[str, Any]]:
    encoded = tokenizer([text for text, _ in sentences], padding="max_length", truncation=True, max_length=16)
    return [{"input_ids": ids, "attention_mask": mask, "labels": label}
            for ids, mask, (_, label)
            in zip(encoded["input_ids"], encoded["attention_mask"], sentences, strict=True)]


def train_hf_run(model_dir: Path, output_dir: Path, wi: int, do: int) -> Path:
    """Fine-tune the tiny BERT for a few steps with HF's Trainer (``seed`` = WI, ``data_seed`` = DO),
    evaluating every ``HF_EVAL_STEPS`` steps, and save its state as ``run_glue.py`` does."""
    import numpy as np
    import transformers

    tokenizer = transformers.AutoTokenizer.from_pretrained(model_dir)
    labelled = [(text, 1) for text in _GOOD] + [(text, 0) for text in _BAD]
    train = _examples(tokenizer, labelled * 2)
    evaluation = _examples(tokenizer, [(f"{text} indeed", label) for text, label in labelled])

    def accuracy(prediction: Any) -> dict[str, float]:
        predicted = np.argmax(prediction.predictions, axis=-1)
        return {"accuracy": float((predicted == prediction.label_ids).mean())}

    args = transformers.TrainingArguments(
        output_dir=str(output_dir), seed=wi, data_seed=do, max_steps=HF_MAX_STEPS, eval_strategy="steps",
        eval_steps=HF_EVAL_STEPS, logging_steps=1, per_device_train_batch_size=4,
        per_device_eval_batch_size=8,
        learning_rate=1e-3, save_strategy="no", report_to=[], use_cpu=True, disable_tqdm=True,
        dataloader_num_workers=0,
    )
    model = transformers.AutoModelForSequenceClassification.from_pretrained(model_dir, num_labels=2)
    trainer = transformers.Trainer(model=model, args=args, train_dataset=train, eval_dataset=evaluation,
                                   compute_metrics=accuracy)
    trainer.train()
    trainer.save_state()  # output_dir/trainer_state.json
    return output_dir


@pytest.fixture(scope="session")
def hf_run_dirs(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A 2 x 2 grid of real HF Trainer runs, ``runs/seed{WI}_data{DO}/trainer_state.json``."""
    import torch

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("hf-runs")
    return [train_hf_run(tiny_model_dir, root / f"seed{wi}_data{do}", wi, do)
            for wi in HF_WI_SEEDS for do in HF_DO_SEEDS]


def hf_history(metric_values: dict[str, float], steps: tuple[int, ...] = (2, 4)) -> list[dict[str, Any]]:
    """A ``log_history`` in HF's layout: a loss entry and an eval entry at each step, 4 steps an epoch."""
    history: list[dict[str, Any]] = []
    for step in steps:
        history.append({"loss": 0.7, "learning_rate": 1e-3, "epoch": step / 4, "step": step})
        history.append({**metric_values, "eval_runtime": 0.1, "epoch": step / 4, "step": step})
    return history


def write_trainer_state(run_dir: Path, history: list[dict[str, Any]]) -> Path:
    """A hand-written ``trainer_state.json`` (4 steps) and a ``training_args.bin`` in ``run_dir``."""
    run_dir.mkdir(parents=True)
    state = {"global_step": 4, "max_steps": 4, "num_train_epochs": 1, "eval_steps": 2,
             "train_batch_size": 4, "log_history": history}
    (run_dir / "trainer_state.json").write_text(json.dumps(state))
    # Not a valid pickle: an importer that unpickled it would fail on every run.
    (run_dir / "training_args.bin").write_bytes(b"\x80\x04 not to be unpickled")
    return run_dir


def run_import(*args: str | Path) -> Result:
    """``seedtui import ARGS`` in this process."""
    return CliRunner().invoke(app, ["import", *map(str, args)])


def assert_refused(result: Result, out_sweep: Path, message: str) -> None:
    """Exit 2 with ``message`` on stderr, and nothing written: no sweep, no staging folder beside it."""
    assert result.exit_code == 2, result.output
    assert message in result.stderr, result.stderr
    assert not out_sweep.exists() or not any(out_sweep.iterdir())
    leftovers = [path.name for path in out_sweep.parent.iterdir()
                 if path.name.startswith(f".{out_sweep.name}")]
    assert not leftovers
