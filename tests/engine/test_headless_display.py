"""What ``seedtui --auto-stop`` prints on a terminal, and the end-of-sweep summary: the overall bar
on its own line, running trials' columns whole at 100 columns, an aborted sweep not credited with
savings, and the majority baseline shown."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from seedtui.core.engine.config import load_sweep_config
from seedtui.core.engine.headless import render_progress, render_summary
from seedtui.core.engine.plan import make_plan
from seedtui.core.engine.summary import summarize
from seedtui.state import load_trials
from seedtui.testing.trial_log import DEFAULT_MAJORITY, write_trial

CONFIG = """
name = "display"
task = "rte"
wi_seeds = "1-2"
do_seeds = "1-2"
[data]
dir = "data"
"""


def _render(renderable: object, width: int) -> list[str]:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(renderable)
    return out.getvalue().splitlines()


def _sweep(tmp_path: Path, *, finished: bool) -> tuple[dict, Path]:
    (tmp_path / "data").mkdir(parents=True)
    (tmp_path / "sweep.toml").write_text(CONFIG)
    sweep = tmp_path / "sweep"
    write_trial(sweep, 1, 1, [0.6, 0.7], status="completed", total_evals=2)
    write_trial(sweep, 1, 2, [0.55, 0.65], status="completed", total_evals=2)
    write_trial(sweep, 2, 1, [0.5], status="completed" if finished else None, total_evals=2)
    if finished:
        write_trial(sweep, 2, 2, [0.5, 0.52], status="stopped", total_evals=2)
    config = load_sweep_config(tmp_path / "sweep.toml")
    states = {s.trial_id: s for s in load_trials(sweep)}
    return summarize(config, make_plan(config), states), sweep


def test_the_overall_bar_has_its_own_line_and_running_columns_fit_100_columns(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    for do in (1, 2, 3):
        write_trial(sweep, 1, do, [0.61234, 0.65432], status=None, total_evals=30)
    states = load_trials(sweep)
    for state in states:  # their writer is not alive here: mark them as a live follower would
        state.status = "running"
    nodes = {s.trial_id: "10.0.0.7 (node-with-a-long-identifier-a1b2c3d4e5f6)" for s in states}
    lines = _render(render_progress(states, 9, nodes), 100)
    assert lines[0].startswith("trials 0/9 ended")
    assert "wi1-do1" not in lines[1]  # the overall bar is not glued to the first trial's line
    assert all(len(line) <= 100 for line in lines)
    trial_lines = [line for line in lines if "wi1-do" in line]
    assert len(trial_lines) == 3  # one line per running trial, none wrapped
    for line in trial_lines:
        assert line.count("0.6543") == 2 and "20/300" in line  # step, score and best are whole


def test_an_aborted_sweep_claims_no_savings_and_the_summary_shows_the_baseline(tmp_path: Path) -> None:
    summary, _ = _sweep(tmp_path, finished=False)
    assert summary["unfinished"] == 2  # wi2-do1 running (no end), wi2-do2 queued
    assert summary["compute_saved_fraction"] is None
    assert summary["majority_baseline"] == DEFAULT_MAJORITY
    text = "\n".join(_render(render_summary(summary), 200))
    assert "% saved" not in text
    assert "2 trial(s) unfinished" in text
    assert f"{DEFAULT_MAJORITY:.4f}" in text and "majority baseline" in text


def test_a_finished_sweep_reports_what_it_saved(tmp_path: Path) -> None:
    summary, _ = _sweep(tmp_path / "done", finished=True)
    assert summary["unfinished"] == 0
    text = "\n".join(_render(render_summary({**summary, "compute_saved_fraction": 0.25}), 160))
    assert "25% saved" in text
