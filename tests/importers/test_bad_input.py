"""Every kind of input an import cannot use ends with a clear message, exit code 2 and nothing
written. The trainer_state.json files here are hand-written in HF's layout (no training needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.importers.conftest import assert_refused, hf_history, run_import, write_trainer_state

SEED_PATTERNS = ("--wi", r"seed(\d+)", "--do", r"data(\d+)")


@pytest.fixture
def good_runs(tmp_path: Path) -> list[Path]:
    return [write_trainer_state(tmp_path / "runs" / f"seed{wi}_data{do}",
                                hf_history({"eval_accuracy": 0.5 + wi / 10}))
            for wi in (1, 2) for do in (1, 2)]


def test_good_runs_import(good_runs: list[Path], tmp_path: Path) -> None:
    """The baseline of the cases below: these runs are fine, so each case fails by its one flaw."""
    out = tmp_path / "out"
    result = run_import("hf-trainer", out, *good_runs, *SEED_PATTERNS)
    assert result.exit_code == 0, result.output
    assert len(list((out / "trials").iterdir())) == 4


def test_an_empty_target_directory_is_filled(good_runs: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "made-beforehand"
    out.mkdir()
    result = run_import("hf-trainer", out, *good_runs, *SEED_PATTERNS)
    assert result.exit_code == 0, result.output
    assert len(list((out / "trials").iterdir())) == 4


def test_a_run_without_eval_entries(good_runs: list[Path], tmp_path: Path) -> None:
    bare = write_trainer_state(tmp_path / "runs" / "seed3_data1", [{"loss": 0.7, "epoch": 1.0, "step": 4}])
    out = tmp_path / "out"
    assert_refused(run_import("hf-trainer", out, *good_runs, bare, *SEED_PATTERNS), out, "no eval entries")


@pytest.mark.parametrize(("patterns", "message"), [
    (("--wi", r"lr(\d+)", "--do", r"data(\d+)"), "matches none of the 4 run paths"),
    (("--wi", r"seed(\d+)", "--do", r"data([2])"), "matches nothing in"),
    (("--wi", r"seed\d+", "--do", r"data(\d+)"), "needs a group"),
    (("--wi", r"seed(", "--do", r"data(\d+)"), "not a regular expression"),
    (("--wi", r"seed(\d+)"), "give the seeds"),
])
def test_seed_patterns_that_do_not_place_every_run(
        good_runs: list[Path], tmp_path: Path, patterns: tuple[str, ...], message: str) -> None:
    out = tmp_path / "out"
    assert_refused(run_import("hf-trainer", out, *good_runs, *patterns), out, message)


def test_duplicate_seed_pairs(good_runs: list[Path], tmp_path: Path) -> None:
    again = write_trainer_state(tmp_path / "more" / "seed1_data1", hf_history({"eval_accuracy": 0.9}))
    out = tmp_path / "out"
    assert_refused(run_import("hf-trainer", out, *good_runs, again, *SEED_PATTERNS), out,
                   "duplicate seed pair wi1-do1")


def test_mixed_metrics(good_runs: list[Path], tmp_path: Path) -> None:
    other = write_trainer_state(tmp_path / "runs" / "seed3_data1", hf_history({"eval_f1": 0.5}))
    out = tmp_path / "out"
    assert_refused(run_import("hf-trainer", out, *good_runs, other, *SEED_PATTERNS), out, "mixed metrics")
    assert_refused(run_import("hf-trainer", out, *good_runs, other, *SEED_PATTERNS, "--metric", "accuracy"),
                   out, "mixed metrics: eval_accuracy is not logged by")


def test_several_metrics_need_a_choice(tmp_path: Path) -> None:
    both = {"eval_accuracy": 0.5, "eval_f1": 0.4}
    runs = [write_trainer_state(tmp_path / "runs" / f"seed1_data{do}", hf_history(both)) for do in (1, 2)]
    out = tmp_path / "out"
    assert_refused(run_import("hf-trainer", out, *runs, *SEED_PATTERNS), out,
                   "several eval metrics (eval_accuracy, eval_f1)")


def test_a_mapping_file_that_misses_a_run(good_runs: list[Path], tmp_path: Path) -> None:
    mapping = tmp_path / "seeds.json"
    mapping.write_text(json.dumps({str(path): {"wi": 1, "do": n} for n, path in enumerate(good_runs[:3])}))
    out = tmp_path / "out"
    assert_refused(run_import("hf-trainer", out, *good_runs, "--map", mapping), out,
                   f"has no seeds for: {good_runs[3]}")


def test_an_existing_non_empty_sweep_is_left_alone(good_runs: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = run_import("hf-trainer", out, *good_runs, *SEED_PATTERNS)
    assert result.exit_code == 2 and "exists and is not empty" in result.stderr
    assert [path.name for path in out.iterdir()] == ["notes.txt"]


def test_a_directory_without_trainer_state(good_runs: list[Path], tmp_path: Path) -> None:
    empty = tmp_path / "runs" / "seed5_data5"
    empty.mkdir()
    out = tmp_path / "out"
    assert_refused(run_import("hf-trainer", out, *good_runs, empty, *SEED_PATTERNS), out,
                   "no trainer_state.json")


@pytest.mark.parametrize(("table", "message"), [
    ("wi,do,step,value\n1,1,2,0.5\n", "missing columns kind"),
    ("wi,do,step,kind,value\n1,1,2,eval,high\n", "line 2"),
    ("wi,do,step,kind,value\n1,1,2,test,0.5\n", "kind 'test' is not train or eval"),
    ("wi,do,step,kind,value\n1,1,2,eval,0.5\n1,2,2,train,0.7\n", "no eval entries for wi1-do2"),
    ("wi,do,step,kind,value,metric\n1,1,2,eval,0.5,acc\n1,2,2,eval,0.5,f1\n", "mixed metrics"),
    ("wi,do,step,kind,value\n1,1,2,eval,0.5\n1,1,2,eval,0.6\n", "two eval rows for wi1-do1 at step 2"),
    ("wi,do,step,kind,value\n", "no rows"),
])
def test_bad_long_tables(tmp_path: Path, table: str, message: str) -> None:
    path = tmp_path / "runs.csv"
    path.write_text(table)
    out = tmp_path / "out"
    assert_refused(run_import("csv", out, path), out, message)


def test_many_runs_show_progress_on_stderr(tmp_path: Path) -> None:
    """Off a terminal, a line every tenth of the way while reading and while writing."""
    runs = [write_trainer_state(tmp_path / "runs" / f"seed{wi}_data{do}", hf_history({"eval_accuracy": 0.5}))
            for wi in range(5) for do in range(4)]
    result = run_import("hf-trainer", tmp_path / "out", *runs, *SEED_PATTERNS)
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert [line for line in lines if line.startswith("reading run")] == [
        f"reading run {done}/20" for done in range(2, 21, 2)]
    assert lines[-1] == "writing trial 20/20"
