"""Replay of a recorded sweep: its original timing scaled by a speed, and a simulated copy that
rehearses actions (kill, t/f/p, pausing the queue) without touching any file. The replay can
restart and seek backwards (it is rebuilt from the recordings), so a rehearsal can start over.

Pure: no threads, no Textual, no wall clock. The TUI's replay source owns a ``ReplayClock`` and a
``ReplayTimeline`` and calls ``tick(time.monotonic())`` / ``advance_to(position)`` from its thread.

Positions are seconds of sweep time since the sweep's first event. Events are delivered per trial
in file order; the order between trials within one advance does not matter to the trial states.
"""

from __future__ import annotations

import bisect
import math
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from seedtui.core.engine.policies.tfp import rank_cohort
from seedtui.core.recording import TrialRecording, TrialSlice, read_recordings
from seedtui.core.view.sweep_info import read_sweep_info
from seedtui.log import iter_event_files, parse_trial_id
from seedtui.log.decisions import Decision, read_decisions
from seedtui.log.jsonl import read_first_record
from seedtui.policy.schedule import scheduled_eval_count
from seedtui.policy.tfp_rule import choose_cohort, snap_fraction
from seedtui.state import TrialState, trial_id_for_log

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
    """One trial's recording and how far the replay has delivered it."""

    trial_id: str
    recording: TrialRecording
    times: np.ndarray
    """Seconds of sweep time of every event (never decreasing)."""
    cursor: int = 0
    stop_index: int = -1
    shift: float = 0.0
    held: bool = False
    pending_end: dict[str, Any] | None = None
    pending_end_time: float = math.inf
    last_step: int = 0

    def __post_init__(self) -> None:
        if self.stop_index < 0:
            self.stop_index = len(self.recording)

    @property
    def started(self) -> bool:
        return self.cursor > 0

    @property
    def ended(self) -> bool:
        """True once the trial's fate is sealed: recording exhausted or a simulated end queued."""
        if self.pending_end is not None or self.stop_index < len(self.recording):
            return True
        return self.cursor >= len(self.recording) and self.recording.ends_with_end()


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

    logs: Mapping[str, list[dict[str, Any]] | TrialRecording]
    """Each trial's recording (or its decoded events); afterwards a read-only view that decodes a
    trial's events when asked (``timeline.logs[trial]``)."""
    decisions: list[dict[str, Any]] = field(default_factory=list)
    position: float = 0.0
    simulated: list[SimulatedDecision] = field(default_factory=list)
    queue_paused: bool = False

    t0: float | None = None
    """Sweep time zero (Unix seconds); by default the earliest event of ``logs``. Give it when
    trials are added later (``add_trial``), so positions do not move as they arrive."""
    launch_order: list[str] | None = None
    """The recorded sweep's launch order under a policy (its grid shuffled by ``order_seed``, from
    its ``sweep.toml``), so a rehearsed t/f/p takes the cohort the engine would; None orders the
    trials by WI and DO."""

    def __post_init__(self) -> None:
        recordings = {trial: _as_recording(log) for trial, log in self.logs.items()}
        if self.t0 is None:
            firsts = [float(r.times[0]) for r in recordings.values() if len(r)]
            self.t0 = min(firsts) if firsts else 0.0
        self._tracks: dict[str, _Track] = {}
        self.logs = _DecodedLogs(self._tracks)
        self.decisions = sorted(self.decisions, key=self._decision_time)
        self._decision_times = [self._decision_time(d) for d in self.decisions]
        self._decisions_delivered = 0
        self._settled_at: float | None = None
        """The position of the last advance, until an action or a new trial may make more due."""
        self.duration = max([0.0, *[t for t in self._decision_times if math.isfinite(t)]])
        for trial, recording in sorted(recordings.items()):
            self.add_trial(trial, recording)

    def add_trial(self, trial: str, log: list[dict[str, Any]] | TrialRecording) -> None:
        """Add one trial's recorded log (replays load trials while already playing)."""
        assert self.t0 is not None
        recording = _as_recording(log)
        recording.prepare_to_fold()  # while the logs load, not when a key folds them all
        self._settled_at = None
        # Clocks of different writers may disagree slightly; never let time run backwards.
        times = np.maximum.accumulate(recording.times - self.t0) if len(recording) else recording.times
        self._tracks[trial] = _Track(trial, recording, times)
        if len(times):
            self.duration = max(self.duration, float(times[-1]))

    def start_event(self) -> dict[str, Any] | None:
        """The start event of some trial (task, metric and direction are shared)."""
        return next((s for t in self._tracks.values() if (s := t.recording.start_event()) is not None), None)

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
        """Move to ``position`` (never backwards); returns the events and decisions now due, as
        dicts (``advance`` hands out the same in columns, which is what the app folds)."""
        slices, decisions = self.advance(position)
        return [pair for piece in slices for pair in piece.pairs()], decisions

    def advance(self, position: float) -> tuple[list[TrialSlice], list[dict[str, Any]]]:
        """Move to ``position`` (never backwards: ``seek`` goes back); returns, per trial, the slice
        of its recording now due (and any simulated end), and the decisions now due."""
        if self._settled_at is not None and position <= self._settled_at:
            return [], []  # nothing moved and no action since: nothing can be due (a paused replay)
        self.position = max(self.position, position)
        slices: list[TrialSlice] = []
        for track in self._tracks.values():
            if track.held:
                continue
            start = track.cursor
            if start < track.stop_index and track.times[start] + track.shift <= self.position:
                window = track.times[start : track.stop_index]
                due = start + int(np.searchsorted(window, self.position - track.shift, side="right"))
                track.last_step = track.recording.last_step(start, due, track.last_step)
                track.cursor = due
            piece = TrialSlice(track.trial_id, track.recording, start, track.cursor)
            if track.pending_end is not None and track.pending_end_time <= self.position:
                piece.extra.append(track.pending_end)
                track.pending_end = None
                track.cursor = track.stop_index
            if piece:
                slices.append(piece)
        self._settled_at = self.position
        due_decisions = bisect.bisect_right(self._decision_times, self.position, self._decisions_delivered)
        decisions = self.decisions[self._decisions_delivered : due_decisions]
        self._decisions_delivered = max(self._decisions_delivered, due_decisions)
        return slices, decisions

    def end_position(self) -> float:
        """The position at which everything left has been delivered."""
        shifts = [t.shift + (float(t.times[-1]) if len(t.times) else 0.0) for t in self._tracks.values()]
        ends = [t.pending_end_time for t in self._tracks.values() if t.pending_end is not None]
        return max([self.duration, *shifts, *ends])

    def to_end(self) -> tuple[list[TrialEvent], list[dict[str, Any]]]:
        """Deliver everything left (held trials are released first)."""
        if self.queue_paused:
            self.resume_queue()
        return self.advance_to(self.end_position())

    def advance_to_end(self) -> tuple[list[TrialSlice], list[dict[str, Any]]]:
        """``to_end`` in columns."""
        if self.queue_paused:
            self.resume_queue()
        return self.advance(self.end_position())

    def next_eval_position(self) -> float | None:
        """The position of the next recorded eval of any trial (what "step" advances to)."""
        best: float | None = None
        for track in self._tracks.values():
            if track.held:
                continue
            evals = track.recording.eval_rows
            next_eval = int(np.searchsorted(evals, track.cursor))
            if next_eval < len(evals) and evals[next_eval] < track.stop_index:
                candidate = float(track.times[evals[next_eval]]) + track.shift
                best = candidate if best is None else min(best, candidate)
        return best

    def previous_eval_position(self) -> float | None:
        """The position of the latest recorded eval of any trial before the current position (what
        "step back" returns to); None when none is."""
        best: float | None = None
        for track in self._tracks.values():
            evals = track.recording.eval_rows
            if not len(evals):
                continue
            times = track.times[evals] + track.shift
            before = int(np.searchsorted(times, self.position, side="left"))
            if before:
                candidate = float(times[before - 1])
                best = candidate if best is None else max(best, candidate)
        return best

    def eval_position(self, eval_number: int) -> float | None:
        """The position at which the first trial records its ``eval_number``-th evaluation
        (1-based, as in "evaluation k of E"); None when no trial has that many."""
        times = [
            float(track.times[row]) + track.shift
            for track in self._tracks.values()
            if (row := track.recording.eval_row(eval_number - 1)) is not None
        ]
        return min(times) if times else None

    # --- going back ------------------------------------------------------------------------
    def restart(self) -> None:
        """Back to the beginning, as loaded: every trial undelivered, every simulated action (kill,
        t/f/p, paused queue) forgotten, so a rehearsal starts over on the recording."""
        for track in self._tracks.values():
            track.cursor, track.stop_index, track.shift, track.held = 0, len(track.recording), 0.0, False
            track.pending_end, track.pending_end_time, track.last_step = None, math.inf, 0
        self.position = 0.0
        self.simulated = []
        self.queue_paused = False
        self._decisions_delivered = 0
        self._settled_at = None

    def seek(self, position: float) -> tuple[list[TrialSlice], list[dict[str, Any]], bool]:
        """Move to ``position``, forwards or backwards. Backwards the replay is rebuilt from the
        recordings: it restarts and advances again, so simulated actions are forgotten. Returns
        what to deliver and whether the receiver must start over (True after going back: the
        slices then hold everything from the beginning)."""
        position = max(0.0, position)
        if position >= self.position:
            slices, decisions = self.advance(position)
            return slices, decisions, False
        self.restart()
        slices, decisions = self.advance(position)
        return slices, decisions, True

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
        self._settled_at = None
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

    def apply_tfp(self, t: int, f: float, p: int) -> list[Decision]:
        """Rehearse the t/f/p policy on the recording with the engine's own rule: the cohort of
        ``choose_cohort`` (trials already started first, then the launch order), each trial judged
        at its milestone (after evaluation k of E, f snapped to k/E) and ranked by ``rank_cohort``.
        Trials outside the cohort stop now; those below the p best stop at their milestone (now,
        if it has passed). Returns the decisions, as the engine would log them."""
        order = self._launch_order()
        in_start_order = sorted(self._tracks.values(), key=_start_order)
        started = [track.trial_id for track in in_start_order if track.started]
        cohort = choose_cohort(t, order, started)
        for trial in order:
            track = self._tracks[trial]
            if trial not in cohort and not track.ended:
                self._stop(track, index=track.cursor, at=self.position, by="tfp",
                           reason=f"not among the t={t} trials of the cohort", rule="tfp")
        at_milestone: dict[str, tuple[TrialState, int]] = {}
        for trial in cohort:
            folded = self._state_at_milestone(self._tracks[trial], f)
            if folded is not None:
                at_milestone[trial] = folded
        decisions = rank_cohort([state for state, _ in at_milestone.values()], f=f, p=p, order=order)
        for decision in decisions:
            if decision.action != "stop":
                continue
            track = self._tracks[decision.trial]
            index = at_milestone[decision.trial][1]
            at = float(track.times[index - 1]) + track.shift if index > 0 else self.position
            self._stop(track, index=index, at=at, by="tfp", reason=decision.reason, rule="tfp")
        return decisions

    def _launch_order(self) -> list[str]:
        recorded = set(self._tracks)
        given = [trial for trial in (self.launch_order or []) if trial in recorded]
        rest = sorted(recorded - set(given), key=_grid_position)
        return given + rest

    def _state_at_milestone(self, track: _Track, f: float) -> tuple[TrialState, int] | None:
        """The trial as it stood right after its milestone evaluation (or as its recording ends,
        when it ended before), and the index of the first event after it; None when the trial
        has no start or its fate in this replay is already sealed by an earlier action."""
        start = track.recording.start_event()
        evals = None if start is None else scheduled_eval_count(start)
        if start is None or evals is None or track.pending_end is not None:
            return None
        row = track.recording.eval_row(snap_fraction(f, evals).eval_index)
        index = min(track.stop_index, len(track.recording) if row is None else row + 1)
        state = TrialState(trial_id=track.trial_id)
        track.recording.fold_into(state, 0, index)
        return state, index

    def pause_queue(self) -> list[str]:
        """Hold every trial that has not started yet; returns them."""
        self.queue_paused = True
        self._settled_at = None
        held = []
        for track in self._tracks.values():
            if not track.started and track.pending_end is None and track.stop_index > 0:
                track.held = True
                held.append(track.trial_id)
        return held

    def resume_queue(self) -> list[str]:
        """Release held trials: each starts now if its recorded start has already passed."""
        self.queue_paused = False
        self._settled_at = None
        released = []
        for track in self._tracks.values():
            if track.held:
                track.held = False
                if len(track.times) and track.times[0] + track.shift < self.position:
                    track.shift = self.position - float(track.times[0])
                released.append(track.trial_id)
        return released


def _grid_position(trial: str) -> tuple[int, int, str]:
    seeds = parse_trial_id(trial)
    return (seeds[0], seeds[1], trial) if seeds is not None else (2**63, 0, trial)


def _start_order(track: _Track) -> tuple[float, str]:
    return (float(track.times[0]) + track.shift if len(track.times) else math.inf, track.trial_id)


def _as_recording(log: list[dict[str, Any]] | TrialRecording) -> TrialRecording:
    return log if isinstance(log, TrialRecording) else TrialRecording.from_events(log)


class _DecodedLogs(Mapping[str, list[dict[str, Any]]]):
    """``timeline.logs``: each trial's events as dicts, decoded on first access."""

    def __init__(self, tracks: dict[str, _Track]) -> None:
        self._tracks = tracks

    def __getitem__(self, trial: str) -> list[dict[str, Any]]:
        return self._tracks[trial].recording.events()

    def __contains__(self, trial: object) -> bool:
        return trial in self._tracks

    def __iter__(self) -> Iterator[str]:
        return iter(self._tracks)

    def __len__(self) -> int:
        return len(self._tracks)


def first_event_time(path: str | os.PathLike[str]) -> float | None:
    """The ``t`` of a log's first line (to fix sweep time zero before loading every log)."""
    first = read_first_record(path)
    t = None if first is None else first.get("t")
    return float(t) if isinstance(t, (int, float)) and not isinstance(t, bool) else None


def trial_of_log(path: Path, recording: TrialRecording) -> str:
    start = recording.start_event()
    return str(start.get("trial")) if start is not None else trial_id_for_log(path)


def load_sweep_recordings(sweep_dir: str | os.PathLike[str]) -> dict[str, TrialRecording]:
    """Every trial log under ``sweep_dir``, whole and in columns, keyed by trial id."""
    recordings: dict[str, TrialRecording] = {}
    paths = list(iter_event_files(sweep_dir))
    for path, recording in zip(paths, read_recordings(paths), strict=True):
        recordings[trial_of_log(Path(path), recording)] = recording
    return recordings


def load_timeline(sweep_dir: str | os.PathLike[str]) -> ReplayTimeline:
    """A replay of the sweep in ``sweep_dir``: its logs and its decisions."""
    return ReplayTimeline(load_sweep_recordings(sweep_dir), decisions=read_decisions(sweep_dir, final=True),
                          launch_order=read_sweep_info(Path(sweep_dir)).launch_order())
