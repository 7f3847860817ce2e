"""Pilot tests over a replay of the synthetic sweep: every key, asserting on the app's state.
Actions here act on the SIMULATED copy; the files are checked to be untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from textual.widgets import Input

from seedtui.testing.replay_sweep import MARKUP_LINE
from seedtui.tui.renderables.trial_row import layout_columns
from seedtui.tui.screens.confirm import ConfirmScreen
from seedtui.tui.screens.help import HelpScreen
from seedtui.tui.screens.tfp import TfpScreen
from seedtui.tui.widgets.curves import CurvesPane
from seedtui.tui.widgets.decisions_log import DecisionsLog
from seedtui.tui.widgets.heatmap import Heatmap
from seedtui.tui.widgets.trial_table import TrialTable
from tests.tui.conftest import ReplayAppFactory, screen_text, settle

pytestmark = pytest.mark.anyio


def digest(sweep: Path) -> str:
    hasher = hashlib.sha256()
    for path in sorted(sweep.rglob("*")):
        if path.is_file():
            hasher.update(path.name.encode() + path.read_bytes())
    return hasher.hexdigest()


async def test_replay_loads_every_trial_and_selection_follows_the_cursor(
    replay_app: ReplayAppFactory,
) -> None:
    app = replay_app(70.0)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        assert len(app.model.trials) == 20
        counts = app.model.counts()
        assert counts["queued"] > 0 and counts["running"] > 0 and counts["failed"] == 1
        table = app.query_one(TrialTable)
        assert app.selected == table.rows[0] == "wi1-do1"
        await pilot.press("down", "down")
        assert app.selected == "wi1-do3"
        assert app.query_one(Heatmap).cursor == (0, 2)
        assert app.query_one(CurvesPane).selected_trial == "wi1-do3"
        assert app.query_one(DecisionsLog).stderr_trial == "wi1-do3"
        app.query_one(Heatmap).focus()
        await pilot.press("down", "right")
        assert app.selected == "wi2-do4"
        assert table.selected_trial == "wi2-do4"


async def test_mouse_selects_cells_and_sorts_columns(replay_app: ReplayAppFactory) -> None:
    app = replay_app(70.0)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        heatmap = app.query_one(Heatmap)
        # content starts inside the border: row wi2 is content line 3 + 1 (below the title, the axis
        # title and the DO seeds), DO 3 is the third cell, each printing its value (7 columns wide)
        await pilot.click(Heatmap, offset=(1 + 6 + 7 * 2 + 2, 1 + 3 + 1))
        await pilot.pause()
        assert app.selected == "wi2-do3" and heatmap.cursor == (1, 2)
        table = app.query_one(TrialTable)
        assert table.selected_trial == "wi2-do3"
        columns, _ = layout_columns(table.scrollable_content_region.width)
        best_x = sum(c.width + 1 for c in columns[: [c.key for c in columns].index("best")])
        await pilot.click(TrialTable, offset=(1 + best_x + 1, 1))  # on the "best" header
        await pilot.pause()
        assert table.sort_column == "best" and table.descending
        await pilot.click(TrialTable, offset=(3, 1 + 3))  # third row
        await pilot.pause()
        assert app.selected == table.rows[2]


async def test_stderr_with_rich_markup_shows_literally(replay_app: ReplayAppFactory) -> None:
    app = replay_app(70.0)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        app.select_trial("wi1-do3")  # the failed trial, whose stderr holds markup
        await pilot.pause()
        shown = screen_text(app)
        assert MARKUP_LINE.startswith("[bold red]not markup[/bold red]")
        assert "[bold red]not markup[/bold red]" in shown  # the tags themselves are on screen
        assert "Traceback (most recent call last):" in shown


async def test_sort_reverse_filter_and_reorder_keys(replay_app: ReplayAppFactory) -> None:
    app = replay_app(130.0)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        table = app.query_one(TrialTable)
        for _ in range(8):  # trial, wi, do, status, progress, step, loss, last -> best
            await pilot.press("s")
        assert table.sort_column == "best" and table.descending
        bests = [app.model.trials[t].best_score() for t in table.rows]
        known = [b for b in bests if b is not None]
        assert known == sorted(known, reverse=True) and bests[-1] is None
        await pilot.press("r")
        assert not table.descending
        await pilot.press("f")
        assert table.status_filter == "queued"
        assert table.rows and all(app.model.trials[t].status == "queued" for t in table.rows)
        await pilot.press("f")
        assert table.status_filter == "running"
        heatmap = app.query_one(Heatmap)
        await pilot.press("o")
        assert heatmap.ordered
        rows = [row[np.isfinite(row)] for row in heatmap.grid.values]
        finite = [float(row.mean()) for row in rows if row.size]
        assert finite == sorted(finite, reverse=True)
        await pilot.press("o")
        assert not heatmap.ordered and heatmap.grid.wi_seeds == (1, 2, 3, 4)


async def test_panes_switch_with_number_keys_at_80x24(replay_app: ReplayAppFactory) -> None:
    app = replay_app(70.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.screen.has_class("-compact")
        for key, pane in (("2", "grid"), ("3", "curves"), ("4", "stats"), ("5", "log"), ("1", "trials")):
            await pilot.press(key)
            assert app.active_pane == pane
            assert app.query_one(f"#{pane}").display
            assert app.query_one(f"#{pane}").region.height > 10
            others = [p for p in ("trials", "grid", "curves", "stats", "log") if p != pane]
            assert all(app.query_one(f"#{other}").region.height == 0 for other in others)


async def test_kill_selected_asks_then_stops_the_simulated_trial(
    replay_app: ReplayAppFactory, sweep_dir: Path
) -> None:
    before = digest(sweep_dir)
    app = replay_app(70.0)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        app.select_trial("wi2-do1")
        assert app.model.trials["wi2-do1"].status == "running"
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmScreen) and "SIMULATED" in app.screen.title_text
        await pilot.press("n")
        await settle(app, pilot)
        assert app.model.trials["wi2-do1"].status == "running"
        await pilot.press("x", "y")
        await settle(app, pilot)
        state = app.model.trials["wi2-do1"]
        assert state.status == "stopped" and state.stopped_by == "user"
        assert app.last_message == "SIMULATED: stopped wi2-do1"
        assert "SIMULATED user stop wi2-do1" in screen_text(app)
        app.select_trial("wi1-do3")  # failed: nothing to kill
        await pilot.press("x")
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.last_message == "wi1-do3 has already ended (failed)"
        await pilot.press("e")  # the recorded future of the killed trial stays cut off
        await settle(app, pilot)
        assert app.model.trials["wi2-do1"].status == "stopped"
    assert digest(sweep_dir) == before


async def test_kill_diverged_lists_the_flagged_trials(replay_app: ReplayAppFactory) -> None:
    app = replay_app(70.0)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        flagged = app.diverging_trials()
        assert flagged == ["wi1-do5"]  # the trial that stays at the majority baseline
        await pilot.press("X")
        assert isinstance(app.screen, ConfirmScreen) and app.screen.lines == flagged
        await pilot.press("y")
        await settle(app, pilot)
        assert app.model.trials["wi1-do5"].status == "stopped"
        assert app.model.trials["wi1-do5"].stopped_by == "divergence"


async def test_tfp_dialog_shows_cost_and_applies_to_the_simulation(replay_app: ReplayAppFactory) -> None:
    app = replay_app(20.0)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        assert isinstance(app.screen, TfpScreen)
        dialog = app.screen
        for field, value in (("#tfp-t", "8"), ("#tfp-f", "0.5"), ("#tfp-p", "2")):
            dialog.query_one(field, Input).value = value
        await pilot.pause()
        assert "= 5.00 full trainings" in screen_text(app)  # 8*0.5 + 2*0.5
        dialog.query_one("#tfp-p", Input).value = "9"
        await pilot.pause()
        assert "p = 9 keeps more trials than the t = 8 started" in screen_text(app)
        # f = 1 (no early stopping) is an answer the dialog accepts, and it says what it means
        dialog.query_one("#tfp-p", Input).value = "2"
        dialog.query_one("#tfp-f", Input).value = "1"
        await pilot.pause()
        assert "no early stopping: 8 trials train fully" in screen_text(app)
        dialog.query_one("#tfp-f", Input).value = "0.5"
        await pilot.click("#apply")
        await settle(app, pilot)
        assert not isinstance(app.screen, TfpScreen)
        assert app.last_message.startswith("SIMULATED: t=8 f=0.5 p=2: 2 continue, ")
        await pilot.press("e")
        await settle(app, pilot)
        continued = [
            t for t, s in app.model.trials.items() if s.status in ("completed",) and s.progress == 1.0
        ]
        assert len(continued) <= 2
        assert sum(1 for s in app.model.trials.values() if s.stopped_by == "tfp") >= 8


async def test_planner_answers_a_typed_budget_and_prefills_tfp(replay_app: ReplayAppFactory) -> None:
    pytest.importorskip("seedtui.core.stats")
    app = replay_app(10_000.0)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        assert app.focused is app.query_one("#budget", Input)
        await pilot.press("5", "enter")
        await settle(app, pilot)
        rows = app.query_one("#stats").plan_rows
        assert rows and rows[0].budget == 5
        assert f"t={rows[0].t}" in screen_text(app)
        await pilot.press("escape", "t")
        await settle(app, pilot)
        assert isinstance(app.screen, TfpScreen)
        assert app.screen.initial.t == rows[0].t and app.screen.initial.p == rows[0].p
        await pilot.press("escape")


async def test_queue_pause_holds_new_trials_in_the_simulation(replay_app: ReplayAppFactory) -> None:
    app = replay_app(10.0)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        queued = {t for t, s in app.model.trials.items() if s.status == "queued"}
        await pilot.press("p")
        await settle(app, pilot)
        assert app.status is not None and app.status.queue_paused
        assert "queue PAUSED" in screen_text(app)
        for _ in range(6):
            await pilot.press("n")  # step through evaluations
        await settle(app, pilot)
        assert {t for t, s in app.model.trials.items() if s.status == "queued"} == queued
        await pilot.press("p")
        await settle(app, pilot)
        assert not app.status.queue_paused


async def test_replay_controls(replay_app: ReplayAppFactory) -> None:
    app = replay_app(10.0)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        source = app.source
        clock = source.replay_clock  # type: ignore[attr-defined]
        await pilot.press("plus", "plus", "minus", "right_square_bracket")
        assert clock.speed == 4.0
        assert app.status is not None and app.status.speed == 4.0
        evals_before = sum(len(s.eval_scores) for s in app.model.trials.values())
        await pilot.press("n")
        await settle(app, pilot)
        assert sum(len(s.eval_scores) for s in app.model.trials.values()) > evals_before
        assert clock.paused
        await pilot.press("space")
        assert not clock.paused
        await pilot.press("space")
        assert clock.paused
        await pilot.press("e")
        await settle(app, pilot)
        counts = app.model.counts()
        assert counts["running"] == 1 and counts["completed"] == 13 and counts["queued"] == 2


async def test_help_lists_every_key(replay_app: ReplayAppFactory) -> None:
    app = replay_app(10.0)
    async with app.run_test(size=(100, 80)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for binding in app.BINDINGS:
            assert binding.description in text, binding.description  # type: ignore[union-attr]
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_quit_in_replay_exits_without_asking(replay_app: ReplayAppFactory) -> None:
    app = replay_app(10.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_switching_between_sweeps(replay_app: ReplayAppFactory, tmp_path: Path) -> None:
    from seedtui.core.replay import load_timeline
    from seedtui.testing.replay_sweep import SweepShape, write_sweep
    from seedtui.tui.app import create_app
    from seedtui.tui.sources.replay import ReplaySource

    first = write_sweep(tmp_path / "many", "a-sweep")
    second = write_sweep(
        tmp_path / "many", "b-sweep", SweepShape(n_wi=2, n_do=2, queued_trials=0, with_every_status=False)
    )

    def source_for(path: Path) -> ReplaySource:
        return ReplaySource(path, timeline=load_timeline(path), start_position=1e6, paused=True)

    app = create_app(source_for(first), sweeps=[first, second], source_factory=source_for, refresh_seconds=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert len(app.model.trials) == 20
        await pilot.press("w")
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert app.source.sweep_dir == second
        assert sorted(app.model.trials) == ["wi1-do1", "wi1-do2", "wi2-do1", "wi2-do2"]
        assert "b-sweep" in screen_text(app)
