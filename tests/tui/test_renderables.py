"""The panes' drawing, as strings (Rich renderables rendered on a plain console)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rich.console import Console

from seedtui.core.view.heatmap import build_heatmap
from seedtui.core.view.sweep_info import SweepInfo
from seedtui.state import load_trials
from seedtui.tui.renderables.curves import EVAL_MARK, STOP_MARK, PlotSpec, plot_lines
from seedtui.tui.renderables.header import format_clock, header_text
from seedtui.tui.renderables.heatmap import HeatmapRenderable, visible_row_window
from seedtui.tui.renderables.stats import evp_sample_sizes, plan_text, summary_renderable
from seedtui.tui.renderables.trial_row import header_text as table_header
from seedtui.tui.renderables.trial_row import layout_columns, row_text
from seedtui.tui.screens.help import key_label
from seedtui.tui.screens.tfp import TfpChoice, parse_tfp, tfp_cost
from seedtui.tui.sources.base import SourceStatus
from seedtui.tui.widgets.decisions_log import decision_line


def render(renderable: object, width: int = 100) -> str:
    console = Console(width=width, record=True, color_system=None, file=open("/dev/null", "w"))
    console.print(renderable)
    return console.export_text()


def test_header_says_replay_and_simulated_and_counts() -> None:
    status = SourceStatus(mode="replay", simulated=True, position=75, duration=3725, speed=4.0, playing=False)
    text = header_text(
        SweepInfo(name="[bold]sweep"),
        task="rte",
        model="/models/minilm/",
        counts={"running": 3, "queued": 2, "completed": 5, "stopped": 0},
        status=status,
    ).plain
    assert "REPLAY" in text and "SIMULATED" in text and "4x" in text and "01:15/1:02:05" in text
    assert "[bold]sweep" in text and "minilm" in text
    assert "10 trials: run 3 queue 2 done 5" in text
    live = header_text(
        SweepInfo(name="s"), task=None, model=None, counts={}, status=SourceStatus(mode="read-only")
    ).plain
    assert "READ-ONLY" in live and "SIMULATED" not in live
    assert format_clock(None) == "--:--"


def test_table_row_and_header(sweep_dir: Path) -> None:
    trials = {t.trial_id: t for t in load_trials(sweep_dir, settle=False)}
    columns, spark = layout_columns(100)
    assert [c.key for c in columns][:4] == ["trial", "wi", "do", "status"] and spark >= 6
    row = row_text(trials["wi1-do2"], columns, spark).plain
    assert row.startswith("wi1-do2") and "diverged" in row and "nan" in row
    assert "best▼" in table_header(columns, spark, sort_column="best", descending=True).plain
    narrow, narrow_spark = layout_columns(56)
    assert "wi" not in [c.key for c in narrow] and narrow_spark >= 6
    assert layout_columns(48)[1] == 0  # the right pane's width at 100 columns: no 1-cell curves
    # sparkline titles are whole words at any width: "val curve" / "loss curve", else "val" / "loss"
    for width, titles in ((10, ["val", "curve", "loss", "curve"]), (6, ["val", "loss"]), (3, ["val"])):
        assert table_header([], width, sort_column="best", descending=True).plain.split() == titles


def test_heatmap_marks_every_status_and_legend(sweep_dir: Path) -> None:
    trials = load_trials(sweep_dir, settle=False)
    grid = build_heatmap(trials)
    text = render(HeatmapRenderable(grid, cursor=(1, 2), baseline=0.5, width=40))  # coloured cells
    lines = text.splitlines()
    wi1 = next(line for line in lines if line.strip().startswith("wi1"))
    assert wi1.split()[1:5] == ["×", "!", "✗", "‖"]  # stopped, diverged, failed, suspended
    wi4 = next(line for line in lines if line.strip().startswith("wi4"))
    assert "›" in wi4  # the running trial
    best = float(np.nanmax(grid.values))
    assert "baseline 0.500" in text and f"{best:.3f} best" in text
    assert "wi2-do3 completed" in text  # the cursor's cell is described
    assert visible_row_window(25, 20, 10) == (15, 25) and visible_row_window(5, 4, 10) == (0, 5)
    small = render(HeatmapRenderable(grid, cursor=(3, 0), baseline=0.5, max_height=10))
    assert "↑" in small and "wi4" in small and "wi1" not in small


def test_curve_plot_marks_evals_and_the_stop() -> None:
    curve = (np.array([0.5, 1.0, 1.5]), np.array([0.6, 0.7, 0.65]))
    spec = PlotSpec(
        "validation acc",
        (0, 2),
        (0.5, 0.8),
        np.zeros((40, 60), dtype=bool),
        curve,
        points=curve,
        stop_x=1.5,
        stop_label="stopped by tfp at 75%",
    )
    lines = [line.plain for line in plot_lines(spec, 37, 12)]
    assert len(lines) == 12 and lines[0].startswith("validation acc") and "stopped by tfp" in lines[0]
    assert sum(line.count(EVAL_MARK) for line in lines) == 3
    assert any(STOP_MARK in line for line in lines[1:-1])
    assert lines[-1].endswith("2 epochs") and lines[1].strip().startswith("0.8")


def test_stats_text_from_a_summary() -> None:
    summary = {
        "n_trials": 3,
        "best_trial": {"trial": "wi1-do2", "score": 0.71},
        "evp": {
            k: {"n": [1, 2, 3], "mean": [0.6, 0.65, 0.7], "sd": [0.05, 0.03, 0.0]}
            for k in ("every_eval", "per_epoch", "end_only")
        },
        "seed_sd": {"wi": 0.012, "do": 0.02, "total": 0.03},
        "anova": {"wi": {"F": 3.5, "p": 0.04}, "do": {"F": 1.2, "p": 0.3}},
        "correlation_with_final": {"eval_steps": [10, 20, 30], "spearman": [0.4, 0.8, 1.0]},
    }
    text = render(summary_renderable(summary, width=60, plot_height=8), width=60)
    assert "3 trials" in text and "wi1-do2 0.7100" in text
    assert "0.650±0.030" in text and "EVP" in text
    assert "0.0120" in text and "0.040" in text and "step 10: 0.40" in text
    assert "waiting" in render(summary_renderable(None))
    assert evp_sample_sizes(30) == [1, 2, 5, 10, 20, 30]
    plan = plan_text(
        [
            {
                "t": 11,
                "f": 0.25,
                "p": 3,
                "expected_best": 0.708,
                "sd": 0.008,
                "baseline": 0.704,
                "relative_error_reduction": 0.012,
            }
        ],
        5.0,
    ).plain
    assert "t=11 f=0.25 p=3" in plan and "budget 5" in plan


def test_log_text_is_literal_markup() -> None:
    line = decision_line(
        {
            "t": 110.0,
            "rule": "tfp",
            "action": "stop",
            "trial": "wi1-do1",
            "reason": "[bold red]boom[/bold red]",
            "simulated": True,
        },
        t0=100.0,
    )
    assert line.plain == "00:10 SIMULATED tfp stop wi1-do1: [bold red]boom[/bold red]"
    assert "[bold red]boom[/bold red]" in render(line)


def test_tfp_cost_and_validation_and_key_labels() -> None:
    assert tfp_cost(10, 0.25, 3) == 10 * 0.25 + 3 * 0.75
    assert parse_tfp("10", "0.5", "3") == TfpChoice(10, 0.5, 3)
    assert parse_tfp("3", "0.5", "4").startswith("p = 4 keeps more trials than the t = 3")
    # f = 1 is no early stopping: accepted, with p = t and a note saying so
    no_stop = parse_tfp("3", "1", "1", evals=30)
    assert no_stop == TfpChoice(3, 1.0, 3) and "no early stopping" in (no_stop.note or "")
    assert parse_tfp("3", "1.5", "1").startswith("f must be a fraction in (0, 1]")
    # f snaps to the nearest scheduled evaluation, typed as a number or as k/E
    snapped = parse_tfp("10", "0.33", "3", evals=30)
    assert snapped == TfpChoice(10, 10 / 30, 3) and "10/30" in (snapped.note or "")
    assert parse_tfp("10", "9/30", "3", evals=30) == TfpChoice(10, 0.3, 3)
    assert parse_tfp("x", "0.5", "1") == "t and p must be whole numbers"
    assert parse_tfp("30", "0.5", "1", max_trials=20).startswith("t = 30 is more trials than the grid")
    assert key_label("plus,right_square_bracket") == "+ ]" and key_label("question_mark") == "?"
