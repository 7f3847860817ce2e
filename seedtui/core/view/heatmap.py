"""The WI x DO grid: one cell per trial, rows WI seeds, columns DO seeds.

``order_by_means`` is the re-ordering of the paper's Figure 2: the WI seed with the best mean at
the top, the DO seed with the best mean at the right, so good and bad seeds show as bands.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from seedtui.core.direction import rank_by_mean, signed
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

    The one ordering of seeds by mean (``seedtui.core.direction.rank_by_mean``, also Table 4's and
    the report's Figure 2's): means ignore missing cells, a row or column with no value at all
    counts as the worst, and equal means rank the lower seed lower (rows and columns are in
    ascending seed order here), so the result is deterministic.
    """
    worst_rows_first = rank_by_mean(values, 0, greater_is_better=greater_is_better)
    return worst_rows_first[::-1], rank_by_mean(values, 1, greater_is_better=greater_is_better)


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
    value, low, high = (signed(v, greater_is_better) for v in (value, low, high))
    if high <= low:
        return 1.0 if value >= high else 0.0
    return min(1.0, max(0.0, (value - low) / (high - low)))


def move_cursor(row: int, col: int, d_row: int, d_col: int, rows: int, cols: int) -> tuple[int, int]:
    """The cursor moved by (d_row, d_col), kept inside the grid."""
    if rows == 0 or cols == 0:
        return 0, 0
    return min(rows - 1, max(0, row + d_row)), min(cols - 1, max(0, col + d_col))
