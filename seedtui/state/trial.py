"""One trial's state, folded from its event log.

``TrialState`` is what every consumer (statistics, TUI, engine, replay, headless summary) knows
about one trial; it is rebuilt from the log alone by applying its events in order. Besides the
curves it remembers the latest *process record*: the pid, host and device named by the latest
``start`` or ``resume`` event, because a promoted (suspended, then resumed) trial runs in a new
process and only that one can tell whether the trial is still alive (see ``liveness``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from seedtui.core.direction import best_score
from seedtui.log import EVENTS_FILE, EventTail, parse_trial_id
from seedtui.log.launch_records import SWEEP_STOP
from seedtui.state.series import Series

# Statuses a trial can be in. The last five are the end statuses of the log; "queued" has no log
# yet and "running" has a start (or resume) with no end after it.
STATUSES = ("queued", "running", "completed", "stopped", "diverged", "failed", "suspended")
FINAL_STATUSES = ("completed", "stopped", "diverged", "failed")
"""End statuses after which the trial never runs again, unless the end says it was interrupted."""


@dataclass(frozen=True)
class ProcessRecord:
    """The process a ``start`` or ``resume`` event says runs the trial (fields None when absent)."""

    pid: int | None = None
    host: str | None = None
    device: str | None = None

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> ProcessRecord:
        pid, host, device = event.get("pid"), event.get("host"), event.get("device")
        return cls(
            pid=pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
            host=host if isinstance(host, str) and host else None,
            device=str(device) if device is not None else None,
        )


@dataclass(frozen=True)
class EvalColumns:
    """What ``eval`` events bring to a trial state, by field, in order (``eval_columns``)."""

    times: list[float]
    """The events' ``t`` (those that are numbers)."""
    steps: list[int]
    epochs: list[float]
    scores: list[float]
    metrics: list[dict[str, Any]]

    def __getitem__(self, run: slice) -> EvalColumns:
        """The columns of a run of the events (``times`` too: every valid event has a numeric t)."""
        return EvalColumns(self.times[run], self.steps[run], self.epochs[run], self.scores[run],
                           self.metrics[run])


def eval_columns(events: Sequence[dict[str, Any]]) -> EvalColumns:
    """The fields ``eval`` events bring to a trial state, converted as the state keeps them; all are
    read before any state changes (an event missing one raises before anything is folded)."""
    return EvalColumns(
        times=[t for event in events if isinstance(t := event.get("t"), (int, float))],
        steps=[int(event["step"]) for event in events],
        epochs=[float(event["epoch"]) for event in events],
        scores=[float(event["score"]) for event in events],
        metrics=[event.get("metrics", {}) for event in events],
    )


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
    train_steps: Series = field(default_factory=lambda: Series(dtype=np.int64))
    train_losses: Series = field(default_factory=lambda: Series(dtype=np.float64))
    """Step and loss of every train event: kept as arrays (a replay folds in its recorded ones whole)."""
    eval_steps: list[int] = field(default_factory=list)
    eval_epochs: list[float] = field(default_factory=list)
    eval_scores: list[float] = field(default_factory=list)
    eval_metrics: list[dict[str, Any]] = field(default_factory=list)
    first_t: float | None = None
    last_t: float | None = None
    resumes: int = 0
    malformed_lines: int = 0
    resumed_process: ProcessRecord | None = None
    """The latest ``resume`` event's pid, host and device, when the log has one after its start."""
    _best: tuple[list[float], int, bool, float | None] | None = field(
        default=None, init=False, repr=False, compare=False)
    """``best_score``'s last answer and what it was computed from (the list itself, its length and
    the direction): the header, heatmap and table ask it of 625 trials several times a second."""
    _start_process: tuple[dict[str, Any], ProcessRecord] | None = field(
        default=None, init=False, repr=False, compare=False)
    """``process`` as the start event names it, and that event."""

    # --- folding ---------------------------------------------------------------------------
    def apply(self, event: dict[str, Any]) -> None:
        """Fold one event into the state. Unknown events only move the clock."""
        name = event.get("event")
        if name == "eval":
            self.apply_evals((event,))
            return
        t = event.get("t")
        if isinstance(t, (int, float)):
            self.first_t = t if self.first_t is None else self.first_t
            self.last_t = t
        if name == "start":
            self.start = event
            self.wi_seed = event.get("wi_seed", self.wi_seed)
            self.do_seed = event.get("do_seed", self.do_seed)
            self.status = "running"
            self.resumed_process = None
        elif name == "resume":
            self.resumes += 1
            self.status = "running"
            self.end_reason = ""
            self.stopped_by = None
            self.resumed_process = ProcessRecord.from_event(event)
        elif name == "train":
            self.train_steps.append(int(event["step"]))
            self.train_losses.append(float(event["loss"]))
        elif name == "end":
            self.status = str(event["status"])
            self.end_reason = str(event.get("reason", ""))
            self.end_step = int(event["step"])
            by = event.get("by")
            self.stopped_by = str(by) if by is not None else None

    def apply_evals(self, events: Sequence[dict[str, Any]]) -> None:
        """Fold ``eval`` events in, in order: what ``apply`` does with each (a replay folds a
        trial's 30 at once)."""
        self.apply_eval_columns(eval_columns(events))

    def apply_eval_columns(self, columns: EvalColumns) -> None:
        """``apply_evals`` of the events ``columns`` were made of (``eval_columns``): a replay
        makes them once per recorded log, while the logs load."""
        if columns.times:
            self.first_t = columns.times[0] if self.first_t is None else self.first_t
            self.last_t = columns.times[-1]
        self.eval_steps.extend(columns.steps)
        self.eval_epochs.extend(columns.epochs)
        self.eval_scores.extend(columns.scores)
        self.eval_metrics.extend(columns.metrics)

    def reset(self) -> None:
        """Forget every event (its log was replaced or truncated): ``queued`` again, keeping its
        id, seeds and log path. In place, so whoever holds this state sees it start over."""
        fresh = TrialState(trial_id=self.trial_id, wi_seed=self.wi_seed, do_seed=self.do_seed,
                           log_path=self.log_path)
        for item in fields(self):
            setattr(self, item.name, getattr(fresh, item.name))

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
    def process(self) -> ProcessRecord | None:
        """The process that runs (or last ran) the trial: named by its latest ``start`` or
        ``resume`` event (None before its start)."""
        if self.resumed_process is not None:
            return self.resumed_process
        start, cached = self.start, self._start_process
        if start is None:
            return None
        if cached is None or cached[0] is not start:
            cached = self._start_process = (start, ProcessRecord.from_event(start))
        return cached[1]

    @property
    def host(self) -> str | None:
        """The host of the latest process (start or resume), or None when no event names one."""
        process = self.process
        return None if process is None else process.host

    @property
    def last_step(self) -> int:
        """The furthest optimizer step the log has reached."""
        last_train = self.train_steps[-1] if self.train_steps else None
        steps = [s for s in (last_train, *self.eval_steps[-1:]) if s is not None]
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
        """True when the log ended with a final status: the one rule every reader (engine,
        summary, status, TUI, stats) follows. Suspended is not final, and neither is an end the
        sweep's own stop caused (``interrupted``): the next run continues or restarts those."""
        return self.status in FINAL_STATUSES and not self.interrupted

    @property
    def interrupted(self) -> bool:
        """Its last run was ended by the sweep's stop (``by: "sweep"``), not by its training or a
        decision: ``suspended`` (resumes from the checkpoint it saved then) or ``stopped`` (it could
        not checkpoint: the next run starts it over)."""
        return self.stopped_by == SWEEP_STOP and self.status in ("suspended", "stopped")

    @property
    def suspended_at_milestone(self) -> bool:
        """Suspended at its t/f/p milestone (the trainer's rule), waiting for the decision or its
        promotion; not a trial the sweep's stop suspended earlier on its way."""
        return self.status == "suspended" and not self.interrupted

    def best_score(self) -> float | None:
        """Best eval score so far in the metric's direction (None before the first finite one)."""
        scores, greater = self.eval_scores, self.greater_is_better
        cached = self._best
        # scores are only ever appended (a re-read log gets a new list): same list, same length,
        # same direction is the same answer
        if cached is not None and cached[0] is scores and cached[1] == len(scores) and cached[2] == greater:
            return cached[3]
        best = best_score(scores, greater)
        self._best = (scores, len(scores), greater, best)
        return best

    def last_score(self) -> float | None:
        return self.eval_scores[-1] if self.eval_scores else None

    def last_loss(self) -> float | None:
        return self.train_losses[-1] if self.train_losses else None


def trial_id_for_log(path: Path) -> str:
    """A trial's id from its log's directory name (``trials/wi7-do12/events.jsonl``)."""
    return path.parent.name if path.name == EVENTS_FILE else path.stem


def new_trial_state(trial_id: str, log_path: Path | None = None) -> TrialState:
    """A ``queued`` state for ``trial_id``, its seeds parsed from the id when it has the usual form."""
    seeds = parse_trial_id(trial_id)
    return TrialState(trial_id=trial_id, wi_seed=seeds[0] if seeds else None,
                      do_seed=seeds[1] if seeds else None, log_path=log_path)


class TrialLogReader:
    """Keeps one TrialState up to date from its growing log (through the log package's one tail).

    When the log is replaced (a re-run moves the failed one aside) or truncated, the tail reads it
    again from the start: the reader then resets its ``state`` (``TrialState.reset``), so a state
    never mixes two files, and ``restarted`` says so until the next poll.
    """

    def __init__(self, path: str | os.PathLike[str], *, skip_train: bool = False) -> None:
        self.path = Path(path)
        self.state = new_trial_state(trial_id_for_log(self.path), self.path)
        self.restarted = False
        self._tail = EventTail(self.path, skip_train=skip_train)

    def poll(self, *, final: bool = False) -> list[dict[str, Any]]:
        """Apply new events; returns them."""
        restarts = self._tail.restarts
        events = self._tail.poll(final=final)
        self.restarted = self._tail.restarts != restarts
        if self.restarted:
            self.state.reset()
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
