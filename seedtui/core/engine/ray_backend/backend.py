"""Trials as Ray actors: the backend over ``launch.py`` and ``process.py`` (see docs/ray.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from seedtui.core.engine.backend import Adoption, LaunchRequest, TrialHandle
from seedtui.core.engine.config import SweepConfig
from seedtui.core.engine.ray_backend.cluster import cluster_capacity, connect
from seedtui.core.engine.ray_backend.launch import launch_trial_on_ray, reattach_trials
from seedtui.core.engine.ray_backend.options import RayOptions
from seedtui.core.engine.ray_backend.process import RayTrialProcess
from seedtui.core.engine.slots import Slot
from seedtui.state import TrialState


class RayBackend:
    """Joins the cluster when made; one slot per trial the alive nodes can hold at once (or
    ``max_concurrent`` if more: Ray queues the rest, for autoscalers)."""

    name = "ray"

    def __init__(self, config: SweepConfig) -> None:
        self.config = config
        self.options = RayOptions.from_resources(config.resources)
        connect(self.options.address)
        count = max(cluster_capacity(self.options), config.resources.max_concurrent)
        self._slots = [Slot(index=i, gpu=None) for i in range(count)]

    def slots(self) -> list[Slot]:
        return list(self._slots)

    def launch(self, request: LaunchRequest) -> TrialHandle:
        process = launch_trial_on_ray(self.config, request.wi_seed, request.do_seed,
                                      stop_at_fraction=request.stop_at_fraction, resume=request.resume,
                                      options=self.options)
        process.slot = request.slot
        return process

    def signal(self, handle: TrialHandle, signum: int) -> bool:
        return cast(RayTrialProcess, handle).signal(signum)

    def is_ours(self, handle: TrialHandle) -> bool:
        return cast(RayTrialProcess, handle).is_ours()

    def poll(self, handles: Mapping[str, TrialHandle]) -> dict[str, int]:
        exited = {}
        for trial, handle in handles.items():
            code = cast(RayTrialProcess, handle).exit_code()  # copies new log lines first
            if code is not None:
                exited[trial] = code
        return exited

    def adopt(self, trial_ids: list[str]) -> Adoption:
        attached, lost = reattach_trials(self.config.sweep_dir)
        wanted = set(trial_ids)
        return Adoption(running={t: p for t, p in attached.items() if t in wanted}, lost=lost)

    def orphan_is_lost(self, state: TrialState) -> bool:
        return True  # every actor of the sweep was found by name: one not found is gone

    def requeue_reason(self, handle: TrialHandle) -> str | None:
        process = cast(RayTrialProcess, handle)
        if process.node_lost and self.options.requeue_on_node_failure:
            return process.failure_reason or "its node was lost"
        return None

    def where(self, handle: TrialHandle) -> str:
        process = cast(RayTrialProcess, handle)
        return f"Ray actor {process.actor_name}" + (f" on node {process.node}" if process.node else "")

    def nodes(self, handles: Mapping[str, TrialHandle]) -> dict[str, str]:
        return {t: cast(RayTrialProcess, h).node for t, h in handles.items()}
