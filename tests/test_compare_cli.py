"""``seedtui compare`` on the shipped sample sweeps, as a new user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seedtui.cli import app
from seedtui.testing.trial_log import write_trial

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_logs"
THREE = [SAMPLES / "cola-minilm-5x5", SAMPLES / "rte-minilm-5x5", SAMPLES / "mrpc-minilm-full-5x5"]


def compare(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["compare", *map(str, args)], env={"COLUMNS": "120"})
    return result.exit_code, result.stdout, result.stderr


def test_the_sample_sweeps_print_the_table_and_the_tests() -> None:
    command = [sys.executable, "-m", "seedtui", "compare", *map(str, THREE)]
    env = {**os.environ, "COLUMNS": "120"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(line for line in lines if "cola-minilm-5x5" in line)
    assert "rte-minilm-5x5" in header and "mrpc-minilm-full-5x5" in header
    rows = {line.split()[1]: line for line in lines if line.startswith("│")}
    # WI 4 is best on CoLA and RTE and third on MRPC; WI 2 is last on CoLA and RTE.
    assert "0.1140 (1)" in rows["4"] and "0.6043 (1)" in rows["4"] and "(3)" in rows["4"]
    assert "1.67" in rows["4"] and "4.67" in rows["2"]
    assert "Kendall's W = 0.4667" in result.stdout
    assert "Friedman chi-square = 5.6000, df = 4, p = 0.2311" in result.stdout
    assert "permutation test of W: p = 0.2525" in result.stdout
    assert "No evidence that the sweeps agree" in result.stdout
    assert "model /tmp/minilm, 2 labels" in result.stdout


def test_json_is_reproducible_and_follows_the_argument_order() -> None:
    code, out, _ = compare(*reversed(THREE), "--json", "--permutations", "2000", "--seed", "5")
    assert code == 0
    data = json.loads(out)
    assert data["sweeps"] == ["mrpc-minilm-full-5x5", "rte-minilm-5x5", "cola-minilm-5x5"]
    assert data["wi_seeds"] == [1, 2, 3, 4, 5]
    assert data["ranks"]["rte-minilm-5x5"] == [3.0, 5.0, 2.0, 1.0, 4.0]
    assert data["kendall_w"] == pytest.approx(7 / 15)
    assert data["permutation"]["n"] == 2000
    assert json.loads(compare(*reversed(THREE), "--json", "--permutations", "2000", "--seed", "5")[1]) == data


def test_a_folder_of_sweeps_leaves_out_the_one_with_other_seeds() -> None:
    code, out, _ = compare(SAMPLES)
    assert code == 0
    assert "left out: cola-minilm-tfp (WI 11, 12, 13)" in out
    assert "Kendall's W = 0.4667" in out


def test_fewer_than_two_sweeps_or_common_seeds_exit_2(tmp_path: Path) -> None:
    code, _, err = compare(SAMPLES / "rte-minilm-5x5")
    assert code == 2 and "at least 2 sweeps; found 1" in err
    write_trial(tmp_path / "other", 1, 1, [0.6, 0.7], evals_per_epoch=2, model="/tmp/minilm")
    code, _, err = compare(SAMPLES / "rte-minilm-5x5", tmp_path / "other")
    assert code == 2 and "at least 2 WI seeds common to every sweep; found 1" in err


def _sweep(root: Path, model: str, means: list[float]) -> Path:
    for wi, mean in enumerate(means, start=1):
        for do in (1, 2):
            write_trial(root, wi, do, [mean - 0.1, mean + 0.01 * do], evals_per_epoch=2, model=model)
    return root


def test_a_folder_leaves_out_a_sweep_whose_head_differs_and_naming_it_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "sweeps"
    _sweep(folder / "a", "/models/minilm", [0.6, 0.7, 0.8])
    _sweep(folder / "b", "/models/minilm", [0.7, 0.6, 0.8])
    _sweep(folder / "c", "/models/bert-large", [0.8, 0.7, 0.6])
    code, out, err = compare(folder)
    assert code == 0, err
    assert "left out: c: a WI seed draws a different head there (model /models/bert-large" in out
    code, _, err = compare(folder / "a", folder / "c")
    assert code == 2 and "a WI seed draws a different head in c" in err
