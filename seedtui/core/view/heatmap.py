"""The WI x DO grid: one cell per trial, rows WI seeds, columns DO seeds.

``order_by_means`` is the re-ordering of the paper's Figure 2: the WI seed with the best mean at
the top, the DO seed with the best mean at the right, so good and bad seeds show as bands.
``choose_layout`` decides how a grid fits a pane (values printed, coloured cells, or blocks of seeds
averaged) and ``aggregate`` folds a grid into those blocks; the TUI only draws what they say.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from seedtui.core.direction import rank_by_mean, signed
from seedtui.state import STATUSES, TrialState


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


# --- fitting the grid into a pane ----------------------------------------------------------------
LABEL_WIDTH = 6
"""Row labels (``wi12`` and a space; ``wi100`` still fits)."""
MEAN_WIDTH = 7
"""The row means' margin: a bar and a value of ``VALUE_WIDTH`` characters."""
VALUE_WIDTH = 5
"""A printed score: 3 significant digits (``0.734``, ``.0656``, ``-.012``)."""
VALUE_CELL_WIDTH = VALUE_WIDTH + 2
"""A cell that prints its value: the value, a status glyph, a gap."""
NARROW_VALUE_CELL_WIDTH = VALUE_WIDTH + 1
"""The same without the gap (the cells' colours still part them), where the gap does not fit."""
COLOUR_CELL_WIDTH = 2
MAX_VALUE_COLUMNS = 12
"""More columns than this print no values even on a wide pane: the grid stops reading as a table."""
MAX_CELL_ROWS = 30
"""Grids taller than this are folded into blocks (a 50 x 50 grid cannot be read cell by cell)."""
MAX_BLOCKS = 25
"""At most this many blocks a side: a 100 x 100 grid shows as 25 x 25 blocks of 4 x 4 seeds."""


@dataclass(frozen=True)
class HeatmapLayout:
    """How a grid fits a pane of some width."""

    mode: str
    """``values`` (each cell prints its score), ``cells`` (coloured cells with a status glyph) or
    ``blocks`` (``block`` x ``block`` seeds per cell, coloured by their mean)."""
    cell_width: int
    block: int = 1
    """Seeds per block side (1 unless ``mode`` is ``blocks``)."""

    def grid_width(self, columns: int) -> int:
        """Characters the row labels, the cells and the row means take."""
        shown = -(-columns // self.block)
        return LABEL_WIDTH + shown * self.cell_width + MEAN_WIDTH


def choose_layout(rows: int, columns: int, width: int) -> HeatmapLayout:
    """The most readable layout of a ``rows`` x ``columns`` grid in ``width`` characters: values
    when they fit (a 10 x 10 grid at 120 columns), coloured cells up to ``MAX_CELL_ROWS`` seeds a
    side (a 25 x 25 grid), else square blocks of seeds averaged, as few seeds per block as fit."""
    room = max(0, width - LABEL_WIDTH - MEAN_WIDTH)
    for cell_width in (VALUE_CELL_WIDTH, NARROW_VALUE_CELL_WIDTH):
        if columns <= MAX_VALUE_COLUMNS and columns * cell_width <= room:
            return HeatmapLayout("values", cell_width)
    if rows <= MAX_CELL_ROWS and columns <= MAX_CELL_ROWS:
        if columns * COLOUR_CELL_WIDTH <= room:
            return HeatmapLayout("cells", COLOUR_CELL_WIDTH)
        if columns <= room:
            return HeatmapLayout("cells", 1)
    side = max(1, min(MAX_BLOCKS, room // COLOUR_CELL_WIDTH))
    block = max(2, -(-max(rows, columns) // side))
    return HeatmapLayout("blocks", COLOUR_CELL_WIDTH, block)


def values_width(columns: int) -> int | None:
    """The narrowest width at which ``columns`` DO seeds print their values (None: too many, or
    none)."""
    if not 0 < columns <= MAX_VALUE_COLUMNS:
        return None
    return HeatmapLayout("values", NARROW_VALUE_CELL_WIDTH).grid_width(columns)


ALARMING = ("failed", "diverged")
"""Statuses a block of seeds shows if any of its trials has one: they need the user's eye."""


def block_status(statuses: Iterable[str | None]) -> str | None:
    """The status a block of trials shows: failed or diverged if any trial is, else the most common
    (ties to the earlier in ``STATUSES`` order); None for no trial."""
    found = Counter(s for s in statuses if s is not None)
    if not found:
        return None
    alarming = next((s for s in ALARMING if s in found), None)
    if alarming is not None:
        return alarming
    order = {status: i for i, status in enumerate(STATUSES)}
    return min(found, key=lambda s: (-found[s], order.get(s, len(order)), s))


@dataclass(frozen=True)
class BlockCell:
    """A block of seeds of an aggregated grid."""

    rows: range
    """Grid rows (display order) in the block."""
    columns: range
    mean: float
    """Mean of the block's scores (NaN when none has one)."""
    trials: int
    status: str | None
    """The block's status (``block_status``); None for an empty block."""


def aggregate(grid: HeatmapGrid, block: int) -> list[list[BlockCell]]:
    """The grid folded into ``block`` x ``block`` squares (the last ones may be smaller), each with
    the mean of its scores and its status (``block_status``)."""
    rows, columns = len(grid.wi_seeds), len(grid.do_seeds)
    folded: list[list[BlockCell]] = []
    for top in range(0, rows, block):
        line = []
        for left in range(0, columns, block):
            row_range, col_range = range(top, min(rows, top + block)), range(left, min(columns, left + block))
            cells = [grid.statuses[r][c] for r in row_range for c in col_range]
            patch = grid.values[top : top + block, left : left + block]
            finite = patch[np.isfinite(patch)]
            status = block_status(cells)
            count = sum(1 for cell in cells if cell is not None)
            mean = float(finite.mean()) if finite.size else math.nan
            line.append(BlockCell(row_range, col_range, mean, count, status))
        folded.append(line)
    return folded


def margin_means(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's and each column's mean score, ignoring cells without one (NaN for none)."""
    finite = np.isfinite(values)
    counts_rows, counts_cols = finite.sum(axis=1), finite.sum(axis=0)
    filled = np.where(finite, values, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        row_means = np.where(counts_rows > 0, filled.sum(axis=1) / np.maximum(counts_rows, 1), np.nan)
        col_means = np.where(counts_cols > 0, filled.sum(axis=0) / np.maximum(counts_cols, 1), np.nan)
    return row_means, col_means


def data_range(values: np.ndarray, *, greater_is_better: bool = True) -> tuple[float, float] | None:
    """(worst, best) finite score of the grid: the colour scale's ends; None with no score."""
    finite = values[np.isfinite(values)]
    if not finite.size:
        return None
    low, high = float(finite.min()), float(finite.max())
    return (low, high) if greater_is_better else (high, low)


def format_value(value: float | None, width: int = VALUE_WIDTH) -> str:
    """A score in at most ``width`` characters with 3 significant digits where they fit (``0.734``,
    ``.0656``, ``-.012``); '-' for none."""
    if value is None or not math.isfinite(value):
        return "-"
    for digits in (3, 2, 1):
        text = f"{value:#.{digits}g}".rstrip(".")
        if "e" not in text and len(text) > width:
            text = text.replace("0.", ".", 1)
        if "e" not in text and len(text) <= width:
            return text
    return f"{value:.0e}"[:width]
