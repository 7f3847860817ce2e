"""The one sweep directory follower: new trial directories, partial last lines, logs truncated or
replaced under the same name, decisions, and the liveness rule on every poll."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

from seedtui.log import EventWriter, append_event, encode_event
from seedtui.log.decisions import Decision, append_decision
from seedtui.state import SweepFollower
from seedtui.testing.trial_log import start_fields, write_trial


def test_new_trial_directories_and_queued_grid_trials(tmp_path: Path) -> None:
    follower = SweepFollower(tmp_path, expected=["wi1-do1", "wi1-do2", "wi2-do1"])
    assert [s.trial_id for s in follower.states()] == ["wi1-do1", "wi1-do2", "wi2-do1"]
    assert not follower.poll()  # no trials/ directory yet: nothing, and no error
    write_trial(tmp_path, 1, 2, [0.5, 0.6], status="completed")
    update = follower.poll()
    assert update.new_trials == ["wi1-do2"] and update.changed == {"wi1-do2"}
    assert [event["event"] for _, event in update.events] == ["start", "eval", "eval", "end"]
    (tmp_path / "trials" / "wi9-do9").mkdir()  # launched, not started: a queued trial outside the grid
    update = follower.poll()
    assert update.new_trials == ["wi9-do9"] and not update.events
    assert follower.state.counts(with_zeros=False) == {"queued": 3, "completed": 1}
    assert not follower.poll(), "a second poll with nothing new finds nothing"


def test_a_partial_last_line_waits_for_the_rest(tmp_path: Path) -> None:
    path = write_trial(tmp_path, 1, 1, [0.5], status=None, total_evals=3)
    follower = SweepFollower(tmp_path, expected=[])
    follower.poll()
    line = encode_event({"event": "eval", "t": 99.0, "step": 20, "epoch": 0.2, "metrics": {"acc": 0.8},
                         "score": 0.8})
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line[:25])
    assert not follower.poll().events
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line[25:] + "\n")
    update = follower.poll()
    assert [event["score"] for _, event in update.events] == [0.8]
    assert follower.state.trials["wi1-do1"].eval_scores == [0.5, 0.8]
    assert follower.state.trials["wi1-do1"].malformed_lines == 0


def test_a_truncated_or_replaced_log_is_read_again_from_its_start(tmp_path: Path) -> None:
    path = write_trial(tmp_path, 1, 1, [0.5, 0.6, 0.7], status="failed")
    follower = SweepFollower(tmp_path, expected=[])
    follower.poll()
    held = follower.state.trials["wi1-do1"]
    assert held.status == "failed"
    # a re-run moves the failed log aside and starts a new one under the same name
    path.rename(path.with_name("events.failed-1.jsonl"))
    with EventWriter(path) as writer:
        writer.write("start", t=100.0, **start_fields(1, 1))
    update = follower.poll()
    assert update.replaced == ["wi1-do1"] and [e["event"] for _, e in update.events] == ["start"]
    state = follower.state.trials["wi1-do1"]
    assert (state.status, state.eval_scores) == ("running", [])
    reader = follower.reader("wi1-do1")
    assert state is held and reader is not None and reader.state is held  # whoever holds it sees it
    # truncated in place to a shorter log
    append_event(path, "eval", step=10, epoch=0.1, metrics={"acc": 0.9}, score=0.9)
    follower.poll()
    path.write_text(encode_event({"event": "start", "t": 200.0, **start_fields(1, 1)}) + "\n")
    update = follower.poll()
    assert update.replaced == ["wi1-do1"]
    assert follower.state.trials["wi1-do1"].first_t == 200.0
    assert follower.state.trials["wi1-do1"].eval_scores == []


def test_decisions_and_a_process_that_goes_away(tmp_path: Path) -> None:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    path = write_trial(tmp_path, 1, 1, [0.5], status=None, total_evals=2, pid=pid, host=socket.gethostname())
    follower = SweepFollower(tmp_path, expected=[])
    first = follower.poll()
    os.waitpid(pid, 0)
    append_decision(tmp_path, Decision(rule="tfp", trial="wi1-do1", action="keep", rung=0.5, score=0.5,
                                       threshold=0.5, rank=1, of=1, reason="rank 1 of 1"))
    second = follower.poll()
    assert first.orphaned in ([], ["wi1-do1"])  # the child may not have exited yet
    assert "wi1-do1" in first.orphaned + second.orphaned
    assert follower.state.trials["wi1-do1"].status == "failed"
    assert [d["action"] for d in first.decisions + second.decisions] == ["keep"]
    # the supervisor relaunches it: a resume names the new, living process
    append_event(path, "resume", step=10, pid=os.getpid(), host=socket.gethostname(), device="cpu")
    third = follower.poll()
    assert not third.orphaned and follower.state.trials["wi1-do1"].status == "running"


def test_track_and_restart_for_the_supervisor(tmp_path: Path) -> None:
    follower = SweepFollower(tmp_path, settle=False, decisions=False, expected=[])
    assert follower.track("wi1-do1").status == "queued"  # before its directory exists
    path = write_trial(tmp_path, 1, 1, [0.5], status="failed")
    follower.poll(discover=False)
    assert follower.state.trials["wi1-do1"].status == "failed"
    state = follower.restart("wi1-do1")
    assert state is follower.state.trials["wi1-do1"] and state.status == "queued"
    follower.poll(discover=False)
    assert follower.state.trials["wi1-do1"].status == "failed"
    assert json.loads(path.read_text().splitlines()[-1])["status"] == "failed"
