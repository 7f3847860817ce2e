"""The Ray backend's plumbing without a cluster: copying logs whole lines at a time, the launch
record a restarted supervisor reads, the options, and the actor body running a real subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from seedtui.core.engine.config import ResourcesConfig
from seedtui.core.engine.ray_backend.mirror import (
    StreamMirror,
    continue_offset,
)
from seedtui.core.engine.ray_backend.options import RayOptions, option_problems, sweep_namespace
from seedtui.core.engine.ray_backend.runner import TRIAL_DIR_PLACEHOLDER, TrialRunner
from seedtui.log import read_events
from seedtui.log.jsonl import file_size
from seedtui.log.launch_records import RayLaunchRecord
from seedtui.state import process_alive


def test_mirror_writes_only_whole_lines_and_keeps_the_rest_for_later(tmp_path: Path) -> None:
    local = tmp_path / "events.jsonl"
    mirror = StreamMirror(local, remote_offset=0)
    assert mirror.feed(b'{"event":"a","t":1}\n{"event":"b","t"') == len(b'{"event":"a","t":1}\n')
    assert local.read_bytes() == b'{"event":"a","t":1}\n'
    mirror.feed(b':2}\n')
    assert local.read_bytes() == b'{"event":"a","t":1}\n{"event":"b","t":2}\n'
    assert mirror.remote_offset == len(local.read_bytes())


def test_mirror_flush_closes_an_unfinished_last_line(tmp_path: Path) -> None:
    local = tmp_path / "events.jsonl"
    mirror = StreamMirror(local, remote_offset=0)
    mirror.feed(b'{"event":"a","t":1}\n{"event":"tr')
    mirror.flush()
    result = read_events(local, final=True)
    assert [e["event"] for e in result.events] == ["a"]
    assert result.malformed == 1
    assert local.read_bytes().endswith(b"\n")


def test_stderr_mirror_copies_partial_lines_at_once(tmp_path: Path) -> None:
    local = tmp_path / "stderr.log"
    StreamMirror(local, remote_offset=0, whole_lines=False).feed(b"Traceback (most")
    assert local.read_bytes() == b"Traceback (most"


def test_continue_offset_counts_only_what_was_copied_since_the_launch() -> None:
    # the local log held 500 bytes from an earlier run when the actor started; 120 were copied since
    assert continue_offset(local_start=500, local_now=620) == 120
    assert continue_offset(local_start=500, local_now=500) == 0


def test_launch_record_round_trips_and_a_broken_one_reads_as_none(tmp_path: Path) -> None:
    record = RayLaunchRecord(actor_name="wi1-do2.abcd1234", namespace="ns", started=1.5, resume=True,
                             stop_at_fraction=0.5, events_local_start=10, stderr_local_start=0,
                             shared_storage=False, node_id="n1", node_ip="10.0.0.2")
    record.write(tmp_path)
    assert RayLaunchRecord.read(tmp_path) == record
    (tmp_path / "ray.json").write_text("{not json")
    assert RayLaunchRecord.read(tmp_path) is None
    (tmp_path / "ray.json").write_text(json.dumps({"actor_name": "x"}))
    assert RayLaunchRecord.read(tmp_path) is None


def test_namespace_is_stable_per_directory_and_differs_between_directories(tmp_path: Path) -> None:
    one, two = tmp_path / "a" / "sweep", tmp_path / "b" / "sweep"
    assert sweep_namespace(one) == sweep_namespace(one)
    assert sweep_namespace(one) != sweep_namespace(two)
    assert sweep_namespace(one).startswith("seedtui-sweep-")


def test_options_from_a_resources_table_without_ray_keys_take_the_defaults() -> None:
    options = RayOptions.from_resources(ResourcesConfig())
    assert options == RayOptions()
    assert options.device == "cpu"
    assert options.actor_options() == {"num_cpus": 1.0, "num_gpus": 0.0, "resources": {}}


def test_fractional_gpus_give_a_cuda_device_and_bad_amounts_are_named() -> None:
    assert RayOptions(gpus_per_trial=0.25).device == "cuda"
    assert option_problems(RayOptions(gpus_per_trial=0.25, cpus_per_trial=2)) == []
    keys = [key for key, _ in option_problems(RayOptions(gpus_per_trial=1.5, cpus_per_trial=0,
                                                         resources={"A100": -1}))]
    assert keys == ["ray_gpus_per_trial", "ray_cpus_per_trial", "ray_resources.A100"]


# A stand-in trainer: appends a line per tick to TRIAL_DIR/events.jsonl; on SIGTERM it writes the
# stop request it finds into a last line and exits 0. (The runner is under test here, not the trainer.)
FAKE_TRAINER = textwrap.dedent("""
    import json, os, signal, sys, time
    directory = sys.argv[1]
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    with open(os.path.join(directory, "events.jsonl"), "a") as log:
        for step in range(1, 100000):
            log.write(json.dumps({"event": "tick", "t": time.time(), "step": step}) + "\\n")
            log.flush()
            if stopping or step == int(sys.argv[2]):
                break
            time.sleep(0.05)
        if stopping:
            with open(os.path.join(directory, "stop_request.json")) as request:
                log.write(json.dumps({"event": "stopped", "t": time.time(), **json.load(request)}) + "\\n")
    print("bye", file=sys.stderr)
""")


def _runner(directory: Path, *, steps: int, resume: bool = False) -> TrialRunner:
    argv = ["python-of-the-supervisor", "-c", FAKE_TRAINER, TRIAL_DIR_PLACEHOLDER, str(steps)]
    return TrialRunner(argv, str(directory), resume=resume, fresh_directory=True, threads=1)


def _wait_exit(runner: TrialRunner) -> int:
    deadline = time.monotonic() + 60
    while runner.poll() is None:
        assert time.monotonic() < deadline, "the stand-in trainer did not exit"
        time.sleep(0.05)
    return int(runner.poll())  # type: ignore[arg-type]


def test_runner_reports_this_runs_bytes_and_a_fresh_launch_clears_an_old_log(tmp_path: Path) -> None:
    (tmp_path / "events.jsonl").write_text('{"event":"old","t":0}\n')
    runner = _runner(tmp_path, steps=3)
    assert _wait_exit(runner) == 0
    reply = runner.sync(0, 0)
    lines = [json.loads(line) for line in reply["events"].decode().splitlines()]
    assert [line["step"] for line in lines] == [1, 2, 3]
    assert reply["stderr"] == b"bye\n"
    assert reply["exit_code"] == 0 and not reply["more"]
    assert runner.sync(len(reply["events"]), 4)["events"] == b""


def test_a_resumed_runner_counts_offsets_from_where_the_log_stood(tmp_path: Path) -> None:
    first = _runner(tmp_path, steps=2)
    _wait_exit(first)
    before = file_size(tmp_path / "events.jsonl")
    resumed = _runner(tmp_path, steps=1, resume=True)
    _wait_exit(resumed)
    assert resumed.events_start == before
    assert [json.loads(x)["step"] for x in resumed.sync(0, 0)["events"].decode().splitlines()] == [1]
    assert file_size(tmp_path / "events.jsonl") > before  # the old lines are still there


def test_shared_storage_sync_copies_nothing_but_still_reports_the_exit(tmp_path: Path) -> None:
    runner = _runner(tmp_path, steps=1)
    _wait_exit(runner)
    reply = runner.sync(0, 0, 0)
    assert reply["events"] == b"" and reply["exit_code"] == 0 and not reply["more"]


def test_signal_leaves_the_stop_request_before_the_trainer_sees_sigterm(tmp_path: Path) -> None:
    runner = _runner(tmp_path, steps=100000)
    deadline = time.monotonic() + 60
    while not runner.sync(0, 0)["events"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert runner.signal(signal.SIGTERM, {"by": "user", "reason": "looked hopeless"})
    assert _wait_exit(runner) == 0
    last = json.loads(runner.sync(0, 0)["events"].decode().splitlines()[-1])
    assert (last["event"], last["by"], last["reason"]) == ("stopped", "user", "looked hopeless")
    assert not runner.signal(signal.SIGTERM)  # it has exited: nothing to signal


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
def test_the_trainer_dies_with_the_process_that_runs_its_actor(tmp_path: Path) -> None:
    # A process standing in for the actor's worker starts a runner and prints the trainer's pid;
    # killing that process (as a dying node kills its workers) must take the trainer with it.
    host = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_plumbing import _runner
        from pathlib import Path
        runner = _runner(Path({str(tmp_path)!r}), steps=100000)
        print(runner.popen.pid, flush=True)
        time.sleep(600)
    """)
    actor_host = subprocess.Popen([sys.executable, "-c", host], stdout=subprocess.PIPE, text=True,
                                  env={**os.environ, "PYTHONPATH": str(Path.cwd())})
    assert actor_host.stdout is not None
    trainer_pid = int(actor_host.stdout.readline())
    assert process_alive(trainer_pid)
    actor_host.kill()
    actor_host.wait()
    deadline = time.monotonic() + 30
    while process_alive(trainer_pid):
        assert time.monotonic() < deadline, "the trainer outlived its actor's process"
        time.sleep(0.05)


def test_a_private_ray_instance_starts_on_loopback_unless_told_otherwise(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``address = "local"`` (or none): the options ``connect`` starts Ray with. The module-scoped
    cluster of tests/ray/conftest.py starts its nodes with them and test_cluster.py checks that its
    every socket stays on loopback."""
    from seedtui.core.engine.ray_backend.cluster import NODE_IP_ENV, local_start_options

    monkeypatch.delenv(NODE_IP_ENV, raising=False)
    assert local_start_options() == {"include_dashboard": False, "_node_ip_address": "127.0.0.1"}
    monkeypatch.setenv(NODE_IP_ENV, "10.0.0.5")  # a user's explicit choice wins
    assert local_start_options()["_node_ip_address"] == "10.0.0.5"
