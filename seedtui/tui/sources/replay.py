"""Replay of a recorded sweep at its original timing scaled by a speed; actions are rehearsed
on a simulated copy (``seedtui.core.replay``), never on files."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from seedtui.core import recording_cache
from seedtui.core.recording import TrialRecording, read_recording, read_recordings
from seedtui.core.replay import MAX_SPEED, ReplayClock, ReplayTimeline, first_event_time, trial_of_log
from seedtui.core.replay_seek import SeekTarget
from seedtui.core.view.status_line import format_clock
from seedtui.core.view.sweep_info import read_sweep_info
from seedtui.log import iter_event_files
from seedtui.log.decisions import read_decisions
from seedtui.state import trial_id_for_log
from seedtui.tui.sources.base import EventSource, Notify, SourceStatus

AUTO_SPEED_SECONDS = 30.0
"""The default speed plays a whole recording in about this long (the sample sweeps, 2 to 6
minutes of sweep time, play at 8x or 16x)."""
TICK_SECONDS = 0.1
LOAD_DELIVER_SECONDS = 0.5
"""While a replay loads, what became due is delivered at most this often: every delivery costs the
app a redraw, which competes with the loading thread for the interpreter."""


class ReplaySource(EventSource):
    """Plays a ``ReplayTimeline`` from a thread; controls and simulated actions lock it."""

    mode = "replay"
    simulated = True

    def __init__(
        self,
        sweep_dir: Path,
        *,
        speed: float | None = 1.0,
        timeline: ReplayTimeline | None = None,
        start_position: float = 0.0,
        paused: bool = False,
        clock: Callable[[], float] = time.monotonic,
        reader: Callable[[Path], TrialRecording] = read_recording,
    ) -> None:
        """``speed`` None fits the whole recording into about ``AUTO_SPEED_SECONDS`` (set once
        every log is read). ``reader`` reads one trial log (the bench swaps in the previous reader
        as a baseline)."""
        super().__init__(sweep_dir, read_sweep_info(sweep_dir))
        self.timeline = timeline
        self._auto_speed = speed is None
        self.replay_clock = ReplayClock(speed=speed or 1.0, paused=paused, position=start_position)
        self._wall = clock
        self._read = reader
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_status: SourceStatus | None = None
        self._simulated_sent = 0
        self.loaded = threading.Event()
        """Set once every log is read (at once when a timeline is given)."""
        if timeline is not None:
            self._loaded()
        self._paths = list(iter_event_files(sweep_dir)) if timeline is None else []
        self._recordings: Iterator[TrialRecording] | None = None
        if timeline is None and reader is read_recording and not recording_cache.has_pack(self._paths):
            # nothing kept for these logs: all are parsed, by worker processes that start now and
            # use the core the app's start leaves idle (what is kept is read once the app shows)
            self._recordings = read_recordings(self._paths)

    def start(self, notify: Notify) -> None:
        super().start(notify)
        if self.timeline is not None:
            self._deliver(initial=True)
        self._thread = threading.Thread(target=self._run, name="seedtui-replay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._recordings = None  # workers still parsing are stopped
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)

    def _run(self) -> None:
        if self.timeline is None:
            self._load_progressively()
        while not self._stop.wait(TICK_SECONDS):
            self._deliver()

    def _load_progressively(self) -> None:
        """Show the grid at once, then add trials as their logs are read (the replay plays
        meanwhile: a trial read late delivers everything up to the current position)."""
        assert self.sweep_dir is not None
        paths = self._paths
        firsts = [t for t in (first_event_time(p) for p in paths) if t is not None]
        timeline = ReplayTimeline(
            {}, decisions=read_decisions(self.sweep_dir, final=True), t0=min(firsts) if firsts else 0.0,
            launch_order=self.info.launch_order(),
        )
        with self._lock:
            self.timeline = timeline
        self.buffer.push(known_trials=[trial_id_for_log(p) for p in paths])
        self._deliver(initial=True)
        # the grid is shown: the default reader takes what an earlier read kept and parses the rest in
        # worker processes (started when the source was made, when nothing was kept); a swapped-in
        # reader (the bench's baseline) reads here
        if self._read is not read_recording:
            recordings: Iterator[TrialRecording] = map(self._read, paths)
        else:
            recordings = self._recordings if self._recordings is not None else read_recordings(paths)
        delivered_at = time.monotonic()
        for path, recording in zip(paths, recordings, strict=True):
            if self._stop.is_set():
                return
            with self._lock:
                timeline.add_trial(trial_of_log(path, recording), recording)
            if time.monotonic() - delivered_at >= LOAD_DELIVER_SECONDS:
                self._deliver()
                delivered_at = time.monotonic()
        with self._lock:
            self._loaded()
        self._deliver()

    def _loaded(self) -> None:
        if self._auto_speed and self.timeline is not None:
            self.replay_clock.speed = auto_speed(self.timeline.duration)
        self.loaded.set()

    def _deliver(self, *, initial: bool = False) -> None:
        """Advance the timeline to the clock and publish what became due (nothing when idle)."""
        with self._lock:
            timeline = self.timeline
            if timeline is None:
                return
            if initial:
                # every trial appears at once (queued until its first event), so the grid is whole
                self.buffer.push(known_trials=self._known_trials())
            position = self.replay_clock.tick(self._wall())
            slices, decisions = timeline.advance(position)
            decisions = decisions + self._new_simulated_decisions()
            status = self._status()
        if slices or decisions or initial or status != self._last_status:
            self._last_status = status
            self.publish(slices=slices, decisions=decisions, status=status)

    def _known_trials(self) -> list[str]:
        """Every trial of the recording and of the configured grid (those never run included)."""
        recorded = self.timeline.trial_ids if self.timeline is not None else []
        return recorded + [t for t in self.info.expected_trials() if t not in set(recorded)]

    def _new_simulated_decisions(self) -> list[dict[str, object]]:
        """Simulated decisions not yet shown, as decision records flagged ``simulated``."""
        timeline = self.timeline
        if timeline is None:
            return []
        new = timeline.simulated[self._simulated_sent :]
        self._simulated_sent = len(timeline.simulated)
        return [
            {
                "t": (timeline.t0 or 0.0) + d.position,
                "rule": d.rule,
                "trial": d.trial,
                "action": d.action,
                "reason": d.reason,
                "simulated": True,
            }
            for d in new
        ]

    def _status(self) -> SourceStatus:
        timeline = self.timeline
        position = self.replay_clock.position
        duration = timeline.duration if timeline is not None else None
        return SourceStatus(
            mode=self.mode,
            simulated=True,
            queue_paused=bool(timeline and timeline.queue_paused),
            position=min(position, duration) if duration is not None else position,
            duration=duration,
            speed=self.replay_clock.speed,
            playing=not self.replay_clock.paused,
        )

    # --- replay controls -------------------------------------------------------------------------
    @property
    def is_replay(self) -> bool:
        return True

    @property
    def loading(self) -> bool:
        return not self.loaded.is_set()

    def toggle_play(self) -> None:
        with self._lock:
            self.replay_clock.toggle_pause()
        self._deliver()

    def step(self) -> None:
        """Pause and move to the next evaluation of any trial."""
        with self._lock:
            self.replay_clock.paused = True
            target = self.timeline.next_eval_position() if self.timeline else None
            if target is not None:
                self.replay_clock.position = max(self.replay_clock.position, target)
        self._deliver()

    def faster(self) -> None:
        with self._lock:
            self.replay_clock.faster()
        self._deliver()

    def slower(self) -> None:
        with self._lock:
            self.replay_clock.slower()
        self._deliver()

    def jump_to_end(self) -> None:
        with self._lock:
            if self.timeline is None:
                return
            slices, decisions = self.timeline.advance_to_end()
            decisions = decisions + self._new_simulated_decisions()
            self.replay_clock.position = max(self.replay_clock.position, self.timeline.position)
            status = self._status()
        self._last_status = status
        self.publish(slices=slices, decisions=decisions, status=status)

    def restart(self) -> str:
        """Back to the beginning, paused, with every simulated action forgotten."""
        return self._go_to(lambda timeline: 0.0, what="restarted", pause=True)

    def step_back(self) -> str:
        """Pause and go back to the previous evaluation of any trial (the beginning when none)."""
        return self._go_to(lambda timeline: timeline.previous_eval_position() or 0.0, what="stepped back",
                           pause=True)

    def seek(self, target: SeekTarget) -> str:
        """Go to ``target`` (a share of the replay or an evaluation), forwards or backwards."""
        if target.eval_number is not None:
            what = f"at evaluation {target.eval_number}"
        else:
            what = f"at {target.fraction:.0%} of the replay"
        return self._go_to(target.position, what=what, pause=False)

    def _go_to(self, where: Callable[[ReplayTimeline], float | None], *, what: str, pause: bool) -> str:
        """Move the replay to ``where(timeline)``; going back rebuilds it from the recordings, and
        the app then starts over from what this publishes."""
        with self._lock:
            timeline = self.timeline
            if timeline is None:
                return "the replay is still loading"
            position = where(timeline)
            if position is None:
                return f"nothing to go to: no trial has {what.removeprefix('at ')}"
            if pause:
                self.replay_clock.paused = True
            slices, decisions, restarted = timeline.seek(position)
            self.replay_clock.position = position
            if restarted:
                self._simulated_sent = 0
            decisions = decisions + self._new_simulated_decisions()
            known = self._known_trials() if restarted else []
            status = self._status()
        self._last_status = status
        if restarted:
            self.buffer.push(restart=True)
        self.publish(slices=slices, decisions=decisions, status=status, known_trials=known)
        forgot = " (simulated actions forgotten)" if restarted else ""
        return f"replay {what}: {format_clock(position)}{forgot}"

    # --- simulated actions -----------------------------------------------------------------------
    @property
    def can_act(self) -> bool:
        return self.timeline is not None

    def _after_action(self) -> None:
        self._deliver()

    def kill(self, trial: str) -> str:
        with self._lock:
            done = self.timeline is not None and self.timeline.kill(trial)
        self._after_action()
        return f"SIMULATED: stopped {trial}" if done else f"SIMULATED: {trial} has already ended"

    def kill_many(self, trials: list[str]) -> str:
        with self._lock:
            done = [
                t
                for t in trials
                if self.timeline is not None and self.timeline.kill(t, by="divergence", reason="diverged")
            ]
        self._after_action()
        return f"SIMULATED: stopped {len(done)} trial(s)"

    def apply_tfp(self, t: int, f: float, p: int) -> str:
        with self._lock:
            before = len(self.timeline.simulated) if self.timeline is not None else 0
            decisions = self.timeline.apply_tfp(t, f, p) if self.timeline is not None else []
            stopped = len(self.timeline.simulated) - before if self.timeline is not None else 0
        self._after_action()
        promoted = sum(1 for d in decisions if d.action == "promote")
        return f"SIMULATED: t={t} f={f:g} p={p}: {promoted} continue, {stopped} stopped"

    def set_queue_paused(self, paused: bool) -> str:
        with self._lock:
            if self.timeline is None:
                return "SIMULATED: nothing loaded yet"
            changed = self.timeline.pause_queue() if paused else self.timeline.resume_queue()
        self._after_action()
        verb = "paused: holding" if paused else "resumed: releasing"
        return f"SIMULATED: queue {verb} {len(changed)} trial(s)"

    def stop_sweep(self) -> str:
        return "a replay has no sweep to stop"


def auto_speed(duration: float, seconds: float = AUTO_SPEED_SECONDS) -> float:
    """The power of two (at least 1, at most MAX_SPEED) that plays ``duration`` seconds of sweep
    time in at most ``seconds``: a power of two, so ``+`` and ``-`` step through the same speeds."""
    if not duration > seconds:
        return 1.0
    return float(min(MAX_SPEED, 2.0 ** math.ceil(math.log2(duration / seconds))))
