"""Pure view models: heatmap ordering and scale, table sorting, curves, tails (no app)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from seedtui.core.view.curves import SPARK_CHARS, braille_rows, downsample_mean, rasterize, sparkline
from seedtui.core.view.decisions import describe_decision
from seedtui.core.view.heatmap import build_heatmap, move_cursor, order_by_means, scale_fraction
from seedtui.core.view.sweep_info import read_sweep_info
from seedtui.core.view.table import STATUS_FILTERS, next_in_cycle, visible_rows
from seedtui.log.text_tail import read_text_tail
from seedtui.state import TrialState, load_trials


def test_order_by_means_puts_the_best_row_on_top_and_the_best_column_on_the_right() -> None:
    values = np.array([[0.5, 0.7, np.nan], [0.9, 0.8, 0.6], [np.nan, np.nan, np.nan]])
    rows, cols = order_by_means(values)
    assert rows == [1, 0, 2]  # row means 0.77, 0.6, none (counts as worst)
    assert cols == [2, 0, 1]  # column means 0.6, 0.7, 0.75: the best at the right
    rows_low, cols_low = order_by_means(values, greater_is_better=False)
    assert rows_low == [0, 1, 2]  # lower is better: 0.6 first; the empty row still last
    assert cols_low == [1, 0, 2]


def test_order_by_means_on_distinct_column_means() -> None:
    values = np.array([[0.1, 0.9, 0.5], [0.2, 0.8, 0.4]])
    rows, cols = order_by_means(values)
    assert cols == [0, 2, 1]  # best DO (0.85) rightmost
    assert rows == [0, 1]  # 0.5 vs 0.467


def test_build_heatmap_places_values_and_statuses(sweep_dir: Path) -> None:
    trials = load_trials(sweep_dir, settle=False)
    grid = build_heatmap(trials)
    assert grid.wi_seeds == (1, 2, 3, 4) and grid.do_seeds == (1, 2, 3, 4, 5)
    assert grid.statuses[0][:5] == ("stopped", "diverged", "failed", "suspended", "completed")
    assert grid.statuses[3][3:] == (None, None)  # the two queued seeds have no log
    by_id = {t.trial_id: t for t in trials}
    assert grid.values[1, 2] == pytest.approx(by_id["wi2-do3"].best_score())
    assert grid.trial_at(1, 2) == "wi2-do3" and grid.position_of("wi2-do3") == (1, 2)
    ordered = build_heatmap(trials, ordered_by_means=True)
    means = [np.nanmean(ordered.values[r]) for r in range(4)]
    assert means == sorted(means, reverse=True)


def test_scale_fraction_and_cursor() -> None:
    assert scale_fraction(0.75, 0.5, 1.0) == pytest.approx(0.5)
    assert scale_fraction(0.2, 0.5, 1.0) == 0.0
    assert scale_fraction(2.0, 3.0, 1.0, greater_is_better=False) == pytest.approx(0.5)
    assert scale_fraction(None, 0, 1) is None and scale_fraction(math.nan, 0, 1) is None
    assert move_cursor(0, 0, -1, 5, 3, 4) == (0, 3)


def _state(trial: str, status: str, best: float | None) -> TrialState:
    state = TrialState(trial_id=trial, status=status)
    if best is not None:
        state.eval_scores.append(best)
    return state


def test_visible_rows_sorts_numbers_as_numbers_and_missing_last() -> None:
    trials = {
        t.trial_id: t
        for t in [
            _state("wi1-do1", "completed", 0.9),
            _state("wi1-do2", "queued", None),
            _state("wi1-do10", "running", 0.85),
            _state("wi2-do1", "failed", 0.1),
        ]
    }
    assert visible_rows(trials, sort_column="best") == ["wi2-do1", "wi1-do10", "wi1-do1", "wi1-do2"]
    assert visible_rows(trials, sort_column="best", descending=True) == [
        "wi1-do1",
        "wi1-do10",
        "wi2-do1",
        "wi1-do2",
    ]
    assert visible_rows(trials, status_filter="running") == ["wi1-do10"]
    assert next_in_cycle(STATUS_FILTERS, None) == "queued"
    assert next_in_cycle(STATUS_FILTERS, STATUS_FILTERS[-1]) is None


def test_downsample_sparkline_and_braille() -> None:
    assert list(downsample_mean([1, 3, 5, 7], 2)) == [2, 6]
    assert np.isnan(downsample_mean([math.nan, math.nan, 1, 1], 2)[0])
    assert sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8) == SPARK_CHARS
    assert sparkline([0, math.nan], 2) == "▁ "
    mask = rasterize([([0, 1], [0.5, 0.5])], (0, 1), (0, 1), 4, 8)
    assert mask.sum() == 4 and mask[4].all()  # one horizontal line across row 4 of 8
    assert braille_rows(np.ones((4, 2), dtype=bool)) == ["⣿"]
    assert braille_rows(np.zeros((4, 4), dtype=bool)) == ["  "]


def test_rasterizing_many_curves_draws_each_as_it_is_drawn_alone() -> None:
    """All curves are rasterized at once (rows and steep fills in one pass): the mask must be the
    union of each curve's mask, so a fill never joins the end of one curve to the next."""
    rng = np.random.default_rng(7)
    for _ in range(200):
        curves = []
        for _ in range(int(rng.integers(1, 8))):
            size = int(rng.integers(0, 40))
            xs = np.sort(rng.uniform(-0.5, 3.5, size))
            ys = rng.normal(0, 1, size) * (10 if rng.random() < 0.3 else 1)
            if size and rng.random() < 0.3:
                ys[rng.integers(0, size)] = np.nan
            curves.append((xs, ys))
        width, height = int(rng.integers(1, 60)), int(rng.integers(1, 30))
        together = rasterize(curves, (0.0, 3.0), (-2.0, 2.0), width, height)
        alone = np.zeros_like(together)
        for curve in curves:
            alone |= rasterize([curve], (0.0, 3.0), (-2.0, 2.0), width, height)
        assert np.array_equal(together, alone)
    # two flat curves, one high and one low, next to each other: no fill between them
    mask = rasterize([([0.0, 0.5], [0.85, 0.85]), ([0.5, 1.0], [0.05, 0.05])], (0, 1), (0, 1), 8, 10)
    assert mask.sum() == 8 and mask[1, :4].all() and mask[9, 4:].all()


def test_downsampling_rows_together_is_downsampling_each_alone() -> None:
    rng = np.random.default_rng(3)
    for size, buckets in ((500, 120), (501, 7), (90, 200), (33, 1)):
        rows = rng.normal(0, 1, (2, size))
        rows[1, rng.integers(0, size, 4)] = np.nan
        together = downsample_mean(rows, buckets)
        for row, expected in zip(together, rows, strict=True):
            assert np.array_equal(row, downsample_mean(expected, buckets), equal_nan=True)


def test_sweep_info_names_the_backend(tmp_path: Path) -> None:
    """What the header's node labels trust instead of reading every trial's launch record."""
    assert read_sweep_info(tmp_path).backend is None  # no sweep.toml: unknown
    (tmp_path / "sweep.toml").write_text('name = "s"\n', encoding="utf-8")
    assert read_sweep_info(tmp_path).backend == "local"  # the engine's default
    (tmp_path / "sweep.toml").write_text('name = "s"\n[resources]\nbackend = "ray"\n', encoding="utf-8")
    assert read_sweep_info(tmp_path).backend == "ray"


def test_describe_decision_shows_rule_action_trial_rung_and_reason() -> None:
    assert (
        describe_decision(
            {"rule": "tfp", "action": "stop", "trial": "wi1-do1", "rung": 0.5, "reason": "[red]x"}
        )
        == "tfp stop wi1-do1 @rung 0.5: [red]x"
    )


def test_text_tail_and_sweep_info(tmp_path: Path, sweep_dir: Path) -> None:
    log = tmp_path / "stderr.log"
    log.write_bytes(b"first\n" + b"x" * 50 + b"\nlast \xff line\n")
    assert read_text_tail(log, max_bytes=30).splitlines() == ["last \ufffd line"]
    assert read_text_tail(tmp_path / "missing.log") == ""
    info = read_sweep_info(sweep_dir)
    assert (info.name, info.task, len(info.expected_trials())) == ("synthetic-sweep", "rte", 20)
    assert read_sweep_info(tmp_path).name == tmp_path.name
