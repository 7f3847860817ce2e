"""Trials as processes on this machine: the backend over ``launcher.py`` and ``procs.py``, and, with
``[resources] trials_per_process`` > 1, over ``pack_launcher.py`` (several trials per process)."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from typing import cast

from seedtui.core.engine.backend import Adoption, LaunchRequest, TrialHandle
from seedtui.core.engine.config import SweepConfig
from seedtui.core.engine.launcher import TrialProcess, adopt_trial, launch_trial
from seedtui.core.engine.pack_launcher import PackLauncher, PackTrial
from seedtui.core.engine.procs import signal_group
from seedtui.core.engine.slots import Slot, make_slots
from seedtui.log import TRIALS_DIR
from seedtui.state import TrialState


class LocalBackend:
    """One process group per trial, launched with ``start_new_session``; ``launch.json`` records
    each so a restarted supervisor adopts the ones still running."""

    name = "local"

    def __init__(self, config: SweepConfig) -> None:
        self.config = config
        self._slots = make_slots(config.resources)
        self._packs = PackLauncher(config)

    def slots(self) -> list[Slot]:
        return list(self._slots)

    def launch(self, request: LaunchRequest) -> TrialHandle:
        if request.slot.process is not None:
            return self._packs.launch(request.slot, request.trial_id, request.wi_seed, request.do_seed,
                                      request.directory, stop_at_fraction=request.stop_at_fraction,
                                      resume=request.resume)
        return launch_trial(self.config, request.wi_seed, request.do_seed, request.slot,
                            stop_at_fraction=request.stop_at_fraction, resume=request.resume)

    def signal(self, handle: TrialHandle, signum: int) -> bool:
        if isinstance(handle, PackTrial):
            return self._packs.signal(handle, signum)
        return signal_group(cast(TrialProcess, handle).pgid, signum)

    def is_ours(self, handle: TrialHandle) -> bool:
        return cast(TrialProcess | PackTrial, handle).is_ours()

    def poll(self, handles: Mapping[str, TrialHandle]) -> dict[str, int]:
        exited = {}
        for trial, handle in handles.items():
            code = cast(TrialProcess | PackTrial, handle).exit_code()
            if code is not None:
                exited[trial] = code
        return exited

    def adopt(self, trial_ids: list[str]) -> Adoption:
        adoption = Adoption()
        for trial in trial_ids:
            directory = self.config.sweep_dir / TRIALS_DIR / trial
            process = adopt_trial(directory) or self._packs.adopt(directory)
            if process is not None:
                adoption.running[trial] = process
        return adoption

    def orphan_is_lost(self, state: TrialState) -> bool:
        # a log another machine writes (a sweep directory on shared storage) is not ours to judge
        return state.host in (None, socket.gethostname())  # the latest start or resume's host

    def requeue_reason(self, handle: TrialHandle) -> str | None:
        return self._packs.requeue_reason(handle) if isinstance(handle, PackTrial) else None

    def where(self, handle: TrialHandle) -> str:
        slot = handle.slot.label if handle.slot is not None else "no slot"
        if isinstance(handle, PackTrial):
            return f"{slot} (worker pid {handle.pid}, {handle.worker.directory.name})"
        return f"{slot} (pid {handle.pid})"

    def nodes(self, handles: Mapping[str, TrialHandle]) -> dict[str, str]:
        return {}
