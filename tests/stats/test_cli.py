"""``seedtui stats`` and ``seedtui plan`` as a user runs them: real subprocesses on real logs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from seedtui.cli.stats_cmd import parse_budgets


def seedtui(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seedtui", *map(str, args)], capture_output=True, text=True, timeout=120
    )


def test_stats_json(small_sweep: Path) -> None:
    result = seedtui("stats", small_sweep, "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["n_trials"] == 12 and summary["metric"] == "acc"
    assert len(summary["evp"]["per_epoch"]["mean"]) == 12


def test_stats_tables_name_the_sections_and_exclusions(small_sweep: Path) -> None:
    from seedtui.testing.trial_log import write_trial

    write_trial(small_sweep, 9, 9, [0.5, 0.6], status="failed")
    result = seedtui("stats", small_sweep, "--bootstrap", "20")
    assert result.returncode == 0, result.stderr
    for text in (
        "12 trials used",
        "wi9-do9",
        "status failed",
        "Table 3",
        "Table 4",
        "Variance components",
        "Expected validation performance",
        "Correlation",
        "Best trial",
    ):
        assert text in result.stdout


@pytest.mark.parametrize("command", ["stats", "plan"])
def test_no_logs_and_missing_directory_exit_2(tmp_path: Path, command: str) -> None:
    empty = seedtui(command, tmp_path)
    assert empty.returncode == 2 and "no trial logs" in empty.stderr
    missing = seedtui(command, tmp_path / "nope")
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_only_unusable_trials_exit_2_with_the_reason(tmp_path: Path) -> None:
    from seedtui.testing.trial_log import write_trial

    write_trial(tmp_path, 0, 0, [0.5], status="running")
    result = seedtui("stats", tmp_path)
    assert result.returncode == 2 and "not completed" in result.stderr
    assert seedtui("stats", tmp_path, "--include-incomplete", "--json").returncode == 0


def test_plan_json_budgets(small_sweep: Path) -> None:
    result = seedtui("plan", small_sweep, "--budgets", "1-4", "--json", "--max-t", "40")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["budgets"]
    assert [row["budget"] for row in rows] == [1, 2, 3, 4]
    for row in rows:
        assert {
            "budget",
            "t",
            "f",
            "p",
            "expected_best",
            "sd",
            "baseline",
            "relative_error_reduction",
        } <= set(row)
        assert row["expected_best"] >= row["baseline"] - 1e-12


def test_plan_one_budget_table_and_one_setting(small_sweep: Path) -> None:
    table = seedtui("plan", small_sweep, "--budget", "3", "--without-replacement")
    assert table.returncode == 0, table.stderr
    assert "Best t/f/p setting" in table.stdout
    one = seedtui("plan", small_sweep, "--t", "8", "--f", "0.2", "--p", "2", "--json", "--simulate", "2000")
    assert one.returncode == 0, one.stderr
    setting = json.loads(one.stdout)["setting"]
    assert (setting["t"], setting["k"], setting["p"]) == (8, 2, 2)
    assert (
        abs(setting["monte_carlo"]["mean"] - setting["expected_best"])
        < 6 * setting["monte_carlo"]["standard_error"]
    )


def test_plan_bad_options_exit_2(small_sweep: Path) -> None:
    # f = 0.25 is not a k/10: it is snapped to the nearest evaluation, 3/10, and the user is told
    snapped = seedtui("plan", small_sweep, "--t", "8", "--f", "0.25", "--p", "2", "--json")
    assert snapped.returncode == 0 and "3/10" in snapped.stderr
    assert json.loads(snapped.stdout)["setting"]["k"] == 3
    assert seedtui("plan", small_sweep, "--t", "8", "--f", "0", "--p", "2").returncode == 2
    # A budget above the number of logged trials needs --max-t.
    assert seedtui("plan", small_sweep, "--budgets", "30").returncode == 2
    assert seedtui("plan", small_sweep, "--t", "8").returncode == 2
    assert seedtui("plan", small_sweep, "--budgets", "x-3").returncode == 2
    assert seedtui("plan", small_sweep, "--budgets", "20", "--without-replacement").returncode == 2


def test_stats_runs_without_importing_torch_or_textual(small_sweep: Path) -> None:
    code = (
        "import sys\nfrom seedtui.cli import main\n"
        f"try:\n    main(['stats', {str(small_sweep)!r}, '--json'])\nexcept SystemExit:\n    pass\n"
        "print('HEAVY', sorted(m for m in ('torch', 'textual') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stdout


def test_parse_budgets() -> None:
    assert parse_budgets("1-3,8") == [1, 2, 3, 8]
    assert parse_budgets("5") == [5]
    for bad in ("0-2", "a", ""):
        with pytest.raises(ValueError):
            parse_budgets(bad)
