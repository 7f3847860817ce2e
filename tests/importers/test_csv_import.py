"""``seedtui import csv``: a sweep exported to a long table and imported back is the same sweep to
the statistics, trial by trial and eval by eval."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from seedtui.cli import app
from seedtui.log import read_events
from seedtui.state import load_trials
from seedtui.testing.trial_log import DEFAULT_MAJORITY, write_trial
from tests.importers.conftest import run_import

SHARED_KEYS = ("n_trials", "wi_seeds", "do_seeds", "metric", "task", "greater_is_better",
               "majority_baseline", "best_trial", "evp", "seed_sd", "anova", "two_way_anova", "permutation",
               "variance_components", "correlation", "correlation_with_final")


def _curve(wi: int, do: int) -> list[float]:
    """Six evals over three epochs, different per cell and peaking at different evals."""
    peak = 0.5 + 0.03 * wi + 0.02 * do
    return [0.4, peak - 0.1, peak, peak - 0.05 * (wi % 2), peak - 0.02, peak - 0.04 * (do % 2)]


def _export(sweep: Path, table: Path) -> None:
    """The long table a tracker would export: one row per train loss and per eval score."""
    with open(table, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["wi", "do", "step", "kind", "value", "metric", "epoch"])
        for path in sorted(sweep.glob("trials/*/events.jsonl")):
            for event in read_events(path, final=True).events:
                if event["event"] == "start":
                    wi, do = event["wi_seed"], event["do_seed"]
                elif event["event"] == "train":
                    writer.writerow([wi, do, event["step"], "train", event["loss"], "", event["epoch"]])
                elif event["event"] == "eval":
                    writer.writerow([wi, do, event["step"], "eval", event["score"], "acc", event["epoch"]])


def _stats(sweep: Path) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["stats", str(sweep), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("csv") / "original"
    for wi in (1, 2, 3):
        for do in (4, 5, 6):
            write_trial(root, wi, do, _curve(wi, do), evals_per_epoch=2, train_loss=0.25 * wi)
    return root


def test_a_long_table_round_trip_gives_the_same_sweep(original: Path, tmp_path: Path) -> None:
    table = tmp_path / "export.csv"
    _export(original, table)
    out = tmp_path / "imported"
    result = run_import("csv", out, table, "--task", "rte", "--majority-baseline", str(DEFAULT_MAJORITY))
    assert result.exit_code == 0, result.output
    before = {trial.trial_id: trial for trial in load_trials(original)}
    after = {trial.trial_id: trial for trial in load_trials(out)}
    assert sorted(after) == sorted(before)
    for trial_id, trial in after.items():
        assert trial.status == "completed" and trial.start is not None
        assert trial.start["imported_from"] == str(table)
        assert trial.eval_steps == before[trial_id].eval_steps
        assert trial.eval_scores == before[trial_id].eval_scores
        assert trial.eval_epochs == before[trial_id].eval_epochs
        assert (trial.train_steps, trial.train_losses) == (before[trial_id].train_steps,
                                                           before[trial_id].train_losses)
    original_stats, imported_stats = _stats(original), _stats(out)
    for key in SHARED_KEYS:
        assert imported_stats[key] == original_stats[key], key


def test_without_an_epoch_column_steps_spread_over_the_given_epochs(tmp_path: Path) -> None:
    table = tmp_path / "runs.csv"
    table.write_text("wi,do,step,kind,value\n1,1,5,eval,0.6\n1,1,10,eval,0.7\n1,1,10,train,0.3\n"
                     "2,1,5,eval,0.5\n")
    out = tmp_path / "imported"
    result = run_import("csv", out, table, "--epochs", "2")
    assert result.exit_code == 0, result.output
    trials = {trial.trial_id: trial for trial in load_trials(out)}
    assert trials["wi1-do1"].eval_epochs == [1.0, 2.0] and trials["wi1-do1"].status == "completed"
    # It ended at step 5 of the table's 10: imported as stopped, planned for 2 evals (1 in half the steps).
    assert trials["wi2-do1"].status == "stopped"
    assert trials["wi2-do1"].start is not None and trials["wi2-do1"].start["evals"] == 2
    assert trials["wi1-do1"].metric == "score" and trials["wi1-do1"].greater_is_better
