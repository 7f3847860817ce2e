"""What the supervisor needs from wherever trials run: the one interface of the local, Ray and fake backends.

The supervisor decides (which trial, when, with which flags, when to stop it); a backend carries
it out: it starts a trial's trainer in a slot, signals it, says which have exited and with what
code, finds the trials still running after a supervisor restart, and names the nodes they run on.
The supervisor talks to nothing else, so its whole logic runs in-process against
``seedtui.testing.fake_backend.FakeBackend``, and a new place to run trials is one new class.

Backends:
- ``seedtui.core.engine.local_backend.LocalBackend``: processes on this machine (``launcher.py``).
- ``seedtui.core.engine.ray_backend.backend.RayBackend``: one Ray actor per trial.
- ``seedtui.testing.fake_backend.FakeBackend``: simulated trainers that write real logs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from seedtui.core.engine.slots import Slot
from seedtui.state import TrialState

if TYPE_CHECKING:
    from seedtui.core.engine.config import SweepConfig


@dataclass(frozen=True)
class LaunchRequest:
    """One trainer run the supervisor asks for. The backend turns it into a command line
    (``launcher.trainer_argv``: on Ray the trial directory and device are the node's, not ours)."""

    trial_id: str
    wi_seed: int
    do_seed: int
    directory: Path
    """The trial's directory in the sweep directory (where its log is, or is copied to)."""
    slot: Slot
    stop_at_fraction: float | None = None
    """Suspend (checkpoint, end ``suspended``) at this fraction of training: a t/f/p milestone."""
    resume: bool = False
    """Continue from the checkpoint of a suspended run."""


class TrialHandle(Protocol):
    """The supervisor's handle on one running trial (each backend has its own class)."""

    trial_id: str
    pid: int
    """The trainer's pid (on its node); 0 while not known."""
    slot: Slot | None
    stop_by: str | None
    """Who asked it to stop (set when SIGTERM was sent)."""
    stop_reason: str
    term_sent_at: float | None
    """Supervisor-clock time of that SIGTERM, for the SIGKILL escalation."""
    kill_sent: bool
    extra: dict[str, Any]
    """The supervisor's notes (``log_offset``: the log's size when this run began; ``slot``)."""


@dataclass
class Adoption:
    """What a backend found when a supervisor (re)started."""

    running: dict[str, TrialHandle] = field(default_factory=dict)
    """Trials whose trainers still run: the supervisor keeps following them."""
    lost: dict[str, str] = field(default_factory=dict)
    """Trials whose trainers vanished while no supervisor watched, and why (already logged)."""


class Backend(Protocol):
    name: str
    """``local``, ``ray`` or ``fake`` (``supervisor.json``'s ``backend``)."""

    def slots(self) -> list[Slot]:
        """Where trials may run: one trial per slot at a time."""
        ...

    def launch(self, request: LaunchRequest) -> TrialHandle:
        """Start the trainer; returns at once (the trial may still wait for resources)."""
        ...

    def signal(self, handle: TrialHandle, signum: int) -> bool:
        """Send ``signum`` to the trial's process group (the stop request, if any, is already
        written); False when there was nothing to signal."""
        ...

    def is_ours(self, handle: TrialHandle) -> bool:
        """Whether the handle still names this trial's live trainer (pids are reused)."""
        ...

    def poll(self, handles: Mapping[str, TrialHandle]) -> dict[str, int]:
        """Trial id -> exit code, for the handles whose trainers have exited and whose logs are
        complete in the sweep directory (-1 when the code is unknown)."""
        ...

    def adopt(self, trial_ids: list[str]) -> Adoption:
        """After a restart: the given trials still running, and those lost."""
        ...

    def orphan_is_lost(self, state: TrialState) -> bool:
        """Whether a trial whose log says running, and that ``adopt`` did not find, is gone (its log
        is moved aside and it runs again) rather than running somewhere this backend cannot see."""
        ...

    def requeue_reason(self, handle: TrialHandle) -> str | None:
        """Why an exited trial should run again from the start (its node was lost), or None."""
        ...

    def where(self, handle: TrialHandle) -> str:
        """Where it runs, for the supervisor's log (``cpu0 (pid 123)``, ``Ray actor ...``)."""
        ...

    def nodes(self, handles: Mapping[str, TrialHandle]) -> dict[str, str]:
        """Trial id -> node, for ``supervisor.json``'s ``nodes`` (empty where every trial runs here)."""
        ...


def make_backend(config: SweepConfig) -> Backend:
    """The backend ``[resources] backend`` names."""
    if config.resources.backend == "ray":
        from seedtui.core.engine.ray_backend.backend import RayBackend

        return RayBackend(config)
    from seedtui.core.engine.local_backend import LocalBackend

    return LocalBackend(config)
