"""The heatmap as the paper's Figure 2: how a grid fits a pane (values, coloured cells, blocks), the
margins, the colour scale over the data's range with the majority baseline marked, the readout."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from rich.console import Console

from seedtui.core.view.heatmap import (
    HeatmapGrid,
    aggregate,
    block_status,
    choose_layout,
    data_range,
    format_value,
    margin_means,
)
from seedtui.tui.renderables.heatmap import HeatmapRenderable


def grid_of(values: np.ndarray, status: str = "completed") -> HeatmapGrid:
    rows, cols = values.shape
    return HeatmapGrid(
        wi_seeds=tuple(range(1, rows + 1)),
        do_seeds=tuple(range(1, cols + 1)),
        values=values,
        statuses=tuple(tuple(status for _ in range(cols)) for _ in range(rows)),
    )


def render(renderable: object, width: int) -> str:
    console = Console(width=width, record=True, color_system=None, file=open("/dev/null", "w"))
    console.print(renderable)
    return console.export_text()


def grid_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"wi\d+ ", line)]


def test_layout_prints_values_up_to_10x10_at_120_columns_then_cells_then_blocks() -> None:
    five = choose_layout(5, 5, 56)  # the wide layout's grid pane
    assert five.mode == "values" and five.block == 1 and five.grid_width(5) <= 56
    ten = choose_layout(10, 10, 118)
    assert ten.mode == "values" and ten.grid_width(10) <= 118
    paper = choose_layout(25, 25, 78)
    assert paper.mode == "cells" and paper.cell_width == 2 and paper.grid_width(25) <= 78
    assert choose_layout(25, 25, 40).mode == "cells"  # one character a cell when narrow
    fifty = choose_layout(50, 50, 118)
    assert fifty.mode == "blocks" and fifty.block == 2
    hundred = choose_layout(100, 100, 118)
    assert hundred.mode == "blocks" and -(-100 // hundred.block) <= 25 and hundred.grid_width(100) <= 118


def test_aggregate_averages_blocks_and_shows_failures_else_the_most_common_status() -> None:
    values = np.arange(16, dtype=float).reshape(4, 4)
    values[0, 0] = np.nan
    statuses = [["completed"] * 4 for _ in range(4)]
    statuses[1][1] = "running"
    statuses[2][3] = "failed"
    grid = HeatmapGrid((1, 2, 3, 4), (1, 2, 3, 4), values, tuple(tuple(row) for row in statuses))
    blocks = aggregate(grid, 2)
    assert len(blocks) == 2 and len(blocks[0]) == 2
    assert blocks[0][0].mean == pytest.approx((1 + 4 + 5) / 3)
    assert blocks[0][0].status == "completed"  # the most common status: one running trial of four
    assert blocks[1][1].status == "failed" and blocks[1][1].trials == 4
    assert blocks[0][1].status == "completed" and blocks[0][1].rows == range(0, 2)
    assert block_status(["running", "running", "completed", None]) == "running"
    assert block_status(["completed", "diverged", "completed"]) == "diverged" and block_status([None]) is None


def test_margins_range_and_three_significant_digits() -> None:
    values = np.array([[0.5, np.nan], [0.7, 0.9]])
    rows, cols = margin_means(values)
    assert rows.tolist() == pytest.approx([0.5, 0.8]) and cols.tolist() == pytest.approx([0.6, 0.9])
    assert math.isnan(margin_means(np.array([[np.nan]]))[0][0])
    assert data_range(values) == (0.5, 0.9) and data_range(values, greater_is_better=False) == (0.9, 0.5)
    assert data_range(np.array([[np.nan]])) is None
    assert [format_value(v) for v in (0.734, 0.5, 0.0656, -0.0123, 12.345, None)] == [
        "0.734", "0.500", ".0656", "-.012", "12.3", "-"]
    assert all(len(format_value(v)) <= 5 for v in (123456.0, -98765.4, 1e-9, -0.000123))


def test_5x5_prints_every_value_and_the_best_cell_can_be_read_off() -> None:
    values = np.full((5, 5), 0.6) + np.arange(25).reshape(5, 5) / 1000
    values[3, 1] = 0.734
    text = render(HeatmapRenderable(grid_of(values), cursor=(3, 1), baseline=0.527, width=56), 56)
    row = next(line for line in text.splitlines() if line.startswith("wi4"))
    assert "0.734" in row and row.split()[1:3] == ["0.615", "0.734"]
    assert "DO seed" in text and "WI" in text and "mean" in text  # axis titles, margins
    means = next(line for line in text.splitlines() if line.startswith("mean"))
    assert len(means.split()) == 6  # a mean under each column
    assert "worst 0.600" in text and "0.734 best" in text
    assert "majority baseline 0.527 (worse than every score)" in text
    assert "wi4-do2 completed  best 0.734" in text  # the readout of the cursor's cell
    assert all(len(line) <= 56 for line in text.splitlines())


def test_the_baseline_above_every_score_is_said_so_not_drawn_as_the_scale_low_end() -> None:
    # the "baseline 0.521 ... 0.479 best": a sweep whose best is below the majority baseline
    values = np.array([[0.40, 0.479], [0.45, 0.46]])
    text = render(HeatmapRenderable(grid_of(values), cursor=(0, 0), baseline=0.521, width=80), 80)
    assert "worst 0.400" in text and "0.479 best" in text
    assert "majority baseline 0.521 (better than every score)" in text
    inside = render(HeatmapRenderable(grid_of(values), cursor=(0, 0), baseline=0.45, width=80), 80)
    assert "▲ majority baseline 0.450" in inside


def test_25x25_shows_coloured_cells_and_100x100_blocks_of_seeds() -> None:
    rng = np.random.default_rng(0)
    paper = render(HeatmapRenderable(grid_of(rng.uniform(0.5, 0.7, (25, 25))), cursor=(0, 0),
                                     baseline=0.5, width=78), 78)
    assert "blocks" not in paper and len(grid_rows(paper)) == 25
    big = HeatmapRenderable(grid_of(rng.uniform(0.5, 0.7, (100, 100)), status="running"),
                            cursor=(10, 10), baseline=0.5, width=118, max_height=40)
    text = render(big, 118)
    assert "blocks of 4x4 seeds: mean" in text
    assert 0 < len(grid_rows(text)) <= 25 and all(len(line) <= 118 for line in text.splitlines())
    assert big.cell_at(6 + 2 * 3, 4 + 1, 118) == (4, 12)  # the block's top-left trial


def test_a_metric_where_lower_is_better_puts_the_lowest_score_at_the_best_end() -> None:
    values = np.array([[0.30, 0.25], [0.40, 0.35]])
    renderable = HeatmapRenderable(grid_of(values), cursor=(0, 1), baseline=0.5, greater_is_better=False,
                                   width=60)
    text = render(renderable, 60)
    assert renderable.best_cell == (0, 1)
    assert "worst 0.400" in text and "0.250 best" in text
    assert "majority baseline 0.500 (worse than every score)" in text


@pytest.mark.parametrize("width", [40, 48, 56, 64, 80])
def test_the_legend_shortens_by_whole_words_never_mid_word(width: int) -> None:
    values = np.array([[0.40, 0.479], [0.45, 0.46]])
    words = {"run", "running", "stop", "stopped", "div", "diverged", "fail", "failed", "susp", "suspended",
             "not", "started", "›", "×", "!", "✗", "‖", "·"}
    for baseline in (0.3, 0.45, 0.521):
        heatmap = HeatmapRenderable(grid_of(values), cursor=(0, 0), baseline=baseline, width=width)
        text = render(heatmap, width)
        lines = text.splitlines()
        assert all(len(line) <= width for line in lines)
        glyphs = next(line for line in lines if line.startswith("›"))
        assert set(glyphs.split()) <= words
        marker = next(line for line in lines if "baseline" in line)
        assert marker.rstrip().endswith(("0.300", "0.450", "0.521", "score)", "all)", "▶", "▲"))
        readout = lines[-1].split()
        assert readout[:2] == ["wi1-do1", "completed"]
        assert len(readout) == 2 or re.fullmatch(r"-?\d*\.\d+", readout[-1])  # ends with a whole value
