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


HOSTILE = "[/x] [bold]boom\x1b[2J\x1b]0;title\x07\rdone\x9b31m"
"""A failure reason or stderr line with markup a Rich console would parse (``[/x]`` raises
MarkupError) and raw escape sequences (clear the screen, retitle the terminal, a CR, a C1 CSI)."""


def _printed(*renderables: object) -> str:
    out = io.StringIO()
    console = Console(file=out, width=400, color_system=None, force_terminal=False)
    for renderable in renderables:
        console.print(renderable, soft_wrap=True)
    return out.getvalue()


def test_headless_lines_show_hostile_reasons_literally_and_never_send_control_codes(tmp_path: Path) -> None:
    from seedtui.core.engine.headless import _print_changes, status_line

    end = {"event": "end", "t": 1.0, "status": "failed", "step": 3, "reason": HOSTILE, "by": HOSTILE}
    start = {"event": "start", "t": 0.5}
    decision = {"t": 2.0, "rule": "tfp", "action": "stop", "trial": "wi1-do1", "reason": HOSTILE}
    out = io.StringIO()
    console = Console(file=out, width=400, color_system=None, force_terminal=False)
    _print_changes(console, [("wi1-do1", start), ("wi1-do1", end)], [decision],
                   node_of=lambda trial, host: HOSTILE)
    summary, sweep = _sweep(tmp_path, finished=False)
    text = out.getvalue() + _printed(
        render_summary({**summary, "sweep": HOSTILE, "policy": "[bold]"}, {"wi1-do1": HOSTILE}),
        status_line(load_trials(sweep), 4, {"wi2-do1": HOSTILE}),
        render_progress(load_trials(sweep), 4, {"wi2-do1": HOSTILE}))
    control = [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0]
    assert control == []  # no escape, BEL, CR or CSI reaches the terminal
    literal = "[/x] [bold]boom\\x1b[2J\\x1b]0;title\\x07\\x0ddone\\x9b31m"
    assert text.count(literal) >= 4  # the reason, by, node and decision, each shown as written
    assert "Sweep " + literal in text and "(\\[bold])" not in text and "([bold])" in text


def test_one_sanitiser_keeps_lines_where_a_pane_shows_many() -> None:
    from seedtui.text.terminal import markup_literal, printable

    assert printable("a\tb\nc\x1b[2J") == "a b\\x0ac\\x1b[2J"
    assert printable("a\tb\nc\x1b[2J", multiline=True) == "a    b\nc\\x1b[2J"
    assert markup_literal("[/x]") == "\\[/x]" and markup_literal("plain é ✓") == "plain é ✓"
