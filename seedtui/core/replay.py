"""Replay of a recorded sweep: its original timing scaled by a speed, and a simulated copy that
rehearses actions (kill, t/f/p, pausing the queue) without touching any file.

Pure: no threads, no Textual, no wall clock. The TUI's replay source owns a ``ReplayClock`` and a
``ReplayTimeline`` and calls ``tick(time.monotonic())`` / ``advance_to(position)`` from its thread.

Positions are seconds of sweep time since the sweep's first event. Events are delivered per trial
in file order; the order between trials within one advance does not matter to the trial states.
"""

from __future__ import annotations

import bisect
import json
import math
import os
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

from seedtui.core.events import MAX_LINE_BYTES, iter_event_files, read_events, validate_event
from seedtui.core.trials import trial_id_for_log
from seedtui.core.view.decisions import read_decision_records

MIN_SPEED = 1 / 16
MAX_SPEED = 4096.0
TrialEvent = tuple[str, dict[str, Any]]


@dataclass
class ReplayClock:
    """Sweep time that advances with the wall clock times ``speed`` unless paused."""

    speed: float = 1.0
    paused: bool = False
    position: float = 0.0
    _last_wall: float | None = None

    def tick(self, wall_now: float) -> float:
        """Advance by the wall time since the previous tick (scaled); returns the position."""
        if self._last_wall is not None and not self.paused:
            self.position += max(0.0, wall_now - self._last_wall) * self.speed
        self._last_wall = wall_now
        return self.position

    def faster(self) -> float:
        self.speed = min(MAX_SPEED, self.speed * 2)
        return self.speed

    def slower(self) -> float:
        self.speed = max(MIN_SPEED, self.speed / 2)
        return self.speed

    def toggle_pause(self) -> bool:
        self.paused = not self.paused
        return self.paused


@dataclass
class _Track:
    """One trial's recorded events and how far the replay has delivered them."""

    trial_id: str
    events: list[dict[str, Any]]
    times: list[float]
    cursor: int = 0
    stop_index: int = -1
    shift: float = 0.0
    held: bool = False
    pending_end: dict[str, Any] | None = None
    pending_end_time: float = math.inf
    last_step: int = 0

    def __post_init__(self) -> None:
        if self.stop_index < 0:
            self.stop_index = len(self.events)

    @property
    def started(self) -> bool:
        return self.cursor > 0

    @property
    def ended(self) -> bool:
        """True once the trial's fate is sealed: recording exhausted or a simulated end queued."""
        if self.pending_end is not None or self.stop_index < len(self.events):
            return True
        return self.cursor >= len(self.events) and _ends_before(self.events)


@dataclass
class SimulatedDecision:
    """An action rehearsed on the simulated copy, shown in the decisions pane as SIMULATED."""

    position: float
    rule: str
    trial: str
    action: str
    reason: str


@dataclass
class ReplayTimeline:
    """The recorded sweep and the part of it delivered so far (the replay's state)."""

    logs: dict[str, list[dict[str, Any]]]
    decisions: list[dict[str, Any]] = field(default_factory=list)
    position: float = 0.0
    simulated: list[SimulatedDecision] = field(default_factory=list)
    queue_paused: bool = False

    t0: float | None = None
    """Sweep time zero (Unix seconds); by default the earliest event of ``logs``. Give it when
    trials are added later (``add_trial``), so positions do not move as they arrive."""

    def __post_init__(self) -> None:
        if self.t0 is None:
            firsts = [float(events[0]["t"]) for events in self.logs.values() if events]
            self.t0 = min(firsts) if firsts else 0.0
        self._tracks: dict[str, _Track] = {}
        self.logs = dict(self.logs)
        self.decisions = sorted(self.decisions, key=self._decision_time)
        self._decision_times = [self._decision_time(d) for d in self.decisions]
        self._decisions_delivered = 0
        self.duration = max([0.0, *[t for t in self._decision_times if math.isfinite(t)]])
        for trial, events in sorted(self.logs.items()):
            self.add_trial(trial, events)

    def add_trial(self, trial: str, events: list[dict[str, Any]]) -> None:
        """Add one trial's recorded log (replays load trials while already playing)."""
        assert self.t0 is not None
        times = [float(e["t"]) - self.t0 for e in events]
        # Clocks of different writers may disagree slightly; never let time run backwards.
        for i in range(1, len(times)):
            if times[i] < times[i - 1]:
                times[i] = times[i - 1]
        self.logs[trial] = events
        self._tracks[trial] = _Track(trial, events, times)
        if times:
            self.duration = max(self.duration, times[-1])

    def _decision_time(self, record: dict[str, Any]) -> float:
        t = record.get("t")
        return float(t) - (self.t0 or 0.0) if isinstance(t, (int, float)) else 0.0

    @property
    def trial_ids(self) -> list[str]:
        return list(self._tracks)

    @property
    def at_end(self) -> bool:
        return self.position >= self.duration and all(
            t.cursor >= t.stop_index and t.pending_end is None for t in self._tracks.values() if not t.held
        )

    # --- delivery ----------------------------------------------------------------------------
    def advance_to(self, position: float) -> tuple[list[TrialEvent], list[dict[str, Any]]]:
        """Move to ``position`` (never backwards); returns the events and decisions now due."""
        self.position = max(self.position, position)
        events: list[TrialEvent] = []
        for track in self._tracks.values():
            if track.held:
                continue
            if track.cursor < track.stop_index:
                due = bisect.bisect_right(
                    track.times, self.position - track.shift, track.cursor, track.stop_index
                )
                if due > track.cursor:
                    batch = track.events[track.cursor : due]
                    events.extend(zip(repeat(track.trial_id), batch))
                    track.last_step = _last_step(batch, track.last_step)
                    track.cursor = due
            if track.pending_end is not None and track.pending_end_time <= self.position:
                events.append((track.trial_id, track.pending_end))
                track.pending_end = None
                track.cursor = track.stop_index
        due_decisions = bisect.bisect_right(self._decision_times, self.position, self._decisions_delivered)
        decisions = self.decisions[self._decisions_delivered : due_decisions]
        self._decisions_delivered = max(self._decisions_delivered, due_decisions)
        return events, decisions

    def to_end(self) -> tuple[list[TrialEvent], list[dict[str, Any]]]:
        """Deliver everything left (held trials are released first)."""
        if self.queue_paused:
            self.resume_queue()
        shifts = [t.shift + (t.times[-1] if t.times else 0.0) for t in self._tracks.values()]
        ends = [t.pending_end_time for t in self._tracks.values() if t.pending_end is not None]
        return self.advance_to(max([self.duration, *shifts, *ends]))

    def next_eval_position(self) -> float | None:
        """The position of the next recorded eval of any trial (what "step" advances to)."""
        best: float | None = None
        for track in self._tracks.values():
            if track.held:
                continue
            for index in range(track.cursor, track.stop_index):
                if track.events[index].get("event") == "eval":
                    candidate = track.times[index] + track.shift
                    best = candidate if best is None else min(best, candidate)
                    break
        return best

    # --- simulated actions -------------------------------------------------------------------
    def _end_event(self, track: _Track, at: float, *, by: str, reason: str) -> dict[str, Any]:
        return {
            "event": "end",
            "t": (self.t0 or 0.0) + at,
            "status": "stopped",
            "step": track.last_step,
            "reason": f"SIMULATED: {reason}",
            "by": by,
            "simulated": True,
        }

    def _stop(self, track: _Track, *, index: int, at: float, by: str, reason: str, rule: str) -> None:
        track.stop_index = max(track.cursor, index)
        if index <= track.cursor:
            at = self.position
        track.pending_end_time = max(at, self.position)
        track.pending_end = self._end_event(track, track.pending_end_time, by=by, reason=reason)
        if track.held:
            track.held = False
        self.simulated.append(SimulatedDecision(self.position, rule, track.trial_id, "stop", reason))

    def kill(self, trial: str, *, by: str = "user", reason: str = "killed by the user") -> bool:
        """Stop ``trial`` now: its later recorded events are dropped and a ``stopped`` end
        arrives with the next advance. False when the trial has already ended."""
        track = self._tracks.get(trial)
        if track is None or track.ended:
            return False
        self._stop(track, index=track.cursor, at=self.position, by=by, reason=reason, rule=by)
        return True

    def apply_tfp(self, t: int, f: float, p: int, *, greater_is_better: bool = True) -> list[str]:
        """Rehearse the t/f/p policy on the recording: only the first ``t`` trials (by start
        time) train; at fraction ``f`` of training all but the ``p`` best by score so far stop.
        Returns the trials it stops; stops already in the past happen now."""
        order = sorted(self._tracks.values(), key=_start_order)
        chosen, rest = order[:t], order[t:]
        stopped = []
        for track in rest:
            if not track.ended:
                self._stop(
                    track,
                    index=track.cursor,
                    at=self.position,
                    by="tfp",
                    reason=f"not among the first t={t} trials",
                    rule="tfp",
                )
                stopped.append(track.trial_id)
        sign = 1.0 if greater_is_better else -1.0
        scored = []
        for rank, track in enumerate(chosen):
            milestone_index, score = _milestone(track.events, f)
            if track.ended or milestone_index >= len(track.events):
                continue  # already decided, or the recording ends before the milestone: no slot
            scored.append((-(sign * score) if score is not None else math.inf, rank, track, milestone_index))
        scored.sort(key=lambda item: (item[0], item[1]))
        for _, _, track, milestone_index in scored[p:]:
            at = track.times[milestone_index - 1] + track.shift if milestone_index > 0 else self.position
            self._stop(
                track,
                index=milestone_index,
                at=at,
                by="tfp",
                reason=f"not among the best p={p} of t={t} at f={f:g}",
                rule="tfp",
            )
            stopped.append(track.trial_id)
        return stopped

    def pause_queue(self) -> list[str]:
        """Hold every trial that has not started yet; returns them."""
        self.queue_paused = True
        held = []
        for track in self._tracks.values():
            if not track.started and track.pending_end is None and track.stop_index > 0:
                track.held = True
                held.append(track.trial_id)
        return held

    def resume_queue(self) -> list[str]:
        """Release held trials: each starts now if its recorded start has already passed."""
        self.queue_paused = False
        released = []
        for track in self._tracks.values():
            if track.held:
                track.held = False
                if track.times and track.times[0] + track.shift < self.position:
                    track.shift = self.position - track.times[0]
                released.append(track.trial_id)
        return released


def _milestone(events: list[dict[str, Any]], fraction: float) -> tuple[int, float | None]:
    """Index of the first event past ``fraction`` of the trial's training, and the best score
    of the evals before it (None when there is none)."""
    start = next((e for e in events if e.get("event") == "start"), None)
    if start is None:
        return 0, None
    greater = bool(start.get("greater_is_better", True))
    milestone_step = fraction * float(start["total_steps"])
    best: float | None = None
    for index, event in enumerate(events):
        step = event.get("step")
        if isinstance(step, int) and step > milestone_step and event.get("event") in ("train", "eval"):
            return index, best
        if event.get("event") == "eval" and math.isfinite(float(event["score"])):
            score = float(event["score"])
            if best is None or (score > best if greater else score < best):
                best = score
    return len(events), best


def _start_order(track: _Track) -> tuple[float, str]:
    return (track.times[0] + track.shift if track.times else math.inf, track.trial_id)


def _last_step(events: list[dict[str, Any]], default: int) -> int:
    for event in reversed(events):
        step = event.get("step")
        if isinstance(step, int):
            return step
    return default


def _ends_before(events: list[dict[str, Any]]) -> bool:
    return bool(events) and events[-1].get("event") == "end"


def read_log_fast(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """A whole trial log, as ``read_events(path, final=True).events`` returns it, but decoded in
    one ``json.loads`` call (several times faster on 500-line logs). Falls back to
    ``read_events`` whenever the file is not plain complete JSON lines (a cut last line, a
    garbled line, an overlong one), so the reading rules stay those of ``seedtui.core.events``."""
    with open(path, "rb") as handle:
        data = handle.read()
    lines = [line for line in data.split(b"\n") if line.strip()]
    if not data.endswith(b"\n") or any(len(line) > MAX_LINE_BYTES for line in lines):
        return read_events(path, final=True).events
    try:
        decoded = json.loads(b"[" + b",".join(lines) + b"]")
    except (ValueError, UnicodeDecodeError, RecursionError):
        return read_events(path, final=True).events
    if not all(isinstance(obj, dict) and not validate_event(obj) for obj in decoded):
        return read_events(path, final=True).events
    return decoded


def first_event_time(path: str | os.PathLike[str]) -> float | None:
    """The ``t`` of a log's first line (to fix sweep time zero before loading every log)."""
    try:
        with open(path, "rb") as handle:
            line = handle.readline(MAX_LINE_BYTES)
        t = json.loads(line).get("t")
    except (OSError, ValueError, AttributeError):
        return None
    return float(t) if isinstance(t, (int, float)) and not isinstance(t, bool) else None


def trial_of_log(path: Path, events: list[dict[str, Any]]) -> str:
    start = next((e for e in events if e.get("event") == "start"), None)
    return str(start.get("trial")) if start is not None else trial_id_for_log(path)


def load_sweep_logs(sweep_dir: str | os.PathLike[str]) -> dict[str, list[dict[str, Any]]]:
    """Every trial log under ``sweep_dir``, whole, keyed by trial id."""
    logs: dict[str, list[dict[str, Any]]] = {}
    for path in iter_event_files(sweep_dir):
        events = read_log_fast(path)
        logs[trial_of_log(Path(path), events)] = events
    return logs


def load_timeline(sweep_dir: str | os.PathLike[str]) -> ReplayTimeline:
    """A replay of the sweep in ``sweep_dir``: its logs and its decisions."""
    return ReplayTimeline(load_sweep_logs(sweep_dir), decisions=read_decision_records(sweep_dir))
