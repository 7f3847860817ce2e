"""The interface every event source implements, and the thread-safe buffer they share."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedtui.core.recording import TrialSlice
from seedtui.core.replay_seek import SeekTarget
from seedtui.core.view.sweep_info import SweepInfo
from seedtui.core.view.sweep_model import TrialEvent
from seedtui.tui.gpu import GpuInfo


@dataclass(frozen=True)
class SourceStatus:
    """How the source stands, for the header (immutable: posted as a snapshot)."""

    mode: str
    """``live``, ``read-only``, ``replay`` or ``fake``."""
    simulated: bool = False
    """Actions act on a simulated copy (replay), never on files."""
    queue_paused: bool = False
    supervisor_alive: bool | None = None
    position: float | None = None
    """Replay: seconds of sweep time shown so far."""
    duration: float | None = None
    speed: float | None = None
    playing: bool | None = None
    gpus: tuple[GpuInfo, ...] = ()
    running_nodes: tuple[tuple[str, str], ...] = ()
    """Live, Ray backend: (trial id, node) of running trials, from ``supervisor.json``'s ``nodes``."""


@dataclass
class SourceUpdate:
    """Everything a source produced since the last drain."""

    events: list[TrialEvent] = field(default_factory=list)
    slices: list[TrialSlice] = field(default_factory=list)
    """Replay: runs of a trial's recording, folded in bulk (``TrialSlice.fold_into``)."""
    known_trials: list[str] = field(default_factory=list)
    """Trials that exist (queued ones included) though they may have no event yet."""
    replaced: list[str] = field(default_factory=list)
    """Live: trials whose log was replaced or truncated; the model starts them over before folding
    ``events`` (which then hold the new log's events from its start)."""
    orphaned: list[str] = field(default_factory=list)
    """Live: running trials whose process is gone (``seedtui.state.liveness``); the model marks them
    failed after folding ``events``."""
    decisions: list[dict[str, Any]] = field(default_factory=list)
    status: SourceStatus | None = None
    notices: list[str] = field(default_factory=list)
    """One-line messages for the user (e.g. a trial a simulated policy stopped)."""
    restart: bool = False
    """Replay: it went back (restart, seek or step back); the app drops every trial's state and
    every decision before folding this update, which holds everything from the beginning."""

    def __bool__(self) -> bool:
        return bool(
            self.events or self.slices or self.known_trials or self.replaced or self.orphaned
            or self.decisions or self.status or self.notices or self.restart
        )


class UpdateBuffer:
    """Where a producer thread leaves updates until the app drains them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending = SourceUpdate()

    def push(
        self,
        *,
        events: list[TrialEvent] | None = None,
        slices: list[TrialSlice] | None = None,
        known_trials: list[str] | None = None,
        decisions: list[dict[str, Any]] | None = None,
        status: SourceStatus | None = None,
        notices: list[str] | None = None,
        replaced: list[str] | None = None,
        orphaned: list[str] | None = None,
        restart: bool = False,
    ) -> None:
        """Add a producer's batch. Several batches may wait for one drain, and the app starts
        ``replaced`` trials over, folds ``events``, then marks ``orphaned`` trials, so what waits
        is kept consistent with that order: a replaced log drops its trial's waiting events (they
        came from the old file), and new events of a trial withdraw its waiting orphan mark (its
        log moved on: the events decide its status, and the follower reports it again if needed)."""
        with self._lock:
            if restart:  # what waits was folded from the timeline before it went back
                self._pending = SourceUpdate(restart=True)
            pending = self._pending
            if replaced:
                gone = set(replaced)
                pending.events = [pair for pair in pending.events if pair[0] not in gone]
                pending.orphaned = [trial for trial in pending.orphaned if trial not in gone]
                pending.replaced.extend(trial for trial in replaced if trial not in pending.replaced)
            if events:
                moved_on = {trial for trial, _ in events}
                pending.orphaned = [trial for trial in pending.orphaned if trial not in moved_on]
                pending.events.extend(events)
            if orphaned:
                pending.orphaned.extend(trial for trial in orphaned if trial not in pending.orphaned)
            if slices:
                self._pending.slices.extend(slices)
            if known_trials:
                self._pending.known_trials.extend(known_trials)
            if decisions:
                self._pending.decisions.extend(decisions)
            if status is not None:
                self._pending.status = status
            if notices:
                self._pending.notices.extend(notices)

    def drain(self) -> SourceUpdate:
        with self._lock:
            update, self._pending = self._pending, SourceUpdate()
        return update

    def backlog(self) -> int:
        """Events waiting: producers slow down while the app is behind."""
        with self._lock:
            return len(self._pending.events) + sum(len(s) for s in self._pending.slices)


Notify = Callable[[], None]


class EventSource:
    """Base class: holds the buffer and the notify callback; subclasses produce and act."""

    mode = "fake"
    simulated = False

    def __init__(self, sweep_dir: Path | None, info: SweepInfo) -> None:
        self.sweep_dir = sweep_dir
        self.info = info
        self.buffer = UpdateBuffer()
        self._notify: Notify = lambda: None

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self, notify: Notify) -> None:
        """Begin producing; ``notify`` may be called from any thread."""
        self._notify = notify

    def stop(self) -> None:
        """Stop producing (joins any thread)."""

    def drain(self) -> SourceUpdate:
        return self.buffer.drain()

    def publish(self, **parts: Any) -> None:
        self.buffer.push(**parts)
        self._notify()

    # --- actions: each returns a line telling the user what happened ---------------------------
    @property
    def can_act(self) -> bool:
        return False

    def kill(self, trial: str) -> str:
        raise NotImplementedError

    def kill_many(self, trials: list[str]) -> str:
        raise NotImplementedError

    def apply_tfp(self, t: int, f: float, p: int) -> str:
        raise NotImplementedError

    def set_queue_paused(self, paused: bool) -> str:
        raise NotImplementedError

    def stop_sweep(self) -> str:
        raise NotImplementedError

    @property
    def loading(self) -> bool:
        """True while the source is still reading what it already has (a replay's logs)."""
        return False

    # --- replay controls (only replay sources have them) ----------------------------------------
    @property
    def is_replay(self) -> bool:
        return False

    def toggle_play(self) -> None: ...

    def step(self) -> None: ...

    def faster(self) -> None: ...

    def slower(self) -> None: ...

    def jump_to_end(self) -> None: ...

    def restart(self) -> str:
        return "only a replay can restart"

    def step_back(self) -> str:
        return "only a replay can step back"

    def seek(self, target: SeekTarget) -> str:
        return "only a replay can seek"
