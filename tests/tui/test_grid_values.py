"""A 10 x 10 grid prints its values at 120 columns without zooming (issue 12: the grid's column
widens while the trials keep ``MIN_TABLE_COLUMNS``); where that does not fit, coloured cells."""

from __future__ import annotations

from pathlib import Path

import pytest

from seedtui.core.view.heatmap import choose_layout, format_value
from seedtui.tui.app import MIN_TABLE_COLUMNS
from seedtui.tui.widgets.heatmap import Heatmap
from seedtui.tui.widgets.trial_table import TrialTable
from tests.tui.conftest import screen_text
from tests.tui.test_snapshots_heatmap import fake_app, run_before


def test_narrow_value_cells_fit_ten_columns_where_the_gap_does_not() -> None:
    assert choose_layout(10, 10, 83).cell_width == 7  # value, glyph, gap
    assert choose_layout(10, 10, 75).mode == "values" and choose_layout(10, 10, 75).cell_width == 6
    assert choose_layout(10, 10, 72).mode == "cells"


@pytest.mark.anyio
@pytest.mark.parametrize(("width", "values"), [(120, True), (160, True), (200, True), (100, False)])
async def test_ten_by_ten_grid_prints_values_when_the_table_keeps_its_width(
    tmp_path: Path, width: int, values: bool
) -> None:
    app = fake_app(10, tmp_path)
    async with app.run_test(size=(width, 40)) as pilot:
        await run_before(app)(pilot)
        heatmap = app.query_one(Heatmap)
        layout = heatmap.render().layout(heatmap.content_size.width)
        assert (layout.mode == "values") is values
        assert app.query_one(TrialTable).outer_size.width >= MIN_TABLE_COLUMNS
        if values:  # the cursor's cell prints its score
            assert format_value(float(heatmap.grid.values[heatmap.cursor])) in screen_text(app)
        # zoomed, the grid's column takes the stylesheet's width again
        await pilot.press("2", "z")
        await pilot.pause()
        assert app.query_one("#col-b").styles.inline.width is None
