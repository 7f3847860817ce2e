"""A live sweep directory, followed from a thread; actions become engine commands.

One thread runs the sweep's ``SweepFollower`` (``seedtui.state``: every trial's ``events.jsonl``,
only files whose size changed are read, and ``decisions.jsonl``), reads the supervisor's status and
the GPUs, and publishes what is new: events, new trials, trials whose log was replaced, and trials
the follower's liveness check found orphaned. It holds back while the app has not drained the
previous batch, so a burst never piles up.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from seedtui.core.view.sweep_info import read_sweep_info
from seedtui.state import SweepFollower
from seedtui.text.commands import describe_command
from seedtui.tui.gpu import GpuProbe
from seedtui.tui.sources.base import EventSource, Notify, SourceStatus

POLL_SECONDS = 0.5
DISCOVER_EVERY = 4
"""Polls between scans of ``trials/`` for new trial directories."""
MAX_BACKLOG = 200_000
"""Events waiting in the buffer above which the thread stops reading until the app catches up."""


def _engine_control() -> Any:
    """The engine's control module, imported on first use (it is not needed to draw a replay)."""
    from seedtui.core.engine import control

    return control


class LiveSource(EventSource):
    """Tails a sweep directory; ``read_only`` when no supervisor runs it (actions refused)."""

    mode = "live"

    def __init__(self, sweep_dir: Path, *, gpu_probe: GpuProbe | None = None, threaded: bool = True) -> None:
        super().__init__(sweep_dir, read_sweep_info(sweep_dir))
        self.sweep_dir: Path = sweep_dir
        self._follower = SweepFollower(sweep_dir, expected=self.info.expected_trials())
        self._gpu_probe = gpu_probe
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._supervisor_alive: bool | None = None
        self._queue_paused = False
        self._last_status: SourceStatus | None = None
        self._threaded = threaded
        """False in tests, which call ``poll_once`` themselves instead of waiting for the thread."""
        self._awaiting: dict[str, str] = {}
        """Id -> what was sent, for the commands whose answer (``control-replies.jsonl``) is shown
        as a notice when it comes: so a rejected command does not pass for done."""
        self._replies_offset = _engine_control().read_replies(sweep_dir)[1]

    def start(self, notify: Notify) -> None:
        super().start(notify)
        self.buffer.push(known_trials=self.info.expected_trials())
        if not self._threaded:
            self.poll_once()
            return
        self._thread = threading.Thread(target=self._run, name="seedtui-live", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)

    # --- the tailing thread ----------------------------------------------------------------------
    def _run(self) -> None:
        polls = 0
        while True:
            if self.buffer.backlog() < MAX_BACKLOG:
                self.poll_once(discover=polls % DISCOVER_EVERY == 0)
            polls += 1
            if self._stop.wait(POLL_SECONDS):
                return

    def poll_once(self, *, discover: bool = True) -> None:
        """Read everything new once and publish it (the thread's body; tests may call it)."""
        found = self._follower.poll(discover=discover)
        status = self._read_status()
        notices = self._answers()
        if found or status != self._last_status or notices:
            self._last_status = status
            self.publish(events=found.events, known_trials=found.new_trials, decisions=found.decisions,
                         replaced=found.replaced, orphaned=found.orphaned, status=status, notices=notices)

    def _answers(self) -> list[str]:
        """The supervisor's answers to the commands this source sent, one line each."""
        replies, self._replies_offset = _engine_control().read_replies(self.sweep_dir, self._replies_offset)
        return [f"{self._awaiting.pop(reply.id)}: {reply.text}" for reply in replies
                if reply.id in self._awaiting]

    def _read_status(self) -> SourceStatus:
        control = _engine_control()
        info = control.supervisor_status(self.sweep_dir)
        self._supervisor_alive = bool(info is not None and info.alive)
        self._queue_paused = bool(info is not None and info.alive and info.paused)
        gpus = self._gpu_probe.read() if self._gpu_probe is not None else ()
        state = control.read_state(self.sweep_dir)
        nodes = state.get("nodes") if isinstance(state, dict) else None
        return SourceStatus(
            running_nodes=tuple(sorted((str(k), str(v)) for k, v in nodes.items()))
            if isinstance(nodes, dict)
            else (),
            mode=self.mode if self._supervisor_alive else "read-only",
            queue_paused=self._queue_paused,
            supervisor_alive=self._supervisor_alive,
            gpus=gpus,
        )

    # --- actions -----------------------------------------------------------------------------------
    @property
    def can_act(self) -> bool:
        return bool(self._supervisor_alive)

    def _send(self, action: str, **args: Any) -> str:
        control = _engine_control()
        if not self._supervisor_alive:
            return "no supervisor is running this sweep (read-only): nothing sent"
        try:
            command = control.send_command(self.sweep_dir, action, **args)
        except control.ControlError as error:  # the command breaks the control rules: nothing sent
            return f"not sent: {error}"
        what = describe_command(action, args)
        self._awaiting[command.id] = what
        return f"sent {what}"

    def kill(self, trial: str) -> str:
        return self._send("kill", trial=trial, by="user")

    def kill_many(self, trials: list[str]) -> str:
        replies = [self._send("kill", trial=trial, by="user") for trial in trials]
        return (
            f"sent kill for {len(trials)} trial(s)"
            if all(r.startswith("sent") for r in replies)
            else replies[0]
        )

    def apply_tfp(self, t: int, f: float, p: int) -> str:
        return self._send("apply_tfp", t=t, f=f, p=p)

    def set_queue_paused(self, paused: bool) -> str:
        reply = self._send("pause" if paused else "resume")
        if reply.startswith("sent"):
            self._queue_paused = paused
        return reply

    def stop_sweep(self) -> str:
        return self._send("stop_sweep")
