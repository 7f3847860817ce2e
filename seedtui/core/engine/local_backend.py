"""Trials as processes on this machine: the backend over ``launcher.py`` and ``procs.py``."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from typing import cast

from seedtui.core.engine.backend import Adoption, LaunchRequest, TrialHandle
from seedtui.core.engine.config import SweepConfig
from seedtui.core.engine.launcher import TrialProcess, adopt_trial, launch_trial
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

    def slots(self) -> list[Slot]:
        return list(self._slots)

    def launch(self, request: LaunchRequest) -> TrialHandle:
        return launch_trial(self.config, request.wi_seed, request.do_seed, request.slot,
                            stop_at_fraction=request.stop_at_fraction, resume=request.resume)

    def signal(self, handle: TrialHandle, signum: int) -> bool:
        return signal_group(cast(TrialProcess, handle).pgid, signum)

    def is_ours(self, handle: TrialHandle) -> bool:
        return cast(TrialProcess, handle).is_ours()

    def poll(self, handles: Mapping[str, TrialHandle]) -> dict[str, int]:
        exited = {}
        for trial, handle in handles.items():
            code = cast(TrialProcess, handle).exit_code()
            if code is not None:
                exited[trial] = code
        return exited

    def adopt(self, trial_ids: list[str]) -> Adoption:
        adoption = Adoption()
        for trial in trial_ids:
            process = adopt_trial(self.config.sweep_dir / TRIALS_DIR / trial)
            if process is not None:
                adoption.running[trial] = process
        return adoption

    def orphan_is_lost(self, state: TrialState) -> bool:
        # a log another machine writes (a sweep directory on shared storage) is not ours to judge
        return state.host in (None, socket.gethostname())  # the latest start or resume's host

    def requeue_reason(self, handle: TrialHandle) -> str | None:
        return None

    def where(self, handle: TrialHandle) -> str:
        slot = handle.slot.label if handle.slot is not None else "no slot"
        return f"{slot} (pid {handle.pid})"

    def nodes(self, handles: Mapping[str, TrialHandle]) -> dict[str, str]:
        return {}
