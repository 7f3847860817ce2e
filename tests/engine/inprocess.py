"""Helpers of the in-process supervisor tests: a sweep directory for the fake backend, and a
bounded loop that steps a supervisor on its fake clock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from seedtui.core.engine.config import load_sweep_config
from seedtui.core.engine.detach import prepare_sweep
from seedtui.core.engine.supervisor import Supervisor
from seedtui.core.engine.tomlwrite import dumps_toml
from seedtui.testing.clock import FakeClock
from seedtui.testing.fake_backend import FakeBackend

# one epoch of 8 steps of 1 fake second, evaluations at steps 2, 4, 6 and 8 (the configs below say
# epochs = 1, evals_per_epoch = 4; the fake trainers take 8 steps an epoch)
TOTAL_STEPS = 8
EVAL_STEPS = [2, 4, 6, 8]
STEP_LIMIT = 1000
"""Every loop here is bounded by this many supervisor steps, so a broken engine fails, not hangs."""


def make_sweep(tmp_path: Path, **overrides: Any) -> Path:
    """A sweep directory with a resolved sweep.toml (the trainer never runs: the model is not read)."""
    (tmp_path / "data").mkdir(exist_ok=True)
    document: dict[str, Any] = {
        "name": "fake", "sweep_dir": str(tmp_path / "fake"), "task": "rte", "wi_seeds": "1-2",
        "do_seeds": "1-2", "data": {"dir": str(tmp_path / "data")},
        "trainer": {"epochs": 1, "evals_per_epoch": 4}, "resources": {"max_concurrent": 2, "kill_grace_s": 5},
    }
    document.update(overrides)
    path = tmp_path / "fake.toml"
    path.write_text(dumps_toml(document))
    return prepare_sweep(load_sweep_config(path))


def fake_backend(sweep_dir: Path, clock: FakeClock, *, slot_count: int = 2,
                 step_s: float = 1.0) -> FakeBackend:
    config = load_sweep_config(sweep_dir / "sweep.toml")
    return FakeBackend(config, clock, slot_count=slot_count, steps_per_epoch=TOTAL_STEPS, step_s=step_s)


def supervisor_on(sweep_dir: Path, backend: FakeBackend, clock: FakeClock) -> Supervisor:
    return Supervisor(sweep_dir, backend=backend, clock=clock, poll_s=0.5)


def step_until(supervisor: Supervisor, done: Any, *, what: str) -> None:
    """Step (and sleep on the fake clock) until ``done()``; fail after STEP_LIMIT steps."""
    for _ in range(STEP_LIMIT):
        if done():
            return
        supervisor.step()
        supervisor.clock.sleep(supervisor.poll_s)
    pytest.fail(f"not reached within {STEP_LIMIT} steps: {what}")


def statuses(supervisor: Supervisor) -> dict[str, str]:
    return {trial: state.status for trial, state in supervisor.states().items()}


def events_of(sweep_dir: Path, trial: str) -> list[dict[str, Any]]:
    path = sweep_dir / "trials" / trial / "events.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def tfp_sweep(tmp_path: Path, clock: FakeClock) -> tuple[Path, FakeBackend, Supervisor]:
    """The t/f/p sweep of the tests: t = 6, f = 1/2, p = 2 on a 3x3 grid, two fake slots: its
    directory, backend and a supervisor that has not stepped yet."""
    sweep_dir = make_sweep(tmp_path, wi_seeds="1-3", do_seeds="1-3",
                           policy={"rule": "tfp", "tfp": {"t": 6, "f": 0.5, "p": 2}})
    backend = fake_backend(sweep_dir, clock)
    return sweep_dir, backend, supervisor_on(sweep_dir, backend, clock)
