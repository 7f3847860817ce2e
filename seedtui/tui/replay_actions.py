"""The replay keys that go back: restart, step back, seek. Going back rebuilds the replay from its
recordings (``seedtui.core.replay``), so a simulated t/f/p can be rehearsed from the beginning."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seedtui.core.replay_seek import SeekTarget
from seedtui.tui.screens.seek import SeekScreen

if TYPE_CHECKING:
    from seedtui.tui.app import SeedTuiApp


class ReplayActionsMixin:
    """Key actions of ``SeedTuiApp`` that move a replay anywhere, backwards included."""

    def _replay_app(self) -> SeedTuiApp:
        return self  # type: ignore[return-value]

    def action_restart(self) -> None:
        app = self._replay_app()
        app.tell(app.source.restart())

    def action_step_back(self) -> None:
        app = self._replay_app()
        app.tell(app.source.step_back())

    def action_seek(self) -> None:
        app = self._replay_app()

        def done(target: SeekTarget | None) -> None:
            if target is not None:
                app.tell(app.source.seek(target))

        app.push_screen(SeekScreen(), done)
