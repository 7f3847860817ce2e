"""Node labels of a sweep spread over several machines, and the replay's default speed."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from seedtui.core.engine.trial_nodes import node_count, sweep_nodes
from seedtui.core.view.sweep_info import SweepInfo
from seedtui.log import TRIALS_DIR
from seedtui.log.launch_records import RayLaunchRecord
from seedtui.state import TrialState
from seedtui.tui.renderables.header import header_text
from seedtui.tui.sources.replay import auto_speed


def _trial(trial_id: str, host: str | None) -> TrialState:
    state = TrialState(trial_id)
    if host is not None:
        state.start = {"host": host}
    return state


def trial_nodes(trials: dict[str, TrialState], running_nodes: dict[str, str] | None = None,
                sweep_dir: Path | None = None) -> dict[str, str]:
    """The labels as the app asks for them: its trials, and ``supervisor.json``'s ``nodes``."""
    return sweep_nodes(sweep_dir, trials.values(), supervisor_state={"nodes": running_nodes or {}})


def test_one_machine_shows_no_node_labels() -> None:
    trials = {t: _trial(t, "gpu-box") for t in ("wi1-do1", "wi1-do2")}
    assert trial_nodes(trials) == {}
    assert trial_nodes(trials, running_nodes={}) == {}


def test_hosts_that_differ_label_every_trial() -> None:
    trials = {
        "wi1-do1": _trial("wi1-do1", "a"),
        "wi1-do2": _trial("wi1-do2", "b"),
        "wi2-do1": _trial("wi2-do1", None),
    }
    labels = trial_nodes(trials)
    assert labels == {"wi1-do1": "a", "wi1-do2": "b"}
    assert node_count(labels) == 2


def test_supervisor_nodes_win_over_start_hosts() -> None:
    trials = {t: _trial(t, "head") for t in ("wi1-do1", "wi1-do2")}
    labels = trial_nodes(trials, running_nodes={"wi1-do2": "10.0.0.7", "gone": "10.0.0.9"})
    assert labels == {"wi1-do1": "head", "wi1-do2": "10.0.0.7"}


def test_ray_launch_records_name_the_node_more_precisely_than_the_supervisor(tmp_path: Path) -> None:
    trials = {t: _trial(t, "vm") for t in ("wi1-do1", "wi1-do2")}
    placed = tmp_path / TRIALS_DIR / "wi1-do1"
    placed.mkdir(parents=True)
    RayLaunchRecord(actor_name="wi1-do1.0000abcd", namespace="ns", started=1.0, resume=False,
                    stop_at_fraction=None, events_local_start=0, stderr_local_start=0, shared_storage=False,
                    node_id="a1" * 28, node_ip="10.0.0.7").write(placed)
    running = {"wi1-do1": "10.0.0.7", "wi1-do2": "10.0.0.7"}
    # two Ray nodes may share an IP: the record's node id tells them apart
    assert trial_nodes(trials, running, sweep_dir=tmp_path) == {
        "wi1-do1": "10.0.0.7 (a1a1a1a1)", "wi1-do2": "10.0.0.7"}
    # a finished Ray sweep (no trial running, so no ``nodes``): the records still say where each ran
    assert trial_nodes(trials, sweep_dir=tmp_path) == {"wi1-do1": "10.0.0.7 (a1a1a1a1)", "wi1-do2": "vm"}


def test_header_counts_nodes_only_when_several() -> None:
    info = SweepInfo("s")
    two = header_text(info, task="rte", model="m", counts={"running": 2}, status=None, nodes=2).plain
    one = header_text(info, task="rte", model="m", counts={"running": 2}, status=None, nodes=1).plain
    assert "2 nodes" in two and "node" not in one


def test_default_speed_plays_a_recording_in_about_thirty_seconds() -> None:
    assert auto_speed(10.0) == 1.0  # short recordings play at their own pace
    for duration in (135.7, 293.2, 310.1, 360.8, 3600.0):  # the sample sweeps, and an hour
        speed = auto_speed(duration)
        assert duration / speed <= 30.0 < 2 * duration / speed  # the slowest power of two that fits
        assert speed == 2 ** round(math.log2(speed))


def _start_event(trial: str, host: str) -> dict[str, object]:
    wi, do = (int(part[2:]) for part in trial.split("-"))
    return {
        "event": "start",
        "t": 1.0,
        "schema": 1,
        "trial": trial,
        "wi_seed": wi,
        "do_seed": do,
        "task": "rte",
        "model": "m",
        "metric": "acc",
        "greater_is_better": True,
        "epochs": 3,
        "steps_per_epoch": 5,
        "total_steps": 15,
        "evals_per_epoch": 1,
        "batch_size": 8,
        "lr": 2e-5,
        "train_size": 40,
        "eval_size": 10,
        "majority_baseline": 0.5,
        "pid": 1,
        "host": host,
        "config": {},
    }


@pytest.mark.anyio
async def test_the_app_shows_each_trials_node_and_how_many_nodes() -> None:
    from seedtui.testing.fake_source import FakeSource
    from seedtui.tui.app import create_app
    from seedtui.tui.sources.base import SourceStatus
    from seedtui.tui.widgets.curves import CurvesPane
    from seedtui.tui.widgets.header import SweepHeader
    from tests.tui.conftest import settle

    source = FakeSource()
    app = create_app(source, refresh_seconds=0, stats_seconds=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        source.push(
            [("wi1-do1", _start_event("wi1-do1", "node-a")), ("wi1-do2", _start_event("wi1-do2", "node-b"))]
        )
        await settle(app, pilot)
        assert "2 nodes" in app.query_one(SweepHeader).render().plain
        app.select_trial("wi1-do2")
        await settle(app, pilot)
        assert "wi1-do2 running on node-b" in app.query_one(CurvesPane).render().heading.plain  # type: ignore[union-attr]
        # Ray: supervisor.json's nodes place a running trial on a third node
        source.publish(status=SourceStatus(mode="live", running_nodes=(("wi1-do1", "10.0.0.7"),)))
        await settle(app, pilot)
        assert "2 nodes" in app.query_one(SweepHeader).render().plain
        app.select_trial("wi1-do1")
        await settle(app, pilot)
        assert "on 10.0.0.7" in app.query_one(CurvesPane).render().heading.plain  # type: ignore[union-attr]
