"""The curves pane's faint curves: rebuilt at most once a second, and never left behind the data."""

from __future__ import annotations

import pytest

from seedtui.testing.fake_source import FakeSource
from seedtui.tui.app import create_app
from seedtui.tui.widgets import curves
from seedtui.tui.widgets.curves import CurvesPane
from tests.tui.conftest import settle
from tests.tui.test_nodes_and_speed import _start_event


def _train(trial: str, step: int) -> tuple[str, dict[str, object]]:
    return trial, {"event": "train", "t": 1700000000.0 + step, "step": step, "epoch": step / 5,
                   "loss": 1.0 / step, "lr": 2e-5}


@pytest.mark.anyio
async def test_faint_curves_catch_up_with_data_that_stops_arriving(monkeypatch: pytest.MonkeyPatch) -> None:
    """Data arriving within a second of the last rebuild is drawn over the kept faint curves; once
    the second has passed they are rebuilt even though nothing arrives any more (a replay jumped to
    its end used to keep the older faint curves until the next key). The interval is stretched to
    2 s so that a busy machine's slow settle does not pass it before the first check."""
    refresh_seconds = 2.0
    monkeypatch.setattr(curves, "BACKGROUND_REFRESH_SECONDS", refresh_seconds)
    source = FakeSource()
    app = create_app(source, refresh_seconds=0, stats_seconds=3600)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        source.push([(t, _start_event(t, "h")) for t in ("wi1-do1", "wi1-do2")]
                    + [_train(t, s) for t in ("wi1-do1", "wi1-do2") for s in (1, 2)])
        await settle(app, pilot)
        pane = app.query_one(CurvesPane)
        built = pane._background["loss"][1]
        source.push([_train(t, s) for t in ("wi1-do1", "wi1-do2") for s in range(3, 15)])
        await settle(app, pilot)
        assert pane._background["loss"][1] == built < pane._data_version  # kept: rebuilt a moment ago
        await pilot.pause(refresh_seconds + 0.3)
        await settle(app, pilot)
        assert pane._background["loss"][1] == pane._data_version  # rebuilt from the latest data
