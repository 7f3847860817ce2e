"""Logs no reader can use are skipped with a count, never fatal and never blocking (issue 15): an
``events.jsonl`` that is a FIFO (a real one, ``os.mkfifo``, with no writer) or a directory, a
schema-valid ``start`` whose ``pid`` is 2^31 (no process can have it; ``os.kill`` overflows) and
an ``eval`` at step 2^63 with a made-up best score. ``stats``, ``plan``, ``report`` and ``status``
run on such a sweep through the real command line, in this process.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest

from seedtui.log import read_events
from seedtui.log.jsonl import JsonlTail, read_bytes_from, read_first_record, read_jsonl
from seedtui.state import load_trial
from seedtui.testing.cli import seedtui_exit_code

SAMPLE_SWEEP = Path(__file__).resolve().parents[2] / "sample_logs" / "rte-minilm-5x5"
LIMIT_S = 300.0
"""A reader that blocks fails the test after this long instead of hanging it."""


def _bounded(target: object, *args: object) -> object:
    """``target(*args)`` in a thread; fails the test if it has not returned within LIMIT_S."""
    result: dict[str, object] = {}

    def run() -> None:
        try:
            result["value"] = target(*args)  # type: ignore[operator]
        except BaseException as error:  # noqa: BLE001 - reported below
            result["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(LIMIT_S)
    if thread.is_alive():
        pytest.fail(f"{getattr(target, '__name__', target)}{args} blocked")
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return result.get("value")


def _make_fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def _start(trial: str, wi: int, do: int, pid: int) -> dict[str, object]:
    return {"event": "start", "t": 1.0, "schema": 1, "trial": trial, "wi_seed": wi, "do_seed": do,
            "task": "rte", "model": "m", "metric": "acc", "greater_is_better": True, "epochs": 1,
            "steps_per_epoch": 4, "total_steps": 4, "evals_per_epoch": 1, "batch_size": 2, "lr": 2e-5,
            "train_size": 8, "eval_size": 8, "majority_baseline": 0.5, "pid": pid, "host": "h", "config": {}}


def test_a_fifo_or_a_directory_reads_as_empty_with_a_count_without_blocking(tmp_path: Path) -> None:
    fifo = _make_fifo(tmp_path / "fifo" / "events.jsonl")
    directory = tmp_path / "dir" / "events.jsonl"
    directory.mkdir(parents=True)
    for path in (fifo, directory):
        result = _bounded(read_jsonl, path)
        assert result.records == [] and result.malformed == 1  # type: ignore[attr-defined]
        assert _bounded(read_bytes_from, path, 0) is None
        assert _bounded(read_first_record, path) is None
        tail = JsonlTail(path)
        assert _bounded(tail.poll) == [] and _bounded(tail.poll) == []
        assert tail.malformed == 1  # counted once, not once a poll
        assert _bounded(load_trial, path).malformed_lines == 1  # type: ignore[attr-defined]


def test_out_of_range_fields_are_skipped_with_a_count(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    lines = [_start("wi1-do1", 1, 1, 2**31),
             _start("wi1-do1", 1, 1, 4242),
             {"event": "eval", "t": 2.0, "step": 2**63, "epoch": 1, "metrics": {"acc": 0.99}, "score": 0.99},
             {"event": "eval", "t": 2.0, "step": -1, "epoch": 1, "metrics": {"acc": 0.98}, "score": 0.98},
             {"event": "eval", "t": 2.0, "step": 4, "epoch": 1, "metrics": {"acc": 0.6}, "score": 10**400},
             {"event": "train", "t": float("nan"), "step": 1, "epoch": 0.1, "loss": 0.5, "lr": 1e-5},
             {"event": "eval", "t": 3.0, "step": 4, "epoch": 1, "metrics": {"acc": 0.6}, "score": 0.6}]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = read_events(path)
    assert result.malformed == 5
    assert [e.get("pid", e.get("score")) for e in result.events] == [4242, 0.6]
    state = load_trial(path)
    assert state.best_score() == 0.6 and state.malformed_lines == 5


@pytest.fixture
def odd_sweep(tmp_path: Path) -> Path:
    sweep = tmp_path / "sweep"
    shutil.copytree(SAMPLE_SWEEP, sweep)
    state = {"pid": 999_999_999, "host": "elsewhere", "started": 1.0, "heartbeat": 1.0, "state": "finished"}
    (sweep / "supervisor.json").write_text(json.dumps(state))
    trials = sweep / "trials"
    _make_fifo(trials / "wi9-do1" / "events.jsonl")
    (trials / "wi9-do2" / "events.jsonl").mkdir(parents=True)
    (trials / "wi9-do3").mkdir()
    (trials / "wi9-do3" / "events.jsonl").write_text(json.dumps(_start("wi9-do3", 9, 3, 2**31)) + "\n")
    made_up = {"event": "eval", "t": 1.7e9, "step": 2**63, "epoch": 1.0, "metrics": {"acc": 0.99},
               "score": 0.99}
    with open(trials / "wi1-do1" / "events.jsonl", "a") as log:
        log.write(json.dumps(made_up) + "\n")
    return sweep


@pytest.mark.parametrize("argv", [["stats", "{sweep}", "--json"],
                                  ["plan", "{sweep}", "--budgets", "1-3", "--json"],
                                  ["status", "{sweep}"],
                                  ["report", "{sweep}", "--out", "{out}", "-q"]],
                         ids=["stats", "plan", "status", "report"])
def test_stats_plan_report_and_status_skip_them(odd_sweep: Path, tmp_path: Path, argv: list[str],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    if argv[0] == "report":
        pytest.importorskip("matplotlib")
    args = [a.format(sweep=odd_sweep, out=tmp_path / "report.html") for a in argv]
    code = _bounded(seedtui_exit_code, args)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in err
    if argv[0] == "stats":
        summary = json.loads(out)
        assert summary["n_trials"] == 25  # the 25 recorded trials; the three odd logs have no usable start
        made_up = load_trial(odd_sweep / "trials" / "wi1-do1" / "events.jsonl")
        assert made_up.malformed_lines == 1 and made_up.best_score() != 0.99  # skipped, counted
    if argv[0] == "status":
        assert "completed 25" in out


@pytest.mark.parametrize("pid", [2**31, 2**63, 10**30])
def test_status_of_a_supervisor_record_with_a_pid_no_process_can_have(
        odd_sweep: Path, pid: int, capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    state = {"pid": pid, "host": socket.gethostname(), "started": 1.0, "heartbeat": 1.0, "state": "running"}
    (odd_sweep / "supervisor.json").write_text(json.dumps(state))
    assert seedtui_exit_code(["status", str(odd_sweep)]) == 0
    assert "not running" in capsys.readouterr().out
