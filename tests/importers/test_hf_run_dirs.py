"""Where ``seedtui import hf-trainer`` finds a run's state, and how the ``seedtui`` entry point
routes ``import`` (hand-written trainer_state.json files; no training)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seedtui.cli import rewrite_argv
from seedtui.state import load_trials
from tests.importers.conftest import hf_history, run_import, write_trainer_state


def test_a_run_without_a_final_state_is_read_from_its_latest_checkpoint(tmp_path: Path) -> None:
    run = tmp_path / "seed1_data1"
    write_trainer_state(run / "checkpoint-2", hf_history({"eval_accuracy": 0.5}, steps=(2,)))
    write_trainer_state(run / "checkpoint-10", hf_history({"eval_accuracy": 0.75}))  # 10 > 2: not by name
    result = run_import("hf-trainer", tmp_path / "out", run, "--wi", r"seed(\d+)", "--do", r"data(\d+)")
    assert result.exit_code == 0, result.output
    (trial,) = load_trials(tmp_path / "out")
    assert trial.eval_scores == [0.75, 0.75]
    assert trial.start is not None
    assert trial.start["imported_from"] == str(run / "checkpoint-10" / "trainer_state.json")


def test_a_final_evaluate_after_training_is_not_a_second_eval(tmp_path: Path) -> None:
    """run_glue.py calls trainer.evaluate() after training: the same step again (with the best model
    when load_best_model_at_end); the scheduled eval at that step is the one kept."""
    history = hf_history({"eval_accuracy": 0.5}, steps=(2, 4))
    history.append({"eval_accuracy": 0.9, "epoch": 1.0, "step": 4})
    run = write_trainer_state(tmp_path / "seed1_data2", history)
    result = run_import("hf-trainer", tmp_path / "out", run, "--wi", r"seed(\d+)", "--do", r"data(\d+)")
    assert result.exit_code == 0, result.output
    (trial,) = load_trials(tmp_path / "out")
    assert trial.eval_steps == [2, 4] and trial.eval_scores == [0.5, 0.5]


def test_an_early_stopped_run_is_imported_as_stopped(tmp_path: Path) -> None:
    run = write_trainer_state(tmp_path / "seed1_data1", hf_history({"eval_loss": 0.5}, steps=(2,)))
    state = json.loads((run / "trainer_state.json").read_text())
    (run / "trainer_state.json").write_text(json.dumps({**state, "global_step": 2}))
    result = run_import("hf-trainer", tmp_path / "out", run, "--wi", r"seed(\d+)", "--do", r"data(\d+)")
    assert result.exit_code == 0, result.output
    assert "1 ended before their planned steps" in result.stdout
    (trial,) = load_trials(tmp_path / "out")
    assert trial.status == "stopped" and trial.metric == "eval_loss" and not trial.greater_is_better


@pytest.mark.parametrize("command", ["hf-trainer", "csv"])
def test_import_is_a_command_even_beside_a_folder_named_import(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "import").mkdir()
    argv = ["import", command, "out", "runs"]
    assert rewrite_argv(argv) == argv
