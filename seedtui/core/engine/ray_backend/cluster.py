"""Joining a Ray cluster, and what the sweep needs to know about its nodes."""

from __future__ import annotations

import math
import os
from typing import Any

from seedtui.core.engine.ray_backend.options import RayOptions

NODE_IP_ENV = "SEEDTUI_RAY_NODE_IP"
"""The address this process (the supervisor, Ray's "driver") uses on the cluster's network, when
Ray's own guess (the interface its default route leaves by) is wrong: a machine with several
networks, or a test cluster on 127.0.0.1. Like ``ray start --node-ip-address``; it must be the IP
of a node of the cluster on this machine when there is one. Not used with ``ray://`` addresses."""


def connect(address: str | None = None, *, runtime_env: dict[str, Any] | None = None) -> str:
    """Join the cluster at ``address`` (``"auto"``, ``"HOST:PORT"``, ``"ray://HOST:10001"``), or
    start a Ray instance in this process when it is None or ``"local"``. Does nothing if this
    process is already connected. Returns the cluster's GCS address.

    ``$SEEDTUI_RAY_NODE_IP`` sets this process's node IP (see ``NODE_IP_ENV``). A loopback IP
    there needs ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` in the environment before Ray is imported,
    or Ray replaces it with the machine's external address."""
    import ray

    if not ray.is_initialized():
        options: dict[str, Any] = {"log_to_driver": False, "configure_logging": False}
        if runtime_env is not None:
            options["runtime_env"] = runtime_env
        node_ip = os.environ.get(NODE_IP_ENV, "").strip()
        if node_ip and not (address or "").startswith("ray://"):
            options["_node_ip_address"] = node_ip
        if address in (None, "", "local"):
            ray.init(include_dashboard=False, **options)
        else:
            ray.init(address=address, **options)
    return str(ray.get_runtime_context().gcs_address)


def alive_nodes() -> dict[str, dict[str, Any]]:
    """Node id -> Ray's description of each node that is alive."""
    import ray

    return {node["NodeID"]: node for node in ray.nodes() if node.get("Alive")}


def node_alive(node_id: str) -> bool:
    return bool(node_id) and node_id in alive_nodes()


def describe_node(node_id: str, node_ip: str) -> str:
    """How logs name a node: its IP and the start of its id (two nodes may share an IP in tests)."""
    return f"{node_ip or 'unknown'} ({node_id[:8] or 'id unknown'})"


def cluster_capacity(options: RayOptions) -> int:
    """How many trials the alive nodes can run at once with these per-trial resources (at least 1,
    so a sweep waits for nodes to join rather than refusing to start)."""
    asks = {"CPU": options.cpus_per_trial, "GPU": options.gpus_per_trial, **options.resources}
    total = 0
    for node in alive_nodes().values():
        have = node.get("Resources", {})
        fits = [math.floor(have.get(name, 0.0) / amount + 1e-9)
                for name, amount in asks.items() if amount > 0]
        total += min(fits) if fits else 0
    return max(1, total)
