"""``seedtui import hf-trainer`` on trainer_state.json files written by a real HF Trainer: the
imported sweep is a normal one, and ``seedtui stats --json`` on it gives the statistics computed
directly from the numbers in those files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from seedtui.cli import app
from seedtui.core.stats.evp import expected_validation_performance
from seedtui.core.stats.seed_variance import seed_sd, variance_components
from seedtui.core.stats.summary import to_json_safe
from seedtui.log import EVENTS_FILE, read_events
from seedtui.state import load_trials
from tests.importers.conftest import HF_DO_SEEDS, HF_EVAL_STEPS, HF_MAX_STEPS, HF_WI_SEEDS, run_import

SEED_PATTERNS = ("--wi", r"seed(\d+)", "--do", r"data(\d+)")


def _evals(run_dir: Path, metric: str) -> list[tuple[int, float]]:
    """(step, value) of every eval entry HF logged, read straight from its trainer_state.json."""
    history = json.loads((run_dir / "trainer_state.json").read_text())["log_history"]
    return [(entry["step"], entry[metric]) for entry in history if metric in entry]


def _direct_grid(run_dirs: list[Path], metric: str, greater_is_better: bool) -> np.ndarray:
    """(WI, DO) grid of each run's best score, built by hand from the files."""
    best = max if greater_is_better else min
    grid = np.full((len(HF_WI_SEEDS), len(HF_DO_SEEDS)), np.nan)
    for run_dir in run_dirs:
        wi, do = (int(part) for part in run_dir.name.removeprefix("seed").split("_data"))
        scores = [value for _, value in _evals(run_dir, metric)]
        grid[HF_WI_SEEDS.index(wi), HF_DO_SEEDS.index(do)] = best(scores)
    return grid


def _stats(sweep: Path) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["stats", str(sweep), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def imported(hf_run_dirs: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("imported") / "sweep"
    result = run_import("hf-trainer", out, *hf_run_dirs, *SEED_PATTERNS)
    assert result.exit_code == 0, result.output
    assert "imported 4 runs (eval_accuracy)" in result.stdout
    return out


def test_the_imported_sweep_holds_every_run_as_a_valid_completed_trial(
        imported: Path, hf_run_dirs: list[Path]) -> None:
    trials = {trial.trial_id: trial for trial in load_trials(imported)}
    assert sorted(trials) == sorted(f"wi{wi}-do{do}" for wi in HF_WI_SEEDS for do in HF_DO_SEEDS)
    for run_dir in hf_run_dirs:
        wi, do = (int(part) for part in run_dir.name.removeprefix("seed").split("_data"))
        trial = trials[f"wi{wi}-do{do}"]
        log = read_events(imported / "trials" / trial.trial_id / EVENTS_FILE, final=True)
        assert log.malformed == 0
        assert [event["event"] for event in log.events][0] == "start"
        assert log.events[-1]["event"] == "end" and trial.status == "completed"
        assert trial.start is not None
        assert trial.start["imported_from"] == str(run_dir / "trainer_state.json")
        assert trial.metric == "eval_accuracy" and trial.greater_is_better
        assert trial.start["total_steps"] == HF_MAX_STEPS
        assert trial.start["evals"] == HF_MAX_STEPS // HF_EVAL_STEPS  # what the t/f/p rule counts in
        evals = _evals(run_dir, "eval_accuracy")
        assert trial.eval_steps == [step for step, _ in evals] == list(range(HF_EVAL_STEPS, HF_MAX_STEPS + 1,
                                                                             HF_EVAL_STEPS))
        assert trial.eval_scores == [value for _, value in evals]
        assert len([event for event in log.events if event["event"] == "train"]) == HF_MAX_STEPS


def test_stats_of_the_imported_sweep_match_statistics_of_the_hf_numbers(
        imported: Path, hf_run_dirs: list[Path]) -> None:
    summary = _stats(imported)
    grid = _direct_grid(hf_run_dirs, "eval_accuracy", greater_is_better=True)
    assert summary["n_trials"] == 4 and summary["metric"] == "eval_accuracy"
    assert summary["wi_seeds"] == list(HF_WI_SEEDS) and summary["do_seeds"] == list(HF_DO_SEEDS)
    assert summary["majority_baseline"] is None  # unknown for runs made elsewhere
    assert summary["seed_sd"] == pytest.approx(to_json_safe(seed_sd(grid)))
    assert summary["variance_components"] == pytest.approx(to_json_safe(variance_components(grid)))
    evp = expected_validation_performance(grid.ravel(), greater_is_better=True)
    assert summary["evp"]["every_eval"]["mean"] == pytest.approx(to_json_safe(evp.mean))
    assert summary["best_trial"]["score"] == pytest.approx(float(np.max(grid)))


def test_a_lower_is_better_metric_is_imported_in_its_direction(
        hf_run_dirs: list[Path], tmp_path: Path) -> None:
    """eval_loss differs in every run (accuracies on 8 examples may tie): the seed SDs are nonzero."""
    out = tmp_path / "by-loss"
    result = run_import("hf-trainer", out, *hf_run_dirs, *SEED_PATTERNS, "--metric", "loss")
    assert result.exit_code == 0, result.output
    summary = _stats(out)
    grid = _direct_grid(hf_run_dirs, "eval_loss", greater_is_better=False)
    assert summary["greater_is_better"] is False and summary["metric"] == "eval_loss"
    assert summary["seed_sd"]["total"] > 0
    assert summary["seed_sd"] == pytest.approx(to_json_safe(seed_sd(grid)))
    assert summary["evp"]["every_eval"]["mean"] == pytest.approx(
        to_json_safe(expected_validation_performance(grid.ravel(), greater_is_better=False).mean))


def test_plan_reads_the_imported_sweep(imported: Path) -> None:
    result = CliRunner().invoke(app, ["plan", str(imported), "--budgets", "1-2", "--json"])
    assert result.exit_code == 0, result.output


def test_a_mapping_file_gives_the_same_sweep_as_the_patterns(
        imported: Path, hf_run_dirs: list[Path], tmp_path: Path) -> None:
    mapping = tmp_path / "seeds.csv"
    mapping.write_text("path,wi,do\n" + "".join(
        f"{run_dir},{run_dir.name[4]},{run_dir.name[-1]}\n" for run_dir in hf_run_dirs))
    out = tmp_path / "mapped"
    result = run_import("hf-trainer", out, *hf_run_dirs, "--map", mapping)
    assert result.exit_code == 0, result.output
    assert _stats(out) == _stats(imported)


def test_replay_loads_the_imported_sweep_and_rehearses_tfp_on_it(imported: Path) -> None:
    from seedtui.core.replay import load_timeline

    timeline = load_timeline(imported)
    assert sorted(timeline.trial_ids) == sorted(f"wi{wi}-do{do}" for wi in HF_WI_SEEDS for do in HF_DO_SEEDS)
    timeline.to_end()
    assert timeline.at_end
    decisions = timeline.apply_tfp(4, 0.5, 2)  # on the simulated copy: the files stay as they are
    assert sorted(decision.action for decision in decisions).count("stop") == 2
