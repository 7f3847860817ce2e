"""What a sweep asks of a Ray cluster, and the names it uses there.

``RayOptions`` is read from the ``[resources]`` table (``backend = "ray"``, ``address``,
``ray_gpus_per_trial``, ...). The sweep's actors live in a Ray namespace derived from the sweep
directory, so a restarted supervisor finds the actors of its own sweep and no other's.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_NODE_WORK_DIR = "~/.cache/seedtui/ray-trials"
"""Where a node keeps its trials' directories (log, stderr, suspend checkpoint) when the sweep
directory is not on storage the nodes share. Expanded on the node."""


@dataclass(frozen=True)
class RayOptions:
    address: str | None = None
    """``None``/``"local"``: start a Ray instance inside the supervisor; ``"auto"``: the cluster this
    machine belongs to; ``"HOST:6379"`` or ``"ray://HOST:10001"``: that cluster."""
    gpus_per_trial: float = 0.0
    """Fractions share a GPU: 0.25 runs four trials per GPU."""
    cpus_per_trial: float = 1.0
    resources: Mapping[str, float] = field(default_factory=dict)
    """Custom Ray resources each trial asks for (e.g. ``{"A100": 1}`` for a labelled node group)."""
    requeue_on_node_failure: bool = False
    """A trial whose node died is run again from its start (its failed log is kept aside)."""
    shared_storage: bool = False
    """The sweep directory is mounted at the same path on every node: trials write there directly
    and a suspended trial may resume on any node."""
    node_work_dir: str = DEFAULT_NODE_WORK_DIR

    @property
    def device(self) -> str:
        return "cuda" if self.gpus_per_trial > 0 else "cpu"

    @property
    def threads_per_trial(self) -> int:
        return max(1, int(self.cpus_per_trial))

    def actor_options(self) -> dict[str, Any]:
        """The resource part of ``ActorClass.options(...)``."""
        return {"num_cpus": self.cpus_per_trial, "num_gpus": self.gpus_per_trial,
                "resources": dict(self.resources)}

    @classmethod
    def from_resources(cls, resources: Any) -> RayOptions:
        """Options from a ``ResourcesConfig`` (fields it lacks keep their defaults)."""
        def get(name: str, default: Any) -> Any:
            value = getattr(resources, name, None)
            return default if value is None else value

        return cls(
            address=get("address", None),
            gpus_per_trial=float(get("ray_gpus_per_trial", 0.0)),
            cpus_per_trial=float(get("ray_cpus_per_trial", 1.0)),
            resources=dict(get("ray_resources", {})),
            requeue_on_node_failure=bool(get("requeue_on_node_failure", False)),
            shared_storage=bool(get("ray_shared_storage", False)),
            node_work_dir=str(get("ray_node_work_dir", DEFAULT_NODE_WORK_DIR)),
        )


def option_problems(options: RayOptions) -> list[tuple[str, str]]:
    """(key, problem) for values Ray would refuse or that cannot run a trial; empty when valid."""
    problems: list[tuple[str, str]] = []
    if options.gpus_per_trial < 0:
        problems.append(("ray_gpus_per_trial", f"must be >= 0, not {options.gpus_per_trial:g}"))
    elif options.gpus_per_trial > 1 and options.gpus_per_trial != int(options.gpus_per_trial):
        problems.append(("ray_gpus_per_trial", "above 1 it must be a whole number of GPUs "
                                               f"(Ray's rule), not {options.gpus_per_trial:g}"))
    if options.cpus_per_trial <= 0:
        problems.append(("ray_cpus_per_trial", f"must be > 0, not {options.cpus_per_trial:g}"))
    for name, amount in options.resources.items():
        if amount <= 0:
            problems.append((f"ray_resources.{name}", f"must be > 0, not {amount:g}"))
    return problems


def sweep_namespace(sweep_dir: Path) -> str:
    """The Ray namespace of a sweep's actors: the sweep's name plus a hash of its resolved path,
    so two sweeps with one name in different directories never share actors."""
    resolved = str(Path(sweep_dir).resolve())
    digest = hashlib.sha1(resolved.encode("utf-8")).hexdigest()[:12]
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(resolved).name)[:40]
    return f"seedtui-{name}-{digest}"


def node_trial_dir(node_work_dir: str, namespace: str, trial: str) -> Path:
    """A trial's directory on the node that runs it (not shared storage)."""
    return Path(node_work_dir).expanduser() / namespace / trial
