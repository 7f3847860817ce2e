"""The WI x DO grid: one cell per trial, rows WI seeds, columns DO seeds.

``order_by_means`` is the re-ordering of the paper's Figure 2: the WI seed with the best mean at
the top, the DO seed with the best mean at the right, so good and bad seeds show as bands.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from seedtui.state import TrialState


@dataclass(frozen=True)
class HeatmapGrid:
    """The grid as displayed: seeds in display order and each cell's value and status."""

    wi_seeds: tuple[int, ...]
    """Row seeds, top to bottom."""
    do_seeds: tuple[int, ...]
    """Column seeds, left to right."""
    values: np.ndarray
    """Best score so far per cell (rows x columns); NaN where there is none yet."""
    statuses: tuple[tuple[str | None, ...], ...]
    """Status per cell; None where no trial has those seeds."""

    def trial_at(self, row: int, col: int) -> str | None:
        if self.statuses[row][col] is None:
            return None
        return f"wi{self.wi_seeds[row]}-do{self.do_seeds[col]}"

    def position_of(self, trial_id: str) -> tuple[int, int] | None:
        for row, wi in enumerate(self.wi_seeds):
            for col, do in enumerate(self.do_seeds):
                if trial_id == f"wi{wi}-do{do}" and self.statuses[row][col] is not None:
                    return row, col
        return None


def order_by_means(values: np.ndarray, *, greater_is_better: bool = True) -> tuple[list[int], list[int]]:
    """Row and column orders putting the best row mean first and the best column mean last.

    Means ignore missing cells; a row or column with no value at all counts as the worst. Ties
    keep the original order, so the result is deterministic.
    """
    sign = 1.0 if greater_is_better else -1.0
    rows, cols = values.shape

    def goodness(axis_values: np.ndarray) -> float:
        finite = axis_values[np.isfinite(axis_values)]
        return -math.inf if finite.size == 0 else sign * float(finite.mean())

    row_goodness = [goodness(values[r, :]) for r in range(rows)]
    col_goodness = [goodness(values[:, c]) for c in range(cols)]
    row_order = sorted(range(rows), key=lambda r: (-row_goodness[r], r))
    col_order = sorted(range(cols), key=lambda c: (col_goodness[c], c))
    return row_order, col_order


def build_heatmap(
    trials: Iterable[TrialState], *, ordered_by_means: bool = False, greater_is_better: bool = True
) -> HeatmapGrid:
    """The grid of these trials (those without seeds are left out), seeds ascending or, with
    ``ordered_by_means``, re-ordered by ``order_by_means``."""
    seeded = [t for t in trials if t.wi_seed is not None and t.do_seed is not None]
    wi_seeds = sorted({int(t.wi_seed) for t in seeded})  # type: ignore[arg-type]
    do_seeds = sorted({int(t.do_seed) for t in seeded})  # type: ignore[arg-type]
    row_of = {seed: i for i, seed in enumerate(wi_seeds)}
    col_of = {seed: i for i, seed in enumerate(do_seeds)}
    values = np.full((len(wi_seeds), len(do_seeds)), np.nan)
    statuses: list[list[str | None]] = [[None] * len(do_seeds) for _ in wi_seeds]
    for state in seeded:
        row, col = row_of[state.wi_seed], col_of[state.do_seed]  # type: ignore[index]
        best = state.best_score()
        values[row, col] = np.nan if best is None else best
        statuses[row][col] = state.status
    if ordered_by_means and values.size:
        row_order, col_order = order_by_means(values, greater_is_better=greater_is_better)
    else:
        row_order, col_order = list(range(len(wi_seeds))), list(range(len(do_seeds)))
    return HeatmapGrid(
        wi_seeds=tuple(wi_seeds[r] for r in row_order),
        do_seeds=tuple(do_seeds[c] for c in col_order),
        values=values[np.ix_(row_order, col_order)] if values.size else values,
        statuses=tuple(tuple(statuses[r][c] for c in col_order) for r in row_order),
    )


def scale_fraction(
    value: float | None, low: float, high: float, *, greater_is_better: bool = True
) -> float | None:
    """Where ``value`` falls between ``low`` (the majority baseline) and ``high`` (the best
    score), as a fraction in [0, 1] that grows as the score gets better; None for no value."""
    if value is None or not math.isfinite(value):
        return None
    if not greater_is_better:
        value, low, high = -value, -low, -high
    if high <= low:
        return 1.0 if value >= high else 0.0
    return min(1.0, max(0.0, (value - low) / (high - low)))


def move_cursor(row: int, col: int, d_row: int, d_col: int, rows: int, cols: int) -> tuple[int, int]:
    """The cursor moved by (d_row, d_col), kept inside the grid."""
    if rows == 0 or cols == 0:
        return 0, 0
    return min(rows - 1, max(0, row + d_row)), min(cols - 1, max(0, col + d_col))
