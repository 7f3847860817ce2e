"""A TUI event source fed by the test itself: push events, and see which commands the app sent.

It subclasses the TUI's ``EventSource`` but imports no Textual (the sources are plain threads).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from seedtui.core.view.sweep_info import SweepInfo
from seedtui.core.view.sweep_model import TrialEvent
from seedtui.tui.sources.base import EventSource, SourceStatus


class FakeSource(EventSource):
    """Delivers what the test pushes; records every action as (name, args) in ``commands``."""

    mode = "fake"

    def __init__(self, info: SweepInfo | None = None, sweep_dir: Path | None = None) -> None:
        super().__init__(sweep_dir, info or SweepInfo(name="fake"))
        self.commands: list[tuple[str, dict[str, Any]]] = []
        self.queue_paused = False
        self.started = False
        self.stopped = False

    def start(self, notify: Any) -> None:
        super().start(notify)
        self.started = True
        self.publish(status=SourceStatus(mode=self.mode))

    def stop(self) -> None:
        self.stopped = True

    def push(self, events: list[TrialEvent], decisions: list[dict[str, Any]] | None = None) -> None:
        self.publish(events=events, decisions=decisions or [])

    @property
    def can_act(self) -> bool:
        return True

    def _record(self, name: str, **args: Any) -> str:
        self.commands.append((name, args))
        return f"{name} sent"

    def kill(self, trial: str) -> str:
        return self._record("kill", trial=trial)

    def kill_many(self, trials: list[str]) -> str:
        return self._record("kill_many", trials=list(trials))

    def apply_tfp(self, t: int, f: float, p: int) -> str:
        return self._record("apply_tfp", t=t, f=f, p=p)

    def set_queue_paused(self, paused: bool) -> str:
        self.queue_paused = paused
        self.publish(status=SourceStatus(mode=self.mode, queue_paused=paused))
        return self._record("pause" if paused else "resume")

    def stop_sweep(self) -> str:
        return self._record("stop_sweep")
