"""One liveness rule: a running trial's process is the one its latest start or resume names.

A t/f/p-promoted trial runs its second phase in a new process; judging it by the pid of its start
event showed it as failed (header ``fail 2``) for that whole phase in the live TUI."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from seedtui.state import ProcessRecord, load_trial, load_trials, settle_orphan
from seedtui.tui.app import create_app
from seedtui.tui.sources.live import LiveSource
from tests.state.conftest import write_promoted
from tests.tui.conftest import settle


def test_the_latest_start_or_resume_names_the_process(tmp_path: Path, dead_pid: int) -> None:
    state = load_trial(write_promoted(tmp_path, 1, 1, start_pid=dead_pid, resume_pid=os.getpid()))
    assert state.status == "running" and state.resumes == 1
    assert state.process == ProcessRecord(pid=os.getpid(), host=socket.gethostname(), device="cpu")
    assert state.start is not None and state.start["pid"] == dead_pid


def test_a_promoted_trial_is_judged_by_its_resumed_process(tmp_path: Path, dead_pid: int) -> None:
    write_promoted(tmp_path, 1, 1, start_pid=dead_pid, resume_pid=os.getpid())
    write_promoted(tmp_path, 1, 2, start_pid=os.getpid(), resume_pid=dead_pid)
    write_promoted(tmp_path, 1, 3, start_pid=dead_pid, resume_pid=dead_pid, host="another-machine")
    statuses = {t.trial_id: t.status for t in load_trials(tmp_path)}
    assert statuses == {"wi1-do1": "running", "wi1-do2": "failed", "wi1-do3": "running"}
    alive = load_trial(tmp_path / "trials" / "wi1-do1" / "events.jsonl")
    assert settle_orphan(alive, this_host="not-this-one").status == "running"


@pytest.mark.anyio
async def test_promoted_trials_show_as_running_in_the_live_tui(tmp_path: Path, dead_pid: int) -> None:
    for do in (1, 2):  # promoted: the start's process is gone, the resumed one (this test) is alive
        write_promoted(tmp_path, 1, do, start_pid=dead_pid, resume_pid=os.getpid())
    write_promoted(tmp_path, 1, 3, start_pid=os.getpid(), resume_pid=dead_pid)  # really orphaned
    source = LiveSource(tmp_path, threaded=False)
    app = create_app(source, refresh_seconds=0, stats_seconds=0.01)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.pause(0.1)  # let the statistics timer tick, as it would in a session
        source.poll_once()
        await settle(app, pilot)
        statuses = {trial: state.status for trial, state in app.model.trials.items()}
        header = app.query_one("#header").render().plain  # type: ignore[union-attr]
    assert statuses == {"wi1-do1": "running", "wi1-do2": "running", "wi1-do3": "failed"}
    assert app.model.counts()["failed"] == 1 and "fail 1" in header and "run 2" in header
