"""A local two-node Ray cluster on loopback for the Ray backend's tests (one per test module: a
start costs about 5 s and 0.6 GB), and a sweep config over the tiny model and RTE.

Ray's session files and the nodes' trial directories go to a temporary HOME and RAY_TMPDIR set
before Ray starts; the teardown shuts the cluster down and kills any process still running from
that session directory (the processes this fixture started, found by their command line)."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from seedtui.core.engine.config import SweepConfig, parse_sweep_config

WAIT_LIMIT_S = 300.0
"""Every wait is bounded, so a broken backend fails instead of hanging (the machine is slow and
shared: a trainer takes 10-20 s to import torch here)."""


def wait_for(predicate: Callable[[], Any], *, what: str, limit_s: float = WAIT_LIMIT_S,
             every_s: float = 0.25) -> Any:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every_s)
    pytest.fail(f"timed out waiting for {what}")


@dataclass
class LocalCluster:
    cluster: Any
    worker: Any
    """The second node (the head cannot be removed without ending the cluster)."""
    head_node_id: str
    worker_node_id: str
    session_root: Path


def _processes_under(marker: str) -> list[int]:
    """Pids (not ours) whose command line mentions ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if marker in line:
            found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[LocalCluster]:
    pytest.importorskip("ray")
    # a short path: Ray puts unix sockets under it, and their paths may not exceed 107 bytes
    root = Path(tempfile.mkdtemp(prefix="sr-", dir="/tmp"))
    patch = pytest.MonkeyPatch()
    patch.setenv("HOME", str(root / "home"))
    patch.setenv("RAY_TMPDIR", str(root / "ray"))
    patch.setenv("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    patch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    (root / "home").mkdir()
    (root / "ray").mkdir()
    import ray
    from ray.cluster_utils import Cluster

    from seedtui.core.engine.ray_backend import connect, release_sweep_actors  # noqa: F401

    small: dict[str, Any] = {"num_cpus": 1, "object_store_memory": 80 * 1024 * 1024,
                             "include_dashboard": False}
    cluster = Cluster(initialize_head=True, head_node_args={**small, "resources": {"node_a": 1}})
    try:
        worker = cluster.add_node(**small, resources={"node_b": 1})
        cluster.wait_for_nodes()
        connect(cluster.address)
        nodes = {n["NodeID"]: n for n in ray.nodes() if n["Alive"]}
        head_id = next(i for i, n in nodes.items() if "node_a" in n["Resources"])
        worker_id = next(i for i, n in nodes.items() if "node_b" in n["Resources"])
        yield LocalCluster(cluster, worker, head_id, worker_id, root)
    finally:
        ray.shutdown()
        cluster.shutdown()
        for pid in _processes_under(str(root)):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        patch.undo()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def rte_config(tmp_path: Path, tiny_model_dir: Path, glue_dir: Path,
               tmp_path_factory: pytest.TempPathFactory) -> Callable[..., SweepConfig]:
    """A SweepConfig over the tiny model and a few RTE examples on CPU; ``epochs`` sets its length
    (one epoch is 2 optimizer steps)."""
    cache = tmp_path_factory.getbasetemp() / "ray-token-cache"

    def make(name: str = "sweep", *, epochs: float = 1, evals_per_epoch: int = 1) -> SweepConfig:
        raw = {
            "name": name, "sweep_dir": str(tmp_path / name), "task": "rte", "model": str(tiny_model_dir),
            "wi_seeds": "1-2", "do_seeds": [1],
            "data": {"dir": str(glue_dir / "RTE"), "train_limit": 16, "eval_limit": 8,
                     "cache_dir": str(cache)},
            "trainer": {"epochs": epochs, "batch_size": 8, "lr": 1e-4, "max_seq_length": 32,
                        "evals_per_epoch": evals_per_epoch, "device": "cpu"},
        }
        config = parse_sweep_config(raw, base=tmp_path)
        config.sweep_dir.mkdir(parents=True, exist_ok=True)
        return config

    return make
