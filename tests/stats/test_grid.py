"""Building the WI x DO grid from real logs: who is used, who is not, and why."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from seedtui.core.stats.grid import build_grid
from seedtui.state import load_trials
from seedtui.testing.trial_log import write_trial


def test_grid_cells_exclusions_and_missing(tmp_path: Path) -> None:
    write_trial(tmp_path, 1, 1, [0.5, 0.7, 0.6])
    write_trial(tmp_path, 1, 2, [0.55, 0.65, 0.6])
    write_trial(tmp_path, 2, 1, [0.6, 0.62, 0.61])
    write_trial(tmp_path, 2, 2, [0.5, 0.8], status="stopped")  # incomplete
    write_trial(tmp_path, 3, 1, [0.9, 0.9, 0.9], task="sst2")  # another task
    write_trial(tmp_path, 3, 2, [float("nan")] * 3)  # no finite score
    write_trial(tmp_path / "zz-copy", 1, 1, [0.1, 0.1, 0.1])  # a second log of wi1-do1 (later path)
    grid = build_grid(load_trials(tmp_path))
    assert grid.trial_ids == ["wi1-do1", "wi1-do2", "wi2-do1"]
    assert (grid.wi_seeds, grid.do_seeds) == ([1, 2], [1, 2])
    assert np.array_equal(grid.scores, np.array([[0.7, 0.65], [0.62, np.nan]]), equal_nan=True)
    assert grid.missing_cells == [(2, 2)]
    reasons = dict(grid.excluded)
    assert "not completed" in reasons["wi2-do2"]
    assert "sst2" in reasons["wi3-do1"]
    assert "no finite" in reasons["wi3-do2"]
    assert "duplicate" in reasons["wi1-do1"]
    assert grid.curves.shape == (3, 3) and grid.metric == "acc" and grid.task == "rte"
    assert grid.eval_steps == [10, 20, 30]

    with_incomplete = build_grid(load_trials(tmp_path), include_incomplete=True)
    assert "wi2-do2" in with_incomplete.trial_ids
    # The short trial's curve is NaN-padded.
    row = with_incomplete.trial_ids.index("wi2-do2")
    assert np.isnan(with_incomplete.curves[row, 2])


def test_epoch_ends_and_lower_is_better(tmp_path: Path) -> None:
    write_trial(
        tmp_path, 0, 0, [0.4, 0.3, 0.35, 0.2], evals_per_epoch=2, metric="loss", greater_is_better=False
    )
    write_trial(
        tmp_path, 0, 1, [0.5, 0.45, 0.4, 0.42], evals_per_epoch=2, metric="loss", greater_is_better=False
    )
    grid = build_grid(load_trials(tmp_path))
    assert grid.epoch_end_mask.tolist() == [False, True, False, True]
    assert grid.greater_is_better is False
    assert grid.scores.tolist() == [[0.2, 0.4]]


def test_no_trials_gives_an_empty_grid(tmp_path: Path) -> None:
    grid = build_grid([])
    assert grid.n_trials == 0 and grid.scores.shape == (0, 0) and grid.excluded == []
