"""Replay going back: restart, step back and seek (to a share of the replay or an evaluation), in
the timeline (no app) and through the app's keys R, N and g. Going back rebuilds the replay from
the recordings, so a simulated t/f/p can be rehearsed from the beginning."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from seedtui.core.replay import load_timeline
from seedtui.core.replay_seek import SeekError, SeekTarget, parse_seek
from seedtui.core.view.sweep_model import SweepModel
from seedtui.tui.screens.seek import SeekScreen
from tests.tui.conftest import ReplayAppFactory, screen_text, settle


def fold(model: SweepModel, slices: list) -> SweepModel:  # type: ignore[type-arg]
    model.apply_slices(slices)
    return model


def evals_of(model: SweepModel) -> int:
    return sum(len(state.eval_scores) for state in model.trials.values())


def test_seek_back_rebuilds_what_a_straight_advance_gives_and_forgets_simulated_actions(
    sweep_dir: Path,
) -> None:
    straight = load_timeline(sweep_dir)
    expected = fold(SweepModel(), straight.advance(40.0)[0])
    timeline = load_timeline(sweep_dir)
    timeline.advance(70.0)
    assert timeline.kill("wi2-do1")  # running at 70 s
    slices, _, restarted = timeline.seek(40.0)
    assert restarted and timeline.position == 40.0 and timeline.simulated == []
    rebuilt = fold(SweepModel(), slices)
    assert {t: (s.status, s.eval_scores) for t, s in rebuilt.trials.items()} == {
        t: (s.status, s.eval_scores) for t, s in expected.trials.items()}
    _, _, forwards = timeline.seek(60.0)
    assert not forwards and timeline.position == 60.0


def test_restart_returns_to_the_beginning_and_decisions_come_again(sweep_dir: Path) -> None:
    timeline = load_timeline(sweep_dir)
    _, decisions = timeline.advance_to_end()
    timeline.pause_queue()
    timeline.restart()
    assert timeline.position == 0.0 and not timeline.queue_paused and not timeline.at_end
    _, again = timeline.advance_to_end()
    assert again == decisions


def test_step_back_and_eval_positions(sweep_dir: Path) -> None:
    timeline = load_timeline(sweep_dir)
    assert timeline.previous_eval_position() is None
    first = timeline.eval_position(1)
    second = timeline.eval_position(2)
    assert first is not None and second is not None and 0 < first < second
    assert timeline.eval_position(10_000) is None
    timeline.advance(second)
    assert timeline.previous_eval_position() is not None
    assert timeline.previous_eval_position() < second  # type: ignore[operator]
    assert SeekTarget(eval_number=2).position(timeline) == second
    assert SeekTarget(fraction=0.5).position(timeline) == pytest.approx(timeline.end_position() / 2)


@pytest.mark.parametrize(("text", "target"), [
    ("50%", SeekTarget(fraction=0.5)), (" 0.25 ", SeekTarget(fraction=0.25)),
    ("1", SeekTarget(fraction=1.0)), ("e7", SeekTarget(eval_number=7)),
    ("eval 3", SeekTarget(eval_number=3)), ("E2", SeekTarget(eval_number=2)),
])
def test_parse_seek(text: str, target: SeekTarget) -> None:
    assert parse_seek(text) == target


@pytest.mark.parametrize("text", ["", "abc", "150%", "-0.1", "e0", "e"])
def test_parse_seek_says_what_to_type(text: str) -> None:
    with pytest.raises(SeekError):
        parse_seek(text)


@pytest.mark.anyio
async def test_restart_key_rehearses_a_kill_from_the_beginning(replay_app: ReplayAppFactory) -> None:
    app = replay_app(70.0)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        app.select_trial("wi2-do1")
        await pilot.press("x", "y")
        await settle(app, pilot)
        assert app.model.trials["wi2-do1"].status == "stopped"
        assert "SIMULATED user stop wi2-do1" in screen_text(app)
        await pilot.press("R")
        await settle(app, pilot)
        clock = app.source.replay_clock  # type: ignore[attr-defined]
        assert clock.position == 0.0 and clock.paused
        assert app.status is not None and app.status.position == 0.0
        assert len(app.model.trials) == 20 and evals_of(app.model) == 0  # as at the first event
        assert all(s.status in ("queued", "running") for s in app.model.trials.values())
        assert "restarted" in app.last_message and "forgotten" in app.last_message
        assert "SIMULATED user stop wi2-do1" not in screen_text(app) and app.model.decisions == []
        await pilot.press("e")  # the recording plays out: the simulated kill is gone
        await settle(app, pilot)
        assert app.model.trials["wi2-do1"].status == "completed"


@pytest.mark.anyio
async def test_step_back_key_undoes_the_last_evaluation(replay_app: ReplayAppFactory) -> None:
    app = replay_app(70.0)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("n", "n")
        await settle(app, pilot)
        after_two = evals_of(app.model)
        await pilot.press("N")
        await settle(app, pilot)
        assert evals_of(app.model) < after_two and app.source.replay_clock.paused  # type: ignore[attr-defined]
        assert "stepped back" in app.last_message


@pytest.mark.anyio
async def test_seek_key_goes_to_a_share_or_an_evaluation(replay_app: ReplayAppFactory) -> None:
    app = replay_app(130.0)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        timeline = app.source.timeline  # type: ignore[attr-defined]
        await pilot.press("g")
        assert isinstance(app.screen, SeekScreen)
        app.screen.query_one(Input).value = "nonsense"
        await pilot.press("enter")
        assert isinstance(app.screen, SeekScreen) and "not 'nonsense'" in str(
            app.screen.query_one("#seek-error").render())
        app.screen.query_one(Input).value = "e1"
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, SeekScreen)
        first_eval = timeline.eval_position(1)
        assert app.source.replay_clock.position == first_eval  # type: ignore[attr-defined]
        assert 0 < evals_of(app.model) <= len(app.model.trials)
        await pilot.press("g")
        app.screen.query_one(Input).value = "100%"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.model.counts()["completed"] == 13 and "100%" in app.last_message
