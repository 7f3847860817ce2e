"""Trial state folded from the event log, and the trials of a sweep directory.

``TrialState`` is what every consumer (statistics, TUI, engine, replay, headless summary) knows
about one trial; it is rebuilt from the log alone by applying its events in order.
"""

from __future__ import annotations

import math
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedtui.core.events import EVENTS_FILE, EventTail, iter_event_files, parse_trial_id

# Statuses a trial can be in. The last five are the end statuses of the log; "queued" has no log
# yet and "running" has a start (or resume) with no end after it.
STATUSES = ("queued", "running", "completed", "stopped", "diverged", "failed", "suspended")


@dataclass
class TrialState:
    """One trial as its log describes it so far."""

    trial_id: str
    wi_seed: int | None = None
    do_seed: int | None = None
    log_path: Path | None = None
    start: dict[str, Any] | None = None
    """The start event (task, model, metric, total_steps, config, ...), or None before it."""
    status: str = "queued"
    end_reason: str = ""
    end_step: int | None = None
    stopped_by: str | None = None
    """Who or which rule stopped it, when the end event says (field ``by``)."""
    train_steps: list[int] = field(default_factory=list)
    train_losses: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    eval_epochs: list[float] = field(default_factory=list)
    eval_scores: list[float] = field(default_factory=list)
    eval_metrics: list[dict[str, Any]] = field(default_factory=list)
    first_t: float | None = None
    last_t: float | None = None
    resumes: int = 0
    malformed_lines: int = 0

    # --- folding ---------------------------------------------------------------------------
    def apply(self, event: dict[str, Any]) -> None:
        """Fold one event into the state. Unknown events only move the clock."""
        name = event.get("event")
        t = event.get("t")
        if isinstance(t, (int, float)):
            self.first_t = t if self.first_t is None else self.first_t
            self.last_t = t
        if name == "start":
            self.start = event
            self.wi_seed = event.get("wi_seed", self.wi_seed)
            self.do_seed = event.get("do_seed", self.do_seed)
            self.status = "running"
        elif name == "resume":
            self.resumes += 1
            self.status = "running"
            self.end_reason = ""
            self.stopped_by = None
        elif name == "train":
            self.train_steps.append(int(event["step"]))
            self.train_losses.append(float(event["loss"]))
        elif name == "eval":
            self.eval_steps.append(int(event["step"]))
            self.eval_epochs.append(float(event["epoch"]))
            self.eval_scores.append(float(event["score"]))
            self.eval_metrics.append(event.get("metrics", {}))
        elif name == "end":
            self.status = str(event["status"])
            self.end_reason = str(event.get("reason", ""))
            self.end_step = int(event["step"])
            by = event.get("by")
            self.stopped_by = str(by) if by is not None else None

    # --- derived values ------------------------------------------------------------------
    @property
    def metric(self) -> str | None:
        return None if self.start is None else str(self.start["metric"])

    @property
    def greater_is_better(self) -> bool:
        return True if self.start is None else bool(self.start["greater_is_better"])

    @property
    def total_steps(self) -> int | None:
        return None if self.start is None else int(self.start["total_steps"])

    @property
    def last_step(self) -> int:
        """The furthest optimizer step the log has reached."""
        steps = [s for s in (self.train_steps[-1:] + self.eval_steps[-1:]) if s is not None]
        if self.end_step is not None:
            steps.append(self.end_step)
        return max(steps) if steps else 0

    @property
    def progress(self) -> float:
        """Fraction of training done, in [0, 1]."""
        total = self.total_steps
        if not total:
            return 0.0
        return min(1.0, self.last_step / total)

    @property
    def is_finished(self) -> bool:
        """True when the log ended with a final status (suspended is not final)."""
        return self.status in ("completed", "stopped", "diverged", "failed")

    def best_score(self) -> float | None:
        """Best eval score so far in the metric's direction (None before the first finite one)."""
        finite = [s for s in self.eval_scores if math.isfinite(s)]
        if not finite:
            return None
        return max(finite) if self.greater_is_better else min(finite)

    def last_score(self) -> float | None:
        return self.eval_scores[-1] if self.eval_scores else None

    def last_loss(self) -> float | None:
        return self.train_losses[-1] if self.train_losses else None


def process_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def settle_orphan(state: TrialState, *, this_host: str | None = None) -> TrialState:
    """Mark a running trial ``failed`` when its log has no end and its process is gone.

    Only decidable for trials that ran on this host; others are left as they are.
    """
    if state.status != "running" or state.start is None:
        return state
    host = this_host if this_host is not None else socket.gethostname()
    if state.start.get("host") != host:
        return state
    if not process_alive(int(state.start["pid"])):
        state.status = "failed"
        state.end_reason = "the trainer process is gone and its log has no end event"
    return state


def trial_id_for_log(path: Path) -> str:
    """A trial's id from its log's directory name (``trials/wi7-do12/events.jsonl``)."""
    return path.parent.name if path.name == EVENTS_FILE else path.stem


class TrialLogReader:
    """Keeps one TrialState up to date from its growing log (used by live views and engines)."""

    def __init__(self, path: str | os.PathLike[str], *, skip_train: bool = False) -> None:
        self.path = Path(path)
        name = trial_id_for_log(self.path)
        seeds = parse_trial_id(name)
        self.state = TrialState(
            trial_id=name,
            wi_seed=seeds[0] if seeds else None,
            do_seed=seeds[1] if seeds else None,
            log_path=self.path,
        )
        self._tail = EventTail(self.path, skip_train=skip_train)

    def poll(self, *, final: bool = False) -> list[dict[str, Any]]:
        """Apply new events; returns them."""
        events = self._tail.poll(final=final)
        for event in events:
            self.state.apply(event)
        self.state.malformed_lines = self._tail.malformed
        if events and self.state.start is not None:
            self.state.trial_id = str(self.state.start.get("trial", self.state.trial_id))
        return events


def load_trial(path: str | os.PathLike[str], *, skip_train: bool = False) -> TrialState:
    """Read a whole trial log (a partial last line is read too, and counted if malformed).

    With ``skip_train`` the per-step training losses are not read (``train_steps`` and
    ``train_losses`` stay empty): several times faster, for statistics that use only evals.
    """
    reader = TrialLogReader(path, skip_train=skip_train)
    reader.poll(final=True)
    return reader.state


def load_trials(root: str | os.PathLike[str], *, settle: bool = True,
                skip_train: bool = False) -> list[TrialState]:
    """Every trial under ``root`` (any directory tree of ``events.jsonl`` files), sorted by
    (WI, DO). With ``settle``, running trials whose process is gone become ``failed``; with
    ``skip_train``, training losses are not read (see ``load_trial``)."""
    trials = [load_trial(p, skip_train=skip_train) for p in iter_event_files(root)]
    if settle:
        host = socket.gethostname()
        trials = [settle_orphan(t, this_host=host) for t in trials]
    return sorted(trials, key=_sort_key)


def _sort_key(state: TrialState) -> tuple[int, int, int, str]:
    if state.wi_seed is None or state.do_seed is None:
        return (1, 0, 0, state.trial_id)
    return (0, state.wi_seed, state.do_seed, state.trial_id)


def find_sweeps(root: str | os.PathLike[str]) -> list[Path]:
    """Sweep directories under ``root``: those holding a ``trials/`` directory (``root`` itself
    first when it is one). A tree of logs with no ``trials/`` directory is one sweep: ``root``."""
    root_path = Path(root)
    if (root_path / "trials").is_dir():
        return [root_path]
    found = sorted(p.parent for p in root_path.rglob("trials") if p.is_dir())
    if not found and any(iter_event_files(root_path)):
        return [root_path]
    return found
