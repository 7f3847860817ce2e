"""Helpers of the command-template tests: a sweep of a script under an in-process supervisor that
launches real processes (the local backend) on the system clock, stepped in a bounded loop."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from seedtui.core.engine.config import load_sweep_config
from seedtui.core.engine.control import read_state, send_command, supervisor_status
from seedtui.core.engine.detach import prepare_sweep
from seedtui.core.engine.supervisor import Supervisor
from seedtui.core.engine.tomlwrite import dumps_toml
from seedtui.state import TrialState, load_trials
from tests.engine.inprocess import events_of, statuses

__all__ = ["events_of", "statuses"]  # the in-process tests' helpers, shared

CLIENT_TRAINER = Path(__file__).resolve().parent / "client_trainer.py"
WAIT_LIMIT_S = 180.0
"""Every loop here ends by this, so a broken engine fails the test instead of hanging it."""


def command_sweep(tmp_path: Path, command: list[str], *, evals: int = 6, **overrides: Any) -> Path:
    """A prepared sweep directory whose trials run ``command``, which evaluates ``evals`` times."""
    document: dict[str, Any] = {
        "name": "byo", "sweep_dir": str(tmp_path / "byo"), "task": "walk", "wi_seeds": "1-3",
        "do_seeds": "1-3", "trainer": {"command": command, "epochs": 1, "evals_per_epoch": evals},
        "resources": {"max_concurrent": 2, "kill_grace_s": 10},
    }
    document.update(overrides)
    path = tmp_path / "byo.toml"
    path.write_text(dumps_toml(document))
    return prepare_sweep(load_sweep_config(path))


def step_until(supervisor: Supervisor, done: Callable[[], Any], *, what: str) -> None:
    """Step the supervisor until ``done()``; fail after WAIT_LIMIT_S."""
    deadline = time.monotonic() + WAIT_LIMIT_S
    while time.monotonic() < deadline:
        if done():
            return
        supervisor.step()
        time.sleep(0.05)
    for trial in supervisor.trials:  # leave nothing running behind a failed test
        supervisor.stop_trial(trial, by="test", reason="the test failed")
    pytest.fail(f"not reached within {WAIT_LIMIT_S:g}s: {what}")


def wait_until(done: Callable[[], Any], *, what: str) -> None:
    """Poll ``done()`` (a detached supervisor works meanwhile); fail after WAIT_LIMIT_S."""
    deadline = time.monotonic() + WAIT_LIMIT_S
    while time.monotonic() < deadline:
        if done():
            return
        time.sleep(0.1)
    pytest.fail(f"not reached within {WAIT_LIMIT_S:g}s: {what}")


def trials_of(sweep_dir: Path) -> list[TrialState]:
    return load_trials(sweep_dir, skip_train=True)


def supervisor_finished(sweep_dir: Path) -> bool:
    state = read_state(sweep_dir)
    return state is not None and state.get("state") in ("finished", "stopped")


def stop_supervisor(sweep_dir: Path) -> None:
    """Stop a detached supervisor still running (after a failure) and wait for it to end its trials."""
    info = supervisor_status(sweep_dir)
    if info is None or not info.alive:
        return
    send_command(sweep_dir, "stop_sweep")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not supervisor_finished(sweep_dir):
        time.sleep(0.1)
