"""Where each trial of a sweep runs (its node), from what the sweep directory records.

Three records say it, from the most to the least precise:

- ``trials/<id>/ray.json`` (the Ray backend's launch record): the node's IP and id, once the actor
  has reported where it was placed. Two nodes may share an IP (several Ray nodes on one machine),
  so the label carries the start of the id too: ``10.0.0.2 (1a2b3c4d)``.
- ``supervisor.json``'s ``nodes``: the IP of the node of each trial running now (Ray backend).
- the host the trainer wrote into its ``start`` (or latest ``resume``) event.

On the local backend every trial runs on the supervisor's machine, so a trial that ran there gets
no label (saying so on every line is noise); one that ran on another host (a sweep directory on
shared storage, run from several machines in turn) does. Where nothing says which machine the
supervisor ran on (a replay, the TUI), a sweep whose trials all name one host gets no labels either.

The headless mode and the TUI both label trials with ``sweep_nodes``.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from seedtui.core.engine.ray_backend.cluster import describe_node
from seedtui.log.files import trial_dir
from seedtui.log.launch_records import RayLaunchRecord
from seedtui.state import TrialState


def ray_backend(supervisor_state: Mapping[str, Any] | None, trial_dirs: Iterable[Path] = ()) -> bool:
    """Whether the sweep runs on Ray: as ``supervisor.json`` says (its ``backend``, or else any
    ``nodes``, which only the Ray backend writes), or, without either, whether any trial has a Ray
    launch record."""
    if supervisor_state is not None and "backend" in supervisor_state:
        return supervisor_state.get("backend") == "ray"
    if supervisor_state is not None and supervisor_state.get("nodes"):
        return True
    return any(RayLaunchRecord.read(directory) is not None for directory in trial_dirs)


def trial_node(trial_dir: Path | None, trial: str, host: str | None, *, on_ray: bool,
               running_nodes: Mapping[str, str] | None = None, this_host: str | None = None) -> str | None:
    """A short label for the node ``trial`` runs (or ran) on, or None when there is nothing to say:
    not placed yet, or (local backend) the supervisor's machine, ``this_host`` (default: this
    machine). ``trial_dir`` holds its Ray launch record (None: no record to read); ``host`` is the
    one its start or resume event names (None before it); ``running_nodes`` is
    ``supervisor.json``'s ``nodes`` (trial id -> node IP)."""
    if on_ray:
        record = None if trial_dir is None else RayLaunchRecord.read(trial_dir)
        if record is not None and record.node_id:
            return describe_node(record.node_id, record.node_ip)
        if running_nodes and running_nodes.get(trial):
            return str(running_nodes[trial])
    if not host:
        return None
    if not on_ray and host == (this_host or socket.gethostname()):
        return None
    return host


def sweep_nodes(sweep_dir: Path | None, states: Iterable[TrialState], *,
                supervisor_state: Mapping[str, Any] | None, this_host: str | None = None) -> dict[str, str]:
    """Trial id -> node label, for the trials that have one (see ``trial_node``). ``sweep_dir``
    holds the trials' Ray launch records (None: none to read, e.g. a fake source);
    ``supervisor_state`` is ``supervisor.json`` (or just its ``nodes``); ``this_host`` defaults
    to the supervisor's host, and without one to this machine."""
    known_host = this_host or supervisor_host(supervisor_state)
    states = list(states)

    def directory(trial: str) -> Path | None:
        return None if sweep_dir is None else trial_dir(sweep_dir, trial)

    on_ray = ray_backend(supervisor_state, (d for s in states if (d := directory(s.trial_id)) is not None))
    if not on_ray and known_host is None and len({s.host for s in states} - {None}) < 2:
        return {}  # one machine, and nothing says it was not the supervisor's: naming it tells nothing
    running = (supervisor_state or {}).get("nodes") or {}
    labels: dict[str, str] = {}
    for state in states:
        label = trial_node(directory(state.trial_id), state.trial_id, state.host, on_ray=on_ray,
                           running_nodes=running, this_host=known_host)
        if label is not None:
            labels[state.trial_id] = label
    return labels


def node_count(labels: Mapping[str, str]) -> int:
    """How many distinct nodes the labels name."""
    return len(set(labels.values()))


def trials_per_node(nodes: Mapping[str, str]) -> list[tuple[str, int]]:
    """(node label, number of trials) for each node, most trials first, then by label."""
    counts: dict[str, int] = {}
    for label in nodes.values():
        counts[label] = counts.get(label, 0) + 1
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


def supervisor_host(supervisor_state: Mapping[str, Any] | None) -> str | None:
    """The host ``supervisor.json`` says its supervisor runs on."""
    host = (supervisor_state or {}).get("host")
    return str(host) if host else None
