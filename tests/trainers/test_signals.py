"""Real trainer subprocesses stopped by real signals (a few seconds each: keep these few)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seedtui.log import EVENTS_FILE, EventTail, read_events, validate_event
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.subprocess


def _start_long_trial(base_flags: list[str], trial_dir: Path) -> subprocess.Popen[bytes]:
    # 400 epochs of 5 steps: far longer than the test waits; it ends only by the signal.
    command = [sys.executable, "-m", "trainers.finetune", *base_flags, "--epochs", "400",
               "--evals-per-epoch", "1", "--trial-dir", str(trial_dir)]
    return subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_for_train_events(process: subprocess.Popen[bytes], log: Path, count: int) -> None:
    tail = EventTail(log)
    seen = 0
    for _ in range(12000):  # a guard against a hang (about 2 minutes), not a timing assertion
        seen += sum(event["event"] == "train" for event in tail.poll())
        if seen >= count:
            return
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        time.sleep(0.01)
    pytest.fail(f"the trainer wrote only {seen} train events")


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_ends_the_trial_stopped(base_flags: list[str], tmp_path: Path,
                                         stop_signal: signal.Signals) -> None:
    trial_dir = tmp_path / "trial"
    process = _start_long_trial(base_flags, trial_dir)
    try:
        _wait_for_train_events(process, trial_dir / EVENTS_FILE, count=3)
        if stop_signal == signal.SIGTERM:  # as the sweep supervisor does: say why, then signal
            request = {"by": "tfp", "reason": "below the t/f/p threshold at 50%"}
            (trial_dir / "stop_request.json").write_text(json.dumps(request))
        os.kill(process.pid, stop_signal)
        code = process.wait(timeout=60)
    finally:
        process.kill()
    assert code == 0
    result = read_events(trial_dir / EVENTS_FILE, final=True)
    assert result.malformed == 0 and all(validate_event(e) == [] for e in result.events)
    end = result.events[-1]
    assert end["event"] == "end" and end["status"] == "stopped"
    assert 3 <= end["step"] < result.events[0]["total_steps"]
    assert end["step"] == max(e["step"] for e in result.events if e["event"] == "train")
    if stop_signal == signal.SIGTERM:
        assert (end["by"], end["reason"]) == ("tfp", "below the t/f/p threshold at 50%")
    else:
        assert (end["by"], end["reason"]) == ("signal", "received SIGINT")
