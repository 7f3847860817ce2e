"""Launching a trial in a Ray actor, and finding a sweep's actors again after a restart.

Each trial is one detached, named actor (``<trial>.<8 hex>`` in the sweep's namespace) holding
the CPUs and (fractional) GPUs the options ask for; it runs the same trainer command the local
launcher would. Detached, so the trials outlive a supervisor that crashed or was restarted; named,
so the next supervisor finds them with ``ray.get_actor``. The supervisor releases each actor once
its trial's log is copied.

Suspend and resume: unless the sweep directory is shared storage, a suspended trial's checkpoint
stays in its directory on the node that ran it, and the resumed actor is pinned to that node
(``NodeAffinitySchedulingStrategy``, not soft). If that node has left the cluster, the resume fails
at once with a reason naming it (the sweep can run the trial again from its start).
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

from seedtui.core.engine.config import SweepConfig
from seedtui.core.engine.ray_backend.cluster import describe_node, node_alive
from seedtui.core.engine.ray_backend.mirror import (
    StreamMirror,
    continue_offset,
)
from seedtui.core.engine.ray_backend.options import RayOptions, node_trial_dir, sweep_namespace
from seedtui.core.engine.ray_backend.process import RayTrialProcess
from seedtui.core.engine.ray_backend.runner import TRIAL_DIR_PLACEHOLDER, TrialRunner
from seedtui.core.engine.trainer_command import trainer_argv
from seedtui.log import EVENTS_FILE, STDERR_FILE, TRIALS_DIR, append_event, trial_id
from seedtui.log.files import STOP_REQUEST_FILE, trial_dir
from seedtui.log.jsonl import file_size
from seedtui.log.launch_records import RayLaunchRecord
from seedtui.state import load_trial

_runner_class: Any = None


def _remote_runner() -> Any:
    """``TrialRunner`` as a Ray actor class (made once, on first use, so importing this module
    does not import Ray)."""
    global _runner_class
    if _runner_class is None:
        import ray

        _runner_class = ray.remote(TrialRunner)
    return _runner_class


def launch_trial_on_ray(config: SweepConfig, wi_seed: int, do_seed: int, *,
                        stop_at_fraction: float | None = None, resume: bool = False,
                        options: RayOptions | None = None) -> RayTrialProcess:
    """Start one trial in a new actor on the cluster this process is connected to (see ``connect``).
    Returns at once; the actor may wait for resources before its trainer starts."""
    options = options or RayOptions.from_resources(config.resources)
    namespace = sweep_namespace(config.sweep_dir)
    trial = trial_id(wi_seed, do_seed)
    local_dir = trial_dir(config.sweep_dir, trial)
    local_dir.mkdir(parents=True, exist_ok=True)
    (local_dir / STOP_REQUEST_FILE).unlink(missing_ok=True)  # a request from an earlier run
    (local_dir / STDERR_FILE).touch()  # as the local launcher does: failures point at it
    previous = RayLaunchRecord.read(local_dir)
    scheduling: dict[str, Any] = {}
    if resume and not options.shared_storage:
        node_id = previous.node_id if previous is not None else ""
        if not node_alive(node_id):
            where = describe_node(node_id, previous.node_ip if previous is not None else "")
            return _failed_at_launch(trial, local_dir, namespace, resume=True, reason=(
                f"cannot resume: its checkpoint is on the Ray node {where}, which has left the cluster"))
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        scheduling["scheduling_strategy"] = NodeAffinitySchedulingStrategy(node_id, soft=False)
    remote_dir = (str(local_dir) if options.shared_storage
                  else str(node_trial_dir(options.node_work_dir, namespace, trial)))
    argv = trainer_argv(config, wi_seed, do_seed, Path(TRIAL_DIR_PLACEHOLDER), device=options.device,
                        stop_at_fraction=stop_at_fraction, resume=resume)
    record = RayLaunchRecord(
        actor_name=f"{trial}.{uuid.uuid4().hex[:8]}", namespace=namespace, started=time.time(),
        resume=resume, stop_at_fraction=stop_at_fraction,
        events_local_start=file_size(local_dir / EVENTS_FILE),
        stderr_local_start=file_size(local_dir / STDERR_FILE), shared_storage=options.shared_storage,
    )
    record.write(local_dir)  # before the actor exists, so a restart never misses one
    actor = _remote_runner().options(
        name=record.actor_name, namespace=namespace, lifetime="detached", max_restarts=0,
        **options.actor_options(), **scheduling,
    ).remote(argv, remote_dir, resume=resume, fresh_directory=not options.shared_storage,
             threads=options.threads_per_trial)
    return _handle(trial, local_dir, actor, record, copy=not options.shared_storage, offsets=(0, 0))


def _handle(trial: str, local_dir: Path, actor: Any, record: RayLaunchRecord, *, copy: bool,
            offsets: tuple[int, int]) -> RayTrialProcess:
    events = stderr = None
    if copy:
        events = StreamMirror(local_dir / EVENTS_FILE, remote_offset=offsets[0])
        stderr = StreamMirror(local_dir / STDERR_FILE, remote_offset=offsets[1], whole_lines=False)
    return RayTrialProcess(
        trial_id=trial, directory=local_dir, actor=actor, actor_name=record.actor_name,
        namespace=record.namespace, started=record.started, resume=record.resume, events=events,
        stderr=stderr, node=record.node_ip, node_id=record.node_id, record=record,
    )


def _failed_at_launch(trial: str, local_dir: Path, namespace: str, *, resume: bool,
                      reason: str) -> RayTrialProcess:
    """A handle on a trial that could not be placed: already ended, with a ``failed`` end event."""
    record = RayLaunchRecord(actor_name="", namespace=namespace, started=time.time(), resume=resume,
                             stop_at_fraction=None, events_local_start=0, stderr_local_start=0,
                             shared_storage=False)
    process = _handle(trial, local_dir, None, record, copy=False, offsets=(0, 0))
    process.fail_unplaced(reason)
    return process


def _named_actors(namespace: str) -> set[str]:
    import ray

    return {entry["name"] for entry in ray.util.list_named_actors(all_namespaces=True)
            if entry.get("namespace") == namespace}


def reattach_trials(sweep_dir: Path) -> tuple[dict[str, RayTrialProcess], dict[str, str]]:
    """After a supervisor restart: handles on the sweep's trials whose actors still run (their logs
    continue where the local copy stopped), and, for trials whose log says running but whose actor
    is gone, the reason; those get a ``failed`` end event. Actors of this sweep that no record
    names (a launch cut short) are killed."""
    import ray

    sweep_dir = Path(sweep_dir).resolve()
    namespace = sweep_namespace(sweep_dir)
    alive = _named_actors(namespace)
    attached: dict[str, RayTrialProcess] = {}
    lost: dict[str, str] = {}
    trials_root = sweep_dir / TRIALS_DIR
    for local_dir in sorted(p for p in trials_root.glob("*") if p.is_dir()):
        record = RayLaunchRecord.read(local_dir)
        if record is None or not record.actor_name or record.namespace != namespace:
            continue
        if record.actor_name in alive:
            actor = ray.get_actor(record.actor_name, namespace=namespace)
            offsets = (continue_offset(local_start=record.events_local_start,
                                       local_now=file_size(local_dir / EVENTS_FILE)),
                       continue_offset(local_start=record.stderr_local_start,
                                       local_now=file_size(local_dir / STDERR_FILE)))
            attached[local_dir.name] = _handle(local_dir.name, local_dir, actor, record,
                                               copy=not record.shared_storage, offsets=offsets)
            alive.discard(record.actor_name)
        elif load_trial(local_dir / EVENTS_FILE).status == "running":
            where = describe_node(record.node_id, record.node_ip)
            reason = (f"its Ray actor {record.actor_name} on node {where} is gone (it or its node died "
                      "while no supervisor was watching)")
            state = load_trial(local_dir / EVENTS_FILE)
            append_event(local_dir / EVENTS_FILE, "end", status="failed", step=state.last_step,
                         reason=reason, node=record.node_ip, written_by="ray_backend")
            lost[local_dir.name] = reason
    for stray in alive:
        ray.kill(ray.get_actor(stray, namespace=namespace), no_restart=True)
    return attached, lost


def release_sweep_actors(sweep_dir: Path) -> int:
    """Kill every actor of this sweep (their trainers die with them); returns how many."""
    import ray

    namespace = sweep_namespace(Path(sweep_dir))
    names = _named_actors(namespace)
    for name in names:
        try:
            ray.kill(ray.get_actor(name, namespace=namespace), no_restart=True)
        except ValueError:  # it ended between the listing and the lookup
            pass
    return len(names)
