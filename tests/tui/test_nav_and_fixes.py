"""Pilot tests of issue 12's navigation, drill-down and planner items, and of each broken item it
lists (each failed before its fix): they press keys and assert on the app's state."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from textual.command import CommandPalette
from textual.widgets import Input

from seedtui.core.view.curves import smooth_ema
from seedtui.tui.screens.help import HelpScreen
from seedtui.tui.screens.search import SearchScreen
from seedtui.tui.screens.sort_menu import SortMenu
from seedtui.tui.screens.tfp import TfpScreen
from seedtui.tui.screens.trial_detail import TrialDetailScreen
from seedtui.tui.widgets.curves import CurvesPane
from seedtui.tui.widgets.decisions_log import DecisionsLog
from seedtui.tui.widgets.heatmap import Heatmap
from seedtui.tui.widgets.stats_pane import EVP_PLOT_HEIGHT, StatsPane
from seedtui.tui.widgets.trial_table import TrialTable
from tests.tui.conftest import ReplayAppFactory, screen_text, settle

pytestmark = pytest.mark.anyio


async def test_decisions_that_arrive_while_the_log_is_hidden_are_not_wrapped_at_20_columns(
    replay_app: ReplayAppFactory,
) -> None:
    app = replay_app(70.0)
    async with app.run_test(size=(80, 24)) as pilot:  # one pane at a time
        await settle(app, pilot)
        app.show_pane("log")  # the log has been drawn once ...
        await pilot.pause()
        app.show_pane("trials")  # ... and is hidden when the decision arrives
        await pilot.pause()
        app.select_trial("wi2-do1")
        await pilot.press("x", "y")
        await settle(app, pilot)
        app.show_pane("log")
        await settle(app, pilot)
        assert "SIMULATED user stop wi2-do1" in screen_text(app)


async def test_an_empty_decisions_log_says_why(replay_app: ReplayAppFactory) -> None:
    app = replay_app(5.0)  # before any decision
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("5")
        await settle(app, pilot)
        assert "No decision yet" in screen_text(app)


async def test_filter_skips_empty_statuses_and_the_selection_follows_the_cursor(
    replay_app: ReplayAppFactory,
) -> None:
    app = replay_app(130.0)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        table = app.query_one(TrialTable)
        present = {s.status for s in app.model.trials.values()}
        seen = []
        for _ in range(len(present) + 1):
            await pilot.press("f")
            seen.append(table.status_filter)
            assert table.rows, f"f showed an empty table for {table.status_filter}"
            # the panes show the trial the table's cursor is on, not one the filter hid
            assert app.selected == table.selected_trial
            assert app.query_one(CurvesPane).selected_trial == app.selected
            assert app.query_one(DecisionsLog).stderr_trial == app.selected
            assert app.query_one(Heatmap).selected_trial == app.selected
            if table.status_filter is not None:
                assert f"status {table.status_filter}" in str(table.border_title)
        assert set(seen) == present | {None}


async def test_search_sort_menu_title_and_empty_state(replay_app: ReplayAppFactory) -> None:
    app = replay_app(130.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.query_one(TrialTable)
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press("d", "o", "3", "enter")
        await settle(app, pilot)
        assert table.rows and all("do3" in t for t in table.rows)
        assert app.selected in table.rows
        assert "search 'do3'" in str(table.border_title)
        await pilot.press("S")
        assert isinstance(app.screen, SortMenu)
        await pilot.press("b")  # one key to sort by best
        await settle(app, pilot)
        assert table.sort_column == "best" and table.descending
        assert "sort best ↓" in str(table.border_title)
        await pilot.press("slash")
        await pilot.press("n", "o", "n", "e", "enter")
        await settle(app, pilot)
        assert table.rows == []
        assert "No trial matches 'none'" in screen_text(app)
        await pilot.press("slash", "ctrl+a", "backspace")  # an empty search shows every trial again
        app.screen.query_one("#search", Input).value = ""
        await pilot.press("enter")
        await settle(app, pilot)
        assert len(table.rows) == len(app.model.trials)


async def test_two_columns_from_100_and_zoom(replay_app: ReplayAppFactory) -> None:
    app = replay_app(70.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.screen.has_class("-medium")
        trials, grid = app.query_one("#trials"), app.query_one("#grid")
        assert trials.region.width > 0 and grid.region.width > 0  # side by side
        assert grid.region.x >= trials.region.right
        await pilot.press("4")
        assert app.query_one("#stats").region.width > 0 and app.query_one("#grid").region.width == 0
        assert app.query_one("#trials").region.width > 0
        await pilot.press("1", "z")
        assert app.zoomed and app.query_one("#trials").region.width == 120
        assert app.query_one("#grid").region.height == 0
        await pilot.press("z")  # back to two columns: the right one still shows the statistics
        assert not app.zoomed and app.query_one("#stats").region.width > 0
        assert 0 < app.query_one("#trials").region.width < 120
        await pilot.press("2")
        assert app.query_one("#grid").region.width > 0 and app.query_one("#stats").region.width == 0


async def test_enter_opens_the_trial_with_a_value_cursor_and_marked_overlays(
    replay_app: ReplayAppFactory,
) -> None:
    app = replay_app(10_000.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        app.select_trial("wi1-do2")
        await pilot.press("m")
        assert app.marked == ["wi1-do2"]
        longest = max(app.model.trials.values(), key=lambda s: len(s.eval_scores)).trial_id
        app.select_trial(longest)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TrialDetailScreen) and screen.trial_id == longest
        assert screen.marked == ["wi1-do2"]
        state = app.model.trials[longest]
        last = len(state.eval_scores) - 1
        assert screen.cursor_index() == last
        await pilot.press("left", "left")
        assert screen.cursor_index() == last - 2
        text = screen_text(app)
        assert f"eval {last - 1}/{last + 1}" in text and f"{state.eval_scores[last - 2]:.4f}" in text
        assert "configuration" in text and "batch_size" in text
        assert "stderr (live tail)" in text and "smoothed" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, TrialDetailScreen)


async def test_shared_sparkline_scale_and_the_command_palette(replay_app: ReplayAppFactory) -> None:
    app = replay_app(130.0)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        table = app.query_one(TrialTable)
        await pilot.press("v")
        assert table.shared_scale and table._score_range is not None
        commands = list(app.get_system_commands(app.screen))
        titles = {c.title for c in commands}
        for description in ("Search trials", "Sort menu", "Zoom pane", "Open trial", "Kill", "t/f/p"):
            assert description in titles
        # one Quit, ours (Textual's own would skip the leave-or-stop question of a live sweep)
        assert [c.help for c in commands if c.title == "Quit"] == ["key q"]
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"sort menu", "enter")  # a command runs its action
        await settle(app, pilot)
        assert isinstance(app.screen, SortMenu)
        await pilot.press("escape")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)  # the help lists the trial screen's keys too
        assert "trial screen (enter)" in dict(app.screen.groups)


async def test_the_planner_offers_three_settings_and_recomputes_when_trials_finish(
    replay_app: ReplayAppFactory,
) -> None:
    pytest.importorskip("seedtui.core.stats")
    app = replay_app(20.0)  # no trial has completed yet
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        assert isinstance(app.screen, TfpScreen)
        assert app.screen.initial.f == 1.0  # no plan yet: no early stopping, a valid choice
        pane = app.query_one(StatsPane)
        assert pane.plan_error is not None and "none has completed yet" in pane.plan_error
        await pilot.press("escape", "e")  # every trial ends
        await settle(app, pilot)
        app._start_stats()
        await settle(app, pilot)
        await settle(app, pilot)
        assert pane.plan_error is None  # the refusal did not stick
        assert len(pane.plan_rows) == 3 and pane.plan_rows[0].expected_best >= pane.plan_rows[1].expected_best
        pane.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        text = screen_text(app)
        assert "best settings" in text and "3. " in text and "Setting(" not in text


async def test_a_budget_above_the_trials_is_refused_in_a_sentence(replay_app: ReplayAppFactory) -> None:
    pytest.importorskip("seedtui.core.stats")
    app = replay_app(10_000.0)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        await pilot.press("1", "0", "0", "0", "enter")
        await settle(app, pilot)
        pane = app.query_one(StatsPane)
        assert pane.plan_error is not None and pane.plan_error.startswith("A budget of 1000 full trainings")
        assert "Setting(" not in pane.plan_error and "planner:" not in pane.plan_error


def test_smoothing_removes_noise_keeps_the_level_and_skips_non_finite_values() -> None:
    rng = np.random.default_rng(0)
    noisy = 1.0 + rng.normal(0, 0.2, 400)
    smoothed = smooth_ema(noisy, 0.9)
    assert abs(smoothed[0] - noisy[0]) < 1e-12  # debiased: the first point is the first value
    assert np.std(smoothed[100:]) < np.std(noisy[100:]) / 2
    assert abs(float(np.mean(smoothed[100:])) - 1.0) < 0.05
    with_nan = smooth_ema([1.0, float("nan"), 3.0], 0.5)
    assert np.isnan(with_nan[1]) and np.isfinite(with_nan[2])


def test_commands_are_said_in_words() -> None:
    from seedtui.text.commands import describe_command

    assert describe_command("kill", {"trial": "wi4-do3", "by": "user"}) == "kill wi4-do3"
    assert describe_command("apply_tfp", {"t": 8, "f": 0.5, "p": 2}) == "t/f/p t=8 f=0.5 p=2"
    assert describe_command("pause", {}) == "pause the queue"


async def test_read_only_says_so_and_offers_no_steering_keys(sweep_dir: Path) -> None:
    from tests.tui.test_app_live import live_app

    app, _ = live_app(sweep_dir)  # no supervisor: a finished (or stopped) sweep
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        assert app.last_message.startswith("Read-only: no supervisor runs this sweep")
        assert f"seedtui run {sweep_dir}" in app.last_message
        footer_keys = {b.binding.action for b in app.active_bindings.values()}
        assert not footer_keys & {"kill_selected", "kill_diverged", "tfp", "toggle_queue"}
        assert "search" in footer_keys
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert "Kill" not in titles and "t/f/p" not in titles


async def test_a_finished_sweep_says_it_is_finished(sweep_dir: Path) -> None:
    import socket
    import time

    from seedtui.log.supervisor_state import write_state
    from tests.tui.test_app_live import live_app

    # what a supervisor leaves when the sweep has ended (its process gone: pid 0 is never a trial's)
    write_state(sweep_dir, {"pid": 2**22 + 1, "host": socket.gethostname(), "started": time.time() - 60,
                            "heartbeat": time.time() - 30, "paused": False, "state": "finished"})
    app, source = live_app(sweep_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert not source.can_act
        assert app.last_message.startswith("Read-only: this sweep has finished")


def test_a_do_row_without_an_f_shows_no_p_value() -> None:
    from seedtui.tui.renderables.stats import seed_table

    summary = {"seed_sd": {"wi": 0.01, "do": 0.0, "total": 0.01},
               "anova": {"wi": {"F": 4.2, "p": 0.0004}, "do": {"F": None, "p": 0.0}},
               "two_way_anova": {"wi": {"p": 0.2}, "do": {"p": float("nan")}}}
    table = seed_table(summary)
    rows = list(zip(*(column.cells for column in table.columns), strict=True))
    wi, do = rows[0], rows[1]
    assert wi[2:4] == ("4.20", "<0.001")
    assert do[2:5] == ("-", "-", "-")  # was: F -  p 0.000, which read as highly significant


def test_plan_text_speaks_in_sentences_and_offers_no_early_stopping_as_an_answer() -> None:
    from seedtui.core.stats.planner import PlanRow
    from seedtui.tui.renderables.stats import plan_text

    tiny = PlanRow(budget=5, t=8, f=7 / 30, k=7, p=2, expected_best=0.7, sd=0.01, baseline=0.7,
                   relative_error_reduction=-4.9e-6, cost=5.0)
    text = plan_text([tiny], 5).plain
    assert "e-0" not in text and "%" not in text  # was: error -4.9e-04%
    assert "t=8 f=7/30 p=2" in text and "As good as training 5 trials fully" in text
    full = PlanRow(budget=5, t=5, f=1.0, k=30, p=5, expected_best=0.72, sd=0.01, baseline=0.72,
                   relative_error_reduction=0.0, cost=5.0)
    text = plan_text([full, tiny], 5).plain
    assert "1. no early stopping: train 5 fully" in text
    assert "Stopping early does not pay at this budget" in text


def test_best_settings_ranks_as_plan_does() -> None:
    from seedtui.core.stats.planner import best_settings, plan

    rng = np.random.default_rng(1)
    curves = np.cumsum(rng.normal(0.01, 0.02, (12, 6)), axis=1) + 0.5
    top = best_settings(curves, 4, 3)
    assert len(top) == 3
    assert top[0] == plan(curves, [4])[0]
    assert [r.expected_best for r in top] == sorted((r.expected_best for r in top), reverse=True)
    assert len({(r.t, r.k, r.p) for r in top}) == 3


async def test_the_stats_chart_is_not_garbled_at_100x30(replay_app: ReplayAppFactory) -> None:
    pytest.importorskip("seedtui.core.stats")
    app = replay_app(10_000.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("4")
        app._start_stats()
        await settle(app, pilot)
        lines = screen_text(app).splitlines()
        axis = [line for line in lines if "└1" in line]
        assert axis, "the EVP chart is drawn"
        # the x axis ends on its own line: a chart one column too wide wrapped every line
        assert "trials" in axis[0]
        top = next(i for i, line in enumerate(lines) if "EVP (every eval)" in line)
        assert lines.index(axis[0]) - top == EVP_PLOT_HEIGHT - 1
