"""Trials on a real two-node Ray cluster (started once for this module, on this machine, on
127.0.0.1 only): the cluster's sockets on loopback, placement on both nodes, the log copied into
the local sweep directory while the trainer runs, a stop reaching the trainer on its node,
re-attaching after the supervisor's connection is lost, suspend and resume pinned to the
checkpoint's node, and a node that leaves the cluster.

The tests run in file order and the last one removes the second node. The supervisor test runs
the real engine in a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from seedtui.core.engine.ray_backend import (
    LOST_EXIT_CODE,
    RayOptions,
    RayTrialProcess,
    cluster_capacity,
    connect,
    launch_trial_on_ray,
    reattach_trials,
    wait_until_finished,
)
from seedtui.log import read_events, validate_event
from seedtui.log.launch_records import RayLaunchRecord
from seedtui.state import process_alive
from tests.ray.conftest import (
    WAIT_LIMIT_S,
    LocalCluster,
    is_loopback,
    processes_under,
    tcp_endpoints,
    wait_for,
)

pytestmark = pytest.mark.ray

ON_SECOND_NODE = RayOptions(resources={"node_b": 1})
LONG = 400  # epochs (800 optimizer steps): far longer than any of these tests lets a trial run


def local_log(process: RayTrialProcess) -> list[dict[str, Any]]:
    return read_events(process.directory / "events.jsonl", final=True).events


def train_steps(process: RayTrialProcess) -> list[int]:
    return [e["step"] for e in local_log(process) if e["event"] == "train"]


def running_with_steps(process: RayTrialProcess, count: int) -> bool:
    """Pump once; True when at least ``count`` train events are in the local log and the trainer
    is still running on its node."""
    return process.exit_code() is None and len(train_steps(process)) >= count


def test_the_cluster_and_this_driver_stay_on_loopback(ray_cluster: LocalCluster) -> None:
    """The nodes run with the options the backend starts a private instance with (address =
    "local"; the fixture takes them from ``local_start_options``): every node reports a loopback
    address, and every socket of the cluster listens or connects on loopback only."""
    import ray

    from seedtui.core.engine.ray_backend.cluster import LOCAL_NODE_IP

    assert LOCAL_NODE_IP == "127.0.0.1"
    assert {n["NodeManagerAddress"] for n in ray.nodes()} == {LOCAL_NODE_IP}
    assert ray.get_runtime_context().gcs_address.startswith("127.0.0.1:")
    assert ray._private.worker.global_worker.node.node_ip_address == "127.0.0.1"
    cluster_pids = processes_under(str(ray_cluster.session_root))
    endpoints = tcp_endpoints([os.getpid(), *cluster_pids])
    assert any(state == "LISTEN" for _, _, state in endpoints)  # the GCS and raylets are among them
    outside = [(local, remote, state) for local, remote, state in endpoints
               if not is_loopback(local) or (state != "LISTEN" and not is_loopback(remote))]
    assert outside == []


def test_a_grid_runs_on_both_nodes(ray_cluster: LocalCluster, rte_config: Any) -> None:
    config = rte_config("grid")
    options = RayOptions()  # one CPU per trial, one CPU per node: two trials need both nodes
    assert cluster_capacity(options) == 2
    processes = [launch_trial_on_ray(config, wi, 1, options=options) for wi in config.wi_seeds]
    for process in processes:
        assert wait_until_finished(process, limit_s=WAIT_LIMIT_S) == 0
    assert {p.node_id for p in processes} == {ray_cluster.head_node_id, ray_cluster.worker_node_id}
    for process in processes:
        events = local_log(process)
        assert [e["event"] for e in events][0] == "start" and events[-1]["status"] == "completed"
        assert all(validate_event(e) == [] for e in events)
        assert (process.directory / "stderr.log").exists()
        record = RayLaunchRecord.read(process.directory)
        assert record is not None and record.node_id == process.node_id


def test_on_shared_storage_the_trainer_writes_the_sweep_dir_itself(
        ray_cluster: LocalCluster, rte_config: Any) -> None:
    config = rte_config("shared")
    process = launch_trial_on_ray(config, 1, 1, options=RayOptions(shared_storage=True))
    assert wait_until_finished(process, limit_s=WAIT_LIMIT_S) == 0
    assert process.extra["remote_dir"] == str(process.directory)
    events = local_log(process)
    assert [e["event"] for e in events].count("start") == 1  # written once, not copied over itself
    assert events[-1]["status"] == "completed"


def test_events_stream_in_a_restarted_supervisor_reattaches_and_a_stop_reaches_the_node(
        ray_cluster: LocalCluster, rte_config: Any) -> None:
    config = rte_config("stream", epochs=LONG)
    process = launch_trial_on_ray(config, 1, 1, options=ON_SECOND_NODE)
    wait_for(lambda: running_with_steps(process, 2), what="train events copied while the trial runs")
    assert process.node_id == ray_cluster.worker_node_id
    copied_before = train_steps(process)

    # the supervisor loses its connection (as when it is restarted); the detached actor goes on
    import ray

    ray.shutdown()
    connect(ray_cluster.cluster.address)
    attached, lost = reattach_trials(config.sweep_dir)
    assert lost == {} and set(attached) == {"wi1-do1"}
    again = attached["wi1-do1"]
    wait_for(lambda: running_with_steps(again, len(copied_before) + 2),
             what="events copied by the re-attached handle")
    assert again.node_id == ray_cluster.worker_node_id and again.pid == process.pid

    again.stop_by, again.stop_reason = "user", "stopped from the test"
    assert again.signal(signal.SIGTERM)
    assert wait_until_finished(again, limit_s=WAIT_LIMIT_S) is not None
    events = local_log(again)
    steps = [e["step"] for e in events if e["event"] == "train"]
    assert steps == list(range(1, len(steps) + 1))  # no line lost or copied twice across the re-attach
    assert [e["event"] for e in events].count("start") == 1
    end = events[-1]
    assert (end["event"], end["status"], end["by"], end["reason"]) == (
        "end", "stopped", "user", "stopped from the test")
    assert not process_alive(again.pid)  # these "nodes" share this machine, so its pid can be checked


def test_suspend_then_resume_runs_on_the_node_holding_the_checkpoint(
        ray_cluster: LocalCluster, rte_config: Any) -> None:
    config = rte_config("suspend", epochs=2)  # 4 optimizer steps
    first = launch_trial_on_ray(config, 2, 1, stop_at_fraction=0.5, options=ON_SECOND_NODE)
    assert wait_until_finished(first, limit_s=WAIT_LIMIT_S) == 0
    assert local_log(first)[-1]["status"] == "suspended"
    assert (Path(first.extra["remote_dir"]) / "checkpoint").is_dir()

    # no custom resource this time: only the pin can bring it back to the second node
    resumed = launch_trial_on_ray(config, 2, 1, resume=True, options=RayOptions())
    assert wait_until_finished(resumed, limit_s=WAIT_LIMIT_S) == 0
    assert resumed.node_id == first.node_id == ray_cluster.worker_node_id
    events = local_log(resumed)
    assert [e["event"] for e in events if e["event"] in ("start", "resume", "end")] == [
        "start", "end", "resume", "end"]
    assert [e["status"] for e in events if e["event"] == "end"] == ["suspended", "completed"]
    assert [e["step"] for e in events if e["event"] == "train"] == [1, 2, 3, 4]


def test_the_supervisor_runs_tfp_on_the_cluster(ray_cluster: LocalCluster, rte_config: Any,
                                                 tmp_path: Path) -> None:
    config = rte_config("tfp", epochs=2)  # 4 steps: the cohort suspends at step 2
    sweep_toml = f"""
        name = "tfp"
        sweep_dir = "{config.sweep_dir}"
        task = "rte"
        model = "{config.model}"
        wi_seeds = [1, 2]
        do_seeds = [1]
        [data]
        dir = "{config.data.dir}"
        train_limit = 16
        eval_limit = 8
        cache_dir = "{config.data.cache_dir}"
        [trainer]
        epochs = 2
        batch_size = 8
        lr = 0.0001
        max_seq_length = 32
        evals_per_epoch = 1
        device = "cpu"
        [resources]
        backend = "ray"
        address = "{ray_cluster.cluster.address}"
        kill_grace_s = 30
        [policy]
        rule = "tfp"
        [policy.tfp]
        t = 2
        f = 0.5
        p = 1
    """
    (config.sweep_dir / "sweep.toml").write_text(textwrap.dedent(sweep_toml))
    supervisor = subprocess.run(
        [sys.executable, "-m", "seedtui.core.engine.supervisor", str(config.sweep_dir)],
        capture_output=True, text=True, timeout=WAIT_LIMIT_S)
    assert supervisor.returncode == 0, supervisor.stdout + supervisor.stderr
    ends = {}
    for trial in ("wi1-do1", "wi2-do1"):
        events = read_events(config.sweep_dir / "trials" / trial / "events.jsonl", final=True).events
        ends[trial] = [e["status"] for e in events if e["event"] == "end"]
    assert sorted(ends.values()) == [["suspended", "completed"], ["suspended", "stopped"]]
    nodes = {RayLaunchRecord.read(config.sweep_dir / "trials" / t).node_id  # type: ignore[union-attr]
             for t in ends}
    assert nodes == {ray_cluster.head_node_id, ray_cluster.worker_node_id}
    decisions = [json.loads(line) for line in (config.sweep_dir / "decisions.jsonl").read_text().splitlines()]
    assert sorted(d["action"] for d in decisions if d["rule"] == "tfp") == ["promote", "stop"]


def test_removing_a_node_fails_its_trials(ray_cluster: LocalCluster, rte_config: Any) -> None:
    config = rte_config("node-loss", epochs=LONG)
    suspended = launch_trial_on_ray(config, 2, 1, stop_at_fraction=0.001, options=ON_SECOND_NODE)
    assert wait_until_finished(suspended, limit_s=WAIT_LIMIT_S) == 0
    running = launch_trial_on_ray(config, 1, 1, options=ON_SECOND_NODE)
    wait_for(lambda: running_with_steps(running, 1), what="the trial on the second node to train")
    assert running.node_id == ray_cluster.worker_node_id

    ray_cluster.cluster.remove_node(ray_cluster.worker)

    assert wait_until_finished(running, limit_s=WAIT_LIMIT_S) == LOST_EXIT_CODE
    assert running.node_lost
    end = local_log(running)[-1]
    assert (end["event"], end["status"]) == ("end", "failed")
    assert ray_cluster.worker_node_id[:8] in end["reason"] and "left the cluster" in end["reason"]
    wait_for(lambda: not process_alive(running.pid), what="the trainer to die with its node", limit_s=60)

    # the suspended trial's checkpoint went with the node: its resume fails at once, saying why
    resumed = launch_trial_on_ray(config, 2, 1, resume=True, options=RayOptions())
    assert resumed.exit_code() == LOST_EXIT_CODE and resumed.node_lost
    end = local_log(resumed)[-1]
    assert end["status"] == "failed" and ray_cluster.worker_node_id[:8] in end["reason"]
    assert json.loads((resumed.directory / "ray.json").read_text())["node_id"] == ray_cluster.worker_node_id
