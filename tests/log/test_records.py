"""The validators and readers of the sweep files other than the event log: decisions, supervisor
state, launch records (local and Ray) and stop requests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seedtui.log.decisions import Decision, DecisionTail, append_decision, read_decisions, validate_decision
from seedtui.log.files import (
    DECISIONS_FILE,
    LAUNCH_FILE,
    STOP_REQUEST_FILE,
    checkpoint_path,
    failed_events_name,
    failed_stderr_name,
    parse_trial_id,
    trial_dir,
)
from seedtui.log.launch_records import (
    LaunchRecordError,
    RayLaunchRecord,
    read_launch_record,
    read_stop_request,
    validate_launch_record,
    validate_ray_record,
    write_launch_record,
    write_stop_request,
)
from seedtui.log.supervisor_state import (
    SupervisorStateError,
    read_state,
    validate_supervisor_state,
    write_state,
)


def test_decision_tail_waits_for_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / DECISIONS_FILE
    tail = DecisionTail(tmp_path)
    assert tail.poll() == []
    path.write_text('{"rule": "tfp", "trial": "wi1-do1", "action": "stop", "reason": "[red]x"}\n{"rule"')
    assert [r["trial"] for r in tail.poll()] == ["wi1-do1"]
    with open(path, "a") as handle:
        handle.write(': "asha", "trial": "wi2-do2", "action": "keep"}\nnot json\n')
    records = tail.poll()
    assert [r["rule"] for r in records] == ["asha"] and tail.malformed == 1


def test_decisions_round_trip_and_invalid_ones_are_skipped(tmp_path: Path) -> None:
    decision = Decision(rule="tfp", trial="wi1-do2", action="promote", rung=0.3, score=0.5, threshold=0.4,
                        rank=1, of=4, reason="rank 1 of 4", t=10.0)
    append_decision(tmp_path, decision)
    with open(tmp_path / DECISIONS_FILE, "a") as handle:
        handle.write('{"rule": "tfp", "action": "stop"}\n')  # no trial: not a decision
        handle.write('{"trial": "wi1-do1", "action": "explode"}\n')  # not an action
        handle.write('{"trial": "wi1-do1", "action": "stop", "rank": "1"}\n')  # rank not a number
        handle.write('{"trial": "wi3-do3", "action": "keep"}')  # being written
    assert read_decisions(tmp_path) == [decision.to_dict()]
    assert [d["trial"] for d in read_decisions(tmp_path, final=True)] == ["wi1-do2", "wi3-do3"]
    assert validate_decision(decision.to_dict()) == []


def test_every_recorded_decision_is_valid() -> None:
    root = Path(__file__).resolve().parents[2] / "sample_logs"
    records = [json.loads(line) for path in sorted(root.glob(f"*/{DECISIONS_FILE}"))
               for line in path.read_text().splitlines() if line.strip()]
    assert records and all(validate_decision(r) == [] for r in records)
    assert all(r == d for r, d in zip(records, read_decisions(root / "cola-minilm-tfp"), strict=True))


STATE = {"pid": 12, "host": "h", "started": 1.0, "heartbeat": 2.0, "state": "running", "paused": False,
         "stopping": False, "exit_code": None, "control_offset": 0, "policy_override": None,
         "planned": ["wi1-do1"], "grid_size": 1, "slots": ["cpu0"], "running": {"wi1-do1": 40},
         "backend": "local", "nodes": {}}


def test_supervisor_state_is_validated_on_write_and_read_tolerantly(tmp_path: Path) -> None:
    assert read_state(tmp_path) is None
    write_state(tmp_path, STATE)
    assert read_state(tmp_path) == STATE
    for broken, problem in [({**STATE, "state": "done"}, "state 'done'"), ({**STATE, "pid": "12"}, "'pid'"),
                            ({**STATE, "backend": "k8s"}, "backend"), ({**STATE, "paused": 1}, "'paused'")]:
        assert any(problem in p for p in validate_supervisor_state(broken)), broken
        with pytest.raises(SupervisorStateError):
            write_state(tmp_path, broken)
    without_heartbeat = {k: v for k, v in STATE.items() if k != "heartbeat"}
    assert validate_supervisor_state(without_heartbeat) == ["supervisor.json: missing field 'heartbeat'"]
    (tmp_path / "supervisor.json").write_text("[1, 2]")
    assert read_state(tmp_path) is None


LAUNCH = {"pid": 5, "pgid": 5, "host": "h", "t": 1.5, "slot": 0, "slot_label": "cpu0", "resume": False,
          "stop_at_fraction": None, "argv": ["python", "-m", "trainers.finetune"], "supervisor_pid": 4}


def test_launch_records_round_trip_and_broken_ones_read_as_none(tmp_path: Path) -> None:
    assert read_launch_record(tmp_path) is None
    write_launch_record(tmp_path, LAUNCH)
    assert read_launch_record(tmp_path) == LAUNCH
    assert validate_launch_record({**LAUNCH, "resume": "no"}) != []
    with pytest.raises(LaunchRecordError):
        write_launch_record(tmp_path, {k: v for k, v in LAUNCH.items() if k != "argv"})
    (tmp_path / LAUNCH_FILE).write_text(json.dumps({**LAUNCH, "pid": None}))
    assert read_launch_record(tmp_path) is None


def test_ray_records_are_validated(tmp_path: Path) -> None:
    record = RayLaunchRecord(actor_name="wi1-do2.abcd1234", namespace="ns", started=1.5, resume=True,
                             stop_at_fraction=None, events_local_start=0, stderr_local_start=0,
                             shared_storage=True)
    record.write(tmp_path)
    assert RayLaunchRecord.read(tmp_path) == record
    raw = json.loads((tmp_path / "ray.json").read_text())
    assert validate_ray_record(raw) == []
    (tmp_path / "ray.json").write_text(json.dumps({**raw, "events_local_start": "0"}))
    assert RayLaunchRecord.read(tmp_path) is None


def test_stop_requests(tmp_path: Path) -> None:
    assert read_stop_request(tmp_path) is None
    write_stop_request(tmp_path, by="tfp", reason="rank 5 of 8")
    assert read_stop_request(tmp_path) == {"by": "tfp", "reason": "rank 5 of 8"}
    (tmp_path / STOP_REQUEST_FILE).write_text('{"reason": "by hand"}')  # tolerated: readers default
    assert read_stop_request(tmp_path) == {"reason": "by hand"}


def test_file_names_and_paths(tmp_path: Path) -> None:
    assert trial_dir(tmp_path, "wi1-do2") == tmp_path / "trials" / "wi1-do2"
    assert checkpoint_path(tmp_path) == tmp_path / "checkpoint" / "checkpoint.pt"
    assert (failed_events_name(2), failed_stderr_name(2)) == ("events.failed-2.jsonl", "stderr.failed-2.log")
    assert parse_trial_id("wi-3-do12") == (-3, 12)


def test_writers_refuse_fields_the_schema_lacks(tmp_path: Path) -> None:
    """What the engine writes is what the schema (and docs/log-format.md) knows; readers still take
    fields they do not know (a newer writer's)."""
    with pytest.raises(SupervisorStateError, match="unknown field 'gpus'"):
        write_state(tmp_path, {**STATE, "gpus": 2})
    with pytest.raises(LaunchRecordError, match="unknown field 'node'"):
        write_launch_record(tmp_path, {**LAUNCH, "node": "n1"})
    (tmp_path / "supervisor.json").write_text(json.dumps({**STATE, "gpus": 2}))
    assert read_state(tmp_path) == {**STATE, "gpus": 2}
    (tmp_path / LAUNCH_FILE).write_text(json.dumps({**LAUNCH, "node": "n1"}))
    assert read_launch_record(tmp_path) == {**LAUNCH, "node": "n1"}
