"""A stop that reaches a trial whose process has just exited, before the supervisor reaped it (a
trainer that suspended at its t/f/p milestone and is gone): the stop is carried out when the trial
is reaped, instead of being refused as a stranger's pid."""

from __future__ import annotations

from pathlib import Path

from seedtui.testing.clock import FakeClock
from tests.engine.inprocess import fake_backend, make_sweep, step_until, supervisor_on


def test_a_kill_meeting_a_just_suspended_trial_stops_it(tmp_path: Path, clock: FakeClock) -> None:
    sweep_dir = make_sweep(tmp_path, wi_seeds=[1], do_seeds="1-2",
                           policy={"rule": "tfp", "tfp": {"t": 2, "f": 0.5, "p": 1}})
    backend = fake_backend(sweep_dir, clock)
    supervisor = supervisor_on(sweep_dir, backend, clock)
    step_until(supervisor, lambda: len(supervisor.running) == 2, what="both trials launched")
    clock.sleep(60)  # both fake trainers reach their milestone, suspend and exit; nothing reaps them yet
    assert set(backend.poll(supervisor.running)) == set(supervisor.running)  # exited, not reaped

    replies = [supervisor.stop_trial(trial, by="user", reason="killed") for trial in list(supervisor.running)]
    assert replies == [None, None]
    step_until(supervisor, lambda: not supervisor.running and supervisor.step(), what="the sweep to end")
    for state in supervisor.states().values():
        assert (state.status, state.stopped_by) == ("stopped", "user")
