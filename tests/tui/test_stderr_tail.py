"""The stderr tail is laid out again only when its height can change (a layout of the whole screen
cost more than the rest of a cursor move), and then it always is."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from seedtui.tui.widgets.decisions_log import _height_changes, _lines_needed
from seedtui.tui.widgets.trial_table import TrialTable
from tests.tui.conftest import ReplayAppFactory, settle


def test_lines_needed_counts_wrapped_lines_and_says_when_the_count_is_exact() -> None:
    assert _lines_needed("", 40) == (1, True)
    assert _lines_needed("a\nb\nc", 40) == (3, True)
    assert _lines_needed("x" * 100 + "\nb", 40) == (4, False)  # 3 lines at least for the long one


def test_height_changes_unless_both_texts_fill_the_tail_or_it_is_hidden() -> None:
    assert _height_changes(None, (1, True), 1)  # never laid out
    assert not _height_changes((1, True), (1, True), 1)
    assert _height_changes((1, True), (3, True), 1)
    assert _height_changes((3, True), (1, True), 3)
    assert not _height_changes((60, True), (40, True), 12)  # both longer than its maximum height
    assert _height_changes((60, True), (5, True), 12)
    assert _height_changes((2, False), (2, False), 2)  # may wrap: not known to be the same
    assert not _height_changes((1, True), (9, True), 0)  # hidden: showing it lays it out


@pytest.mark.anyio
async def test_the_tail_follows_the_selected_trials_stderr(replay_app: ReplayAppFactory) -> None:
    app = replay_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        table = app.query_one(TrialTable)
        tail = app.query_one("#stderr-tail", Static)
        heights = {}
        for trial in table.rows:
            app.select_trial(trial)
            await pilot.pause()
            heights[trial] = (tail.size.height, len(app.query_one("DecisionsLog").stderr_text.splitlines()))
        # one-line tails, and a traceback whose long line wraps: each shown at its own height,
        # whatever was shown before it (the rows go from one to the other and back)
        assert any(lines == 1 for _, lines in heights.values())
        assert any(lines > 1 for _, lines in heights.values())
        assert all(shown == 1 if lines <= 1 else shown >= lines for shown, lines in heights.values()), heights
