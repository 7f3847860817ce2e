"""A local two-node Ray cluster on loopback for the Ray backend's tests (one per test module: a
start costs about 5 s and 0.6 GB), and a sweep config over the tiny model and RTE.

Every Ray process here (both nodes, the test's driver, and the supervisor subprocess a test starts)
binds and connects on 127.0.0.1 only. Two things keep it there:

- each node and the driver are given ``127.0.0.1`` as their node IP, and the supervisor subprocess
  gets it through ``SEEDTUI_RAY_NODE_IP`` (read by ``connect``);
- ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``. Without it ``ray.init`` rewrites a loopback
  ``_node_ip_address`` into the machine's external address (``resolve_ip_for_localhost``), then
  waits for a raylet at that address which no node has, and times out. Ray reads the variable
  once, when ``ray._private.ray_constants`` is imported, so setting it after something imported
  Ray has no effect: it is set when this conftest is imported (before any test imports Ray), and
  the fixture also sets the constant itself should Ray have been imported earlier.

Ray's session files and the nodes' trial directories go to a temporary HOME and RAY_TMPDIR set
before Ray starts; the teardown shuts the cluster down and kills any process still running from
that session directory (the processes this fixture started, found by their command line)."""

from __future__ import annotations

import ipaddress
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

LOOPBACK = "127.0.0.1"
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # see the module docstring: before Ray is imported

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


def processes_under(marker: str) -> list[int]:
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


def tcp_endpoints(pids: list[int]) -> list[tuple[str, str, str]]:
    """(local, remote, state) of every TCP socket the processes ``pids`` hold, from /proc/net/tcp
    and tcp6 (addresses as ipaddress text, e.g. ``127.0.0.1`` or ``::ffff:127.0.0.1``; state
    ``LISTEN``, ``ESTABLISHED`` or the kernel's hex code)."""
    inodes: set[str] = set()
    for pid in pids:
        try:
            for fd in (Path("/proc") / str(pid) / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[len("socket:["):-1])
        except OSError:  # it ended, or is not ours
            continue
    states = {"0A": "LISTEN", "01": "ESTABLISHED"}
    found = []
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                found.append((_address(fields[1]), _address(fields[2]), states.get(fields[3], fields[3])))
    return found


def _address(hex_address: str) -> str:
    """``0100007F:1F90`` -> ``127.0.0.1`` (the kernel prints each 32-bit word little-endian)."""
    raw = bytes.fromhex(hex_address.split(":")[0])
    native = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(native))


def is_loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    return (mapped or ip).is_loopback


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
    # with usage stats disabled the head still tells https://usage-stats.ray.io/ so, once: send
    # that to a closed port on loopback instead (it fails, and Ray only logs it at debug level)
    patch.setenv("RAY_USAGE_STATS_REPORT_URL", f"http://{LOOPBACK}:9/")
    patch.delenv("SEEDTUI_RAY_NODE_IP", raising=False)
    from seedtui.core.engine.ray_backend.cluster import keep_ray_on_loopback, local_start_options

    # the nodes start as the backend starts a private instance (address = "local"): its options
    start = local_start_options()
    patch.setenv("SEEDTUI_RAY_NODE_IP", LOOPBACK)  # for connect(), here and in subprocesses
    (root / "home").mkdir()
    (root / "ray").mkdir()
    # Ray's head starts a dashboard process even with include_dashboard=False, and its usage-stats
    # module (which runs whether or not usage stats are enabled) asks the cloud metadata address
    # 169.254.169.254 which cloud it is on, unless ~/ray_bootstrap_config.yaml names the provider
    (root / "home" / "ray_bootstrap_config.yaml").write_text("provider:\n  type: local\n")
    import ray
    from ray._private import ray_constants
    from ray.cluster_utils import Cluster

    from seedtui.core.engine.ray_backend import connect

    # read at call time by ray._private.services.get_node_ip_address: effective even if Ray was
    # imported before the environment variable was set; the backend's own switch sets it (the
    # setattr only restores it afterwards)
    patch.setattr(ray_constants, "ENABLE_RAY_CLUSTER", ray_constants.ENABLE_RAY_CLUSTER)
    keep_ray_on_loopback()
    small: dict[str, Any] = {"num_cpus": 1, "object_store_memory": 80 * 1024 * 1024,
                             "include_dashboard": start["include_dashboard"],
                             "node_ip_address": start["_node_ip_address"]}
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
        for pid in processes_under(str(root)):
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
