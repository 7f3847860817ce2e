"""Pilot tests over a live sweep directory: actions become lines in control.jsonl (read by the
real engine's reader), tailing picks up appended events, and a sweep without a supervisor is
read-only. The supervisor is represented by its state file as a supervisor on another host
writes it (fresh heartbeat), so no sweep has to run."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from seedtui.log import append_event
from seedtui.testing.fake_source import FakeSource
from seedtui.tui.app import SeedTuiApp, create_app
from seedtui.tui.screens.confirm import ConfirmScreen
from seedtui.tui.screens.quit import QuitScreen
from seedtui.tui.screens.tfp import TfpScreen
from seedtui.tui.sources.live import LiveSource
from seedtui.tui.widgets.heatmap import Heatmap
from seedtui.tui.widgets.trial_table import TrialTable
from tests.tui.conftest import settle

control = pytest.importorskip("seedtui.core.engine.control")
pytestmark = pytest.mark.anyio


def remote_supervisor(sweep: Path, *, paused: bool = False) -> None:
    control.write_state(
        sweep,
        {
            "pid": 4242,
            "host": socket.gethostname() + "-elsewhere",
            "started": time.time(),
            "heartbeat": time.time(),
            "paused": paused,
            "state": "running",
        },
    )


def commands(sweep: Path) -> list[dict]:
    """Each command's id, action and arguments (``args``) as one dict."""
    return [{"id": c.id, "action": c.action, **c.args} for c in control.read_commands(sweep, 0)[0]]


def live_app(sweep: Path) -> tuple[SeedTuiApp, LiveSource]:
    source = LiveSource(sweep, threaded=False)
    return create_app(source, refresh_seconds=0, stats_seconds=3600), source


async def test_live_actions_send_engine_commands(sweep_dir: Path) -> None:
    remote_supervisor(sweep_dir)
    app, source = live_app(sweep_dir)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        assert app.status is not None and app.status.mode == "live" and source.can_act
        app.select_trial("wi4-do3")  # the running trial
        await pilot.press("x", "y")
        assert commands(sweep_dir)[-1] | {"t": 0, "id": ""} == {
            "t": 0,
            "id": "",
            "action": "kill",
            "trial": "wi4-do3",
            "by": "user",
        }
        await pilot.press("p")
        assert commands(sweep_dir)[-1]["action"] == "pause"
        remote_supervisor(sweep_dir, paused=True)
        source.poll_once()
        await settle(app, pilot)
        assert app.status.queue_paused and "queue PAUSED" in app.query_one("#header").render().plain  # type: ignore[union-attr]
        await pilot.press("p")
        assert commands(sweep_dir)[-1]["action"] == "resume"
        await pilot.press("t")
        await settle(app, pilot)
        assert isinstance(app.screen, TfpScreen) and not app.screen.simulated
        app.screen.query_one("#tfp-t").value = "6"  # type: ignore[attr-defined]
        app.screen.query_one("#tfp-f").value = "0.25"  # type: ignore[attr-defined]
        app.screen.query_one("#tfp-p").value = "2"  # type: ignore[attr-defined]
        await pilot.click("#apply")
        assert {k: commands(sweep_dir)[-1][k] for k in ("action", "t", "f", "p")} == {
            "action": "apply_tfp",
            "t": 6,
            "f": 0.25,
            "p": 2,
        }
        await pilot.press("q")
        assert isinstance(app.screen, QuitScreen)
        await pilot.press("s")
        await pilot.pause()
    assert commands(sweep_dir)[-1]["action"] == "stop_sweep"


async def test_kill_diverged_sends_a_kill_per_listed_trial(sweep_dir: Path) -> None:
    remote_supervisor(sweep_dir)
    trial_log = sweep_dir / "trials" / "wi4-do3" / "events.jsonl"
    app, source = live_app(sweep_dir)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        for step in (31, 32):  # the running trial's loss goes NaN
            append_event(trial_log, "train", step=step, epoch=step / 20, loss=float("nan"), lr=2e-5)
        source.poll_once()
        await settle(app, pilot)
        assert app.model.trials["wi4-do3"].train_steps[-1] == 32
        await pilot.press("X")
        assert isinstance(app.screen, ConfirmScreen) and "wi4-do3" in app.screen.lines
        listed = list(app.screen.lines)
        await pilot.press("y")
    killed = [c["trial"] for c in commands(sweep_dir) if c["action"] == "kill"]
    assert killed == listed


async def test_quit_can_leave_the_sweep_running(sweep_dir: Path) -> None:
    remote_supervisor(sweep_dir)
    app, _ = live_app(sweep_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("q")
        assert isinstance(app.screen, QuitScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, QuitScreen)
        await pilot.press("q", "enter")  # enter = the default: leave running
        await pilot.pause()
    assert commands(sweep_dir) == []


async def test_without_a_supervisor_the_view_is_read_only(sweep_dir: Path) -> None:
    app, source = live_app(sweep_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.status is not None and app.status.mode == "read-only" and not source.can_act
        assert "READ-ONLY" in app.query_one("#header").render().plain  # type: ignore[union-attr]
        await pilot.press("x")
        assert not isinstance(app.screen, ConfirmScreen)
        assert "unavailable" in app.last_message
        await pilot.press("q")
        await pilot.pause()
    assert not (sweep_dir / "control.jsonl").exists()


async def test_tailing_picks_up_new_trials_and_events(sweep_dir: Path) -> None:
    app, source = live_app(sweep_dir)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        assert app.model.trials["wi4-do4"].status == "queued"
        start = json.loads((sweep_dir / "trials" / "wi4-do3" / "events.jsonl").read_text().splitlines()[0])
        new_log = sweep_dir / "trials" / "wi4-do4" / "events.jsonl"
        fields = {k: v for k, v in start.items() if k not in ("event", "t")}
        append_event(new_log, "start", **{**fields, "trial": "wi4-do4", "do_seed": 4})
        append_event(new_log, "eval", step=10, epoch=0.5, metrics={"acc": 0.61}, score=0.61)
        source.poll_once(discover=True)
        await settle(app, pilot)
        state = app.model.trials["wi4-do4"]
        assert state.status == "running" and state.best_score() == 0.61
        heatmap = app.query_one(Heatmap)
        row, col = heatmap.grid.position_of("wi4-do4")  # type: ignore[misc]
        assert heatmap.grid.statuses[row][col] == "running"
        assert "wi4-do4" in app.query_one(TrialTable).rows


async def test_a_fake_source_drives_the_panes() -> None:
    source = FakeSource()
    app = create_app(source, refresh_seconds=0, stats_seconds=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert source.started and app.model.trials == {}
        source.push(
            [("wi1-do1", {"event": "eval", "t": 1.0, "step": 5, "epoch": 0.5, "metrics": {}, "score": 0.7})]
        )
        await settle(app, pilot)
        assert app.selected == "wi1-do1" and app.query_one(TrialTable).rows == ["wi1-do1"]
        await pilot.press("x", "y")
        assert source.commands == [("kill", {"trial": "wi1-do1"})]
    assert source.stopped


def test_a_command_that_breaks_the_control_rules_is_not_sent(sweep_dir: Path) -> None:
    remote_supervisor(sweep_dir)
    source = LiveSource(sweep_dir, threaded=False)
    source.poll_once()
    assert source.can_act
    assert source.apply_tfp(2, 0.5, 5).startswith("not sent: apply_tfp: p = 5 keeps more trials")
    assert commands(sweep_dir) == []


async def test_the_supervisors_answer_to_a_command_is_shown(sweep_dir: Path) -> None:
    from seedtui.log.control import ControlReply, append_reply

    remote_supervisor(sweep_dir)
    app, source = live_app(sweep_dir)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        app.select_trial("wi4-do3")
        await pilot.press("x", "y")
        assert app.last_message == "sent kill wi4-do3"  # in words, not sent kill {'trial': ...}
        sent = commands(sweep_dir)[-1]
        # what the supervisor appends when it cannot carry the command out
        append_reply(sweep_dir, ControlReply(id=sent["id"], action="kill", outcome="rejected",
                                             reason="wi4-do3 has already ended (completed)", t=time.time()))
        source.poll_once()
        await settle(app, pilot)
        assert app.last_message == "kill wi4-do3: rejected: wi4-do3 has already ended (completed)"
        app.last_message = ""
        source.poll_once()  # each answer is shown once
        await settle(app, pilot)
        assert app.last_message == ""
