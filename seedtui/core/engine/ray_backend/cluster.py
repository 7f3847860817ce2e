"""Joining a Ray cluster, and what the sweep needs to know about its nodes."""

from __future__ import annotations

import ipaddress
import math
import os
from typing import Any

from seedtui.core.engine.ray_backend.options import RayOptions

NODE_IP_ENV = "SEEDTUI_RAY_NODE_IP"
"""The address this process (the supervisor, Ray's "driver") uses on the cluster's network, when
Ray's own guess (the interface its default route leaves by) is wrong: a machine with several
networks, or a test cluster on 127.0.0.1. Like ``ray start --node-ip-address``; it must be the IP
of a node of the cluster on this machine when there is one. Not used with ``ray://`` addresses."""


LOCAL_NODE_IP = "127.0.0.1"
"""Where a private Ray instance (``address = "local"``) listens: loopback only, so no other machine
can reach its GCS, raylet or object store (Ray's own default is the machine's external address)."""


def local_start_options() -> dict[str, Any]:
    """The ``ray.init`` options of a private instance: no dashboard, and this machine's loopback
    address as its node IP (or ``$SEEDTUI_RAY_NODE_IP`` when set)."""
    node_ip = os.environ.get(NODE_IP_ENV, "").strip() or LOCAL_NODE_IP
    return {"include_dashboard": False, "_node_ip_address": node_ip}


def keep_ray_on_loopback() -> None:
    """Let Ray use a loopback node IP as given. Without this Ray swaps a loopback IP for the
    machine's external address (``resolve_ip_for_localhost``); Ray reads the environment variable
    once, at import, and the constant at each call, so both are set (child processes read the
    variable)."""
    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    from ray._private import ray_constants

    ray_constants.ENABLE_RAY_CLUSTER = False


def _is_loopback(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def connect(address: str | None = None, *, runtime_env: dict[str, Any] | None = None) -> str:
    """Join the cluster at ``address`` (``"auto"``, ``"HOST:PORT"``, ``"ray://HOST:10001"``), or
    start a private Ray instance, on loopback only (``local_start_options``), when it is None or
    ``"local"``. Does nothing if this process is already connected. Returns the cluster's GCS
    address.

    ``$SEEDTUI_RAY_NODE_IP`` sets this process's node IP (see ``NODE_IP_ENV``). Joining a cluster
    with a loopback IP there needs ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` in the environment
    before Ray is imported, or Ray replaces it with the machine's external address (a private
    instance sets it itself: ``keep_ray_on_loopback``)."""
    import ray

    if not ray.is_initialized():
        options: dict[str, Any] = {"log_to_driver": False, "configure_logging": False}
        if runtime_env is not None:
            options["runtime_env"] = runtime_env
        node_ip = os.environ.get(NODE_IP_ENV, "").strip()
        if address in (None, "", "local"):
            start = local_start_options()
            if _is_loopback(start["_node_ip_address"]):
                keep_ray_on_loopback()
            ray.init(**start, **options)
        else:
            if node_ip and not (address or "").startswith("ray://"):
                options["_node_ip_address"] = node_ip
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
