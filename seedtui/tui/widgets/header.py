"""The header bar: sweep, task, model, directory, mode (live / replay / simulated), the status line
(progress, elapsed, ETA, rate, best so far), counts, GPUs or the recorded hardware."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.widgets import Static

from seedtui.core.view.status_line import SweepProgress, recorded_hardware, sweep_progress
from seedtui.core.view.sweep_info import SweepInfo
from seedtui.core.view.sweep_model import SweepModel
from seedtui.tui.renderables.header import header_text
from seedtui.tui.sources.base import SourceStatus

LIVE_TICK_SECONDS = 1.0


class SweepHeader(Static):
    """Three lines at the top of the screen."""

    wall_clock: Callable[[], float] = staticmethod(time.time)
    """What time it is in a live sweep (tests freeze it)."""
    _shown: dict[str, Any] | None = None
    """What ``show`` was last given."""
    _last_sweep: tuple[SweepModel, SweepInfo, Path | None, int, SourceStatus | None] | None = None
    """What ``show_sweep`` last showed, redrawn every second while live."""

    def show(
        self,
        info: SweepInfo,
        *,
        task: str | None,
        model: str | None,
        counts: dict[str, int],
        status: SourceStatus | None,
        nodes: int = 0,
        progress: SweepProgress | None = None,
        sweep_dir: Path | None = None,
        hardware: str | None = None,
    ) -> None:
        self._shown = dict(info=info, task=task, model=model, counts=counts, status=status, nodes=nodes,
                           progress=progress, sweep_dir=sweep_dir, hardware=hardware)
        self.refresh()

    def render(self) -> Text:
        """The header fitted to the width it has now: each line keeps the pieces that fit."""
        if self._shown is None:
            return Text()
        return header_text(**self._shown, width=self.content_size.width or None)

    def on_mount(self) -> None:
        self.set_interval(LIVE_TICK_SECONDS, self._tick_live)

    def _tick_live(self) -> None:
        """Live, the clock moves while no event arrives: elapsed and ETA follow it."""
        last = self._last_sweep
        if last is not None and last[4] is not None and last[4].mode == "live":
            self.show_sweep(last[0], last[1], sweep_dir=last[2], nodes=last[3], status=last[4])

    def show_sweep(
        self, model: SweepModel, info: SweepInfo, *, sweep_dir: Path | None, status: SourceStatus | None,
        nodes: int = 0,
    ) -> None:
        """Show ``model``'s sweep: its status line at the replay's position, or now when live."""
        self._last_sweep = (model, info, sweep_dir, nodes, status)
        now = sweep_now(model, status, wall_clock=self.wall_clock)
        progress = sweep_progress(model, now=now, decisions=model.decisions, planned_cohort=info.tfp_cohort())
        replay = status is not None and status.mode == "replay"
        start = model.first_start()
        self.show(
            info,
            task=start["task"] if start else None,
            model=start["model"] if start else None,
            counts=progress.counts,
            status=status,
            nodes=nodes,
            progress=progress,
            sweep_dir=sweep_dir,
            hardware=recorded_hardware(model.trials.values()) if replay else None,
        )


def sweep_now(
    model: SweepModel, status: SourceStatus | None, *, wall_clock: Callable[[], float] = time.time
) -> float | None:
    """The sweep's "now" in Unix seconds: the replay's position after its first event, the wall
    clock live, and the latest event otherwise (None)."""
    if status is None:
        return None
    if status.mode == "replay" and status.position is not None:
        firsts = [t.first_t for t in model.trials.values() if t.first_t is not None]
        return min(firsts) + status.position if firsts else None
    return wall_clock() if status.mode == "live" else None
