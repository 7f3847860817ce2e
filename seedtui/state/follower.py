"""The one loop that follows a sweep directory: new trial directories, their growing logs, and the
sweep's decisions, folded into one ``SweepState``.

Every reader of a live sweep directory uses it: the TUI's live source (in its thread), the headless
mode, ``seedtui status`` (one final poll), the end-of-sweep ``summary.json``, and the supervisor.

The API, for all of them::

    follower = SweepFollower(sweep_dir)          # settle=False for the supervisor (it reaps its own)
    update = follower.poll()                     # read what is new once; cheap when nothing is
    update.events                                # [(trial id, event), ...] new since the last poll
    update.decisions                             # new records of decisions.jsonl
    update.new_trials / .replaced / .orphaned    # trial ids (see ``FollowUpdate``)
    update.changed                               # every trial whose state changed
    follower.state                               # the SweepState: .trials, .counts(), .best_trial()
    follower.states()                            # its trials in (WI, DO) order
    follower.track(trial)                        # follow a trial before its directory exists
    follower.restart(trial)                      # read a trial's log again from its start
    follower.reader(trial).poll(final=True)      # read one trial now (its state stays the one held
                                                 # in follower.state: a reader resets it in place)
    read_sweep(sweep_dir)                        # the SweepState as it stands: one final poll

Trials are discovered as directories under ``trials/`` (a directory without a log yet is a queued
trial), and the grid of ``sweep.toml`` names the queued trials that have no directory yet. Each log
is read through the log package's one tail (``TrialLogReader``): a partial last line waits for the
next poll, and a log replaced or truncated under the same name is read again from its start, its
trial's state rebuilt (``replaced``). With ``settle`` (the default) a running trial whose latest
process (from its latest ``start`` or ``resume`` event) is gone from this host becomes ``failed``
(``liveness``), so every front end counts the same statuses.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedtui.core.view.sweep_info import read_sweep_info
from seedtui.log.decisions import DecisionTail
from seedtui.log.files import events_path, trials_dir
from seedtui.state.sweep import SweepState, TrialEvent
from seedtui.state.trial import TrialLogReader, TrialState


@dataclass
class FollowUpdate:
    """What one ``SweepFollower.poll`` found."""

    events: list[TrialEvent] = field(default_factory=list)
    """New (trial id, event) pairs, in log order for each trial."""
    decisions: list[dict[str, Any]] = field(default_factory=list)
    """New records of ``decisions.jsonl``."""
    new_trials: list[str] = field(default_factory=list)
    """Trials first seen by this poll (their directory appeared), sorted."""
    replaced: list[str] = field(default_factory=list)
    """Trials whose log was replaced or truncated: their state was rebuilt from the new file, and
    ``events`` holds that file's events from its start (a consumer folding events starts these
    trials over first)."""
    orphaned: list[str] = field(default_factory=list)
    """Running trials whose process this poll found gone: now ``failed`` (``liveness``)."""

    @property
    def changed(self) -> set[str]:
        """Every trial whose state this poll changed."""
        return ({trial for trial, _ in self.events} | set(self.new_trials) | set(self.replaced)
                | set(self.orphaned))

    def __bool__(self) -> bool:
        return bool(self.events or self.decisions or self.new_trials or self.replaced or self.orphaned)


class SweepFollower:
    """Follows one sweep directory; each ``poll`` reads what is new (see the module's docstring)."""

    def __init__(self, sweep_dir: str | os.PathLike[str], *, settle: bool = True, decisions: bool = True,
                 expected: Iterable[str] | None = None, this_host: str | None = None) -> None:
        """``settle``: apply the liveness rule to running trials; ``decisions``: tail
        ``decisions.jsonl`` too; ``expected``: the grid's trial ids (default: from ``sweep.toml``);
        ``this_host``: the host whose processes can be checked (default: this machine's name)."""
        self.sweep_dir = Path(sweep_dir)
        self.state = SweepState(sweep_dir=self.sweep_dir)
        self.settle = settle
        self.this_host = this_host if this_host is not None else socket.gethostname()
        self._readers: dict[str, TrialLogReader] = {}
        self._decisions = DecisionTail(self.sweep_dir) if decisions else None
        if expected is None:
            expected = read_sweep_info(self.sweep_dir).expected_trials()
        for trial in expected:
            self.state.ensure(trial)

    # --- which trials ----------------------------------------------------------------------
    def discover(self) -> list[str]:
        """Start following every trial directory not followed yet; returns their ids, sorted."""
        try:
            entries = list(os.scandir(trials_dir(self.sweep_dir)))
        except (FileNotFoundError, NotADirectoryError):
            return []
        new = sorted(e.name for e in entries if e.name not in self._readers and e.is_dir())
        for trial in new:
            self.track(trial)
        return new

    def track(self, trial: str) -> TrialState:
        """Follow ``trial``'s log from now on (its directory need not exist yet); its state."""
        reader = self._readers.get(trial)
        if reader is None:
            reader = self._readers[trial] = TrialLogReader(events_path(self.sweep_dir, trial))
            self.state.put(reader.state, trial)
        return reader.state

    def restart(self, trial: str) -> TrialState:
        """Forget what was read of ``trial`` and read its log again from the start (e.g. after a
        failed log was moved aside for a re-run); its new, ``queued`` state."""
        self._readers.pop(trial, None)
        return self.track(trial)

    def reader(self, trial: str) -> TrialLogReader | None:
        return self._readers.get(trial)

    def states(self) -> list[TrialState]:
        """Every trial of the sweep (queued ones of the grid included), in (WI, DO) order."""
        return self.state.states()

    # --- reading -------------------------------------------------------------------------------
    def poll(self, *, discover: bool = True, final: bool = False) -> FollowUpdate:
        """Read what is new once. ``discover``: scan ``trials/`` for new directories (a live view
        may do it every few polls); ``final``: the writers are gone, a cut last line is read too."""
        update = FollowUpdate(new_trials=self.discover() if discover else [])
        for trial, reader in self._readers.items():
            events = reader.poll(final=final)
            if reader.restarted:
                update.replaced.append(trial)
                self.state.events_applied += 1
            if events:
                update.events.extend((trial, event) for event in events)
                self.state.events_applied += len(events)
        if self.settle:
            update.orphaned = sorted(self.state.settle_orphans(this_host=self.this_host))
        if self._decisions is not None:
            update.decisions = self._decisions.poll(final=final)
        return update


def read_sweep(sweep_dir: str | os.PathLike[str], *, settle: bool = True) -> SweepState:
    """A sweep directory's state as it stands now: one final poll of a follower."""
    follower = SweepFollower(sweep_dir, settle=settle, decisions=False)
    follower.poll(final=True)
    return follower.state
