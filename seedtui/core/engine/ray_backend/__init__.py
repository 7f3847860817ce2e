"""Running a sweep's trials on a Ray cluster (``[resources] backend = "ray"``; see docs/ray.md).

Ray is imported only when a function here is called, so the engine imports this package freely
and Ray stays an optional extra (``pip install seedtui[ray]``).
"""

from __future__ import annotations

from seedtui.core.engine.ray_backend.cluster import alive_nodes, cluster_capacity, connect
from seedtui.core.engine.ray_backend.launch import (
    launch_trial_on_ray,
    reattach_trials,
    release_sweep_actors,
)
from seedtui.core.engine.ray_backend.options import RayOptions, option_problems, sweep_namespace
from seedtui.core.engine.ray_backend.process import LOST_EXIT_CODE, RayTrialProcess, wait_until_finished

__all__ = [
    "LOST_EXIT_CODE",
    "RayOptions",
    "RayTrialProcess",
    "alive_nodes",
    "cluster_capacity",
    "connect",
    "launch_trial_on_ray",
    "option_problems",
    "reattach_trials",
    "release_sweep_actors",
    "sweep_namespace",
    "wait_until_finished",
]
