"""The header bar: sweep, task, model, mode (live / replay / simulated), counts, GPUs."""

from __future__ import annotations

from textual.widgets import Static

from seedtui.core.view.sweep_info import SweepInfo
from seedtui.tui.renderables.header import header_text
from seedtui.tui.sources.base import SourceStatus


class SweepHeader(Static):
    """Two lines at the top of the screen."""

    def show(
        self,
        info: SweepInfo,
        *,
        task: str | None,
        model: str | None,
        counts: dict[str, int],
        status: SourceStatus | None,
        nodes: int = 0,
    ) -> None:
        self.update(header_text(info, task=task, model=model, counts=counts, status=status, nodes=nodes))
