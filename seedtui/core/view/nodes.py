"""Which node or host each trial runs on, when a sweep spans several (Ray, or shared storage).

Two records say it: ``supervisor.json``'s ``nodes`` (trial id -> node, for running trials on the
Ray backend) and the ``host`` of each trial's start event. On one machine every trial has the
same host and nothing is shown; labels appear only when they tell trials apart.
"""

from __future__ import annotations

from collections.abc import Mapping

from seedtui.core.trials import TrialState


def trial_nodes(
    trials: Mapping[str, TrialState], running_nodes: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Trial id -> node label for the trials that have one, or {} when the sweep runs on one
    machine (no ``nodes`` record and a single host in the start events)."""
    labels: dict[str, str] = {}
    for trial_id, state in trials.items():
        host = state.start.get("host") if state.start is not None else None
        if isinstance(host, str) and host:
            labels[trial_id] = host
    for trial_id, node in (running_nodes or {}).items():
        if trial_id in trials and node:
            labels[trial_id] = str(node)
    if not running_nodes and len(set(labels.values())) < 2:
        return {}
    return labels


def node_count(labels: Mapping[str, str]) -> int:
    """How many distinct nodes the labels name."""
    return len(set(labels.values()))
