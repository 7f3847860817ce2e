"""Curves as pixels: downsampling, sparklines and a braille raster.

A terminal cell holds a 2 x 4 braille dot pattern, so a plot of ``cols x rows`` cells is a
``(4 rows) x (2 cols)`` pixel mask. Curves are rasterized with numpy (one interpolation per pixel
column, plus a vertical fill so steep segments stay connected), all curves at once: drawing 625
faint curves behind the selected one takes a millisecond or two.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Sequence

import numpy as np

from seedtui.state import TrialState
from seedtui.state.series import Series

SPARK_CHARS = "▁▂▃▄▅▆▇█"
_SPARK_ARRAY = np.array(list(SPARK_CHARS))
BRAILLE_BASE = 0x2800
# Bit of each dot in a braille cell, indexed [row within cell][column within cell].
_BRAILLE_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.int32)
Values = Sequence[float] | np.ndarray | Series
"""Numbers to plot: a list, an array, or a trial's series of steps or losses."""


def steps_per_epoch(state: TrialState) -> float:
    """What a step is in epochs' terms: the start event's ``steps_per_epoch`` (1 without one)."""
    per_epoch = float(state.start["steps_per_epoch"]) if state.start else 1.0
    return per_epoch or 1.0


def epochs_of_steps(state: TrialState, steps: Sequence[int] | np.ndarray | Series) -> np.ndarray:
    """Optimizer steps of ``state`` as epochs (the x axis of every curve)."""
    return np.asarray(steps, dtype=float) / steps_per_epoch(state)


def downsample_mean(values: Values, buckets: int) -> np.ndarray:
    """``values`` cut into ``buckets`` equal runs, each replaced by the mean of its finite
    values (NaN for a run with none). Shorter inputs come back unchanged. A 2-D array is
    downsampled row by row (each row as it would be alone)."""
    array = np.asarray(values, dtype=float)
    if buckets <= 0:
        return np.empty(array.shape[:-1] + (0,))
    size = array.shape[-1]
    if size <= buckets:
        return array.copy()
    starts, sizes = _buckets(size, buckets)
    finite = np.isfinite(array)
    if finite.all():  # the usual case: every run's mean of all its values (the same numbers)
        return np.add.reduceat(array, starts, axis=-1) / sizes
    clean = np.where(finite, array, 0.0)
    sums = np.add.reduceat(clean, starts, axis=-1)
    counts = np.add.reduceat(finite.astype(int), starts, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


@functools.lru_cache(maxsize=64)
def _buckets(size: int, buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """Where each of ``buckets`` equal runs of ``size`` values starts, and how many values each
    holds (none is empty: ``size`` > ``buckets``); the same for every curve of a plot, so computed
    once."""
    edges = np.linspace(0, size, buckets + 1).astype(int)
    starts, sizes = edges[:-1], np.diff(edges)
    starts.flags.writeable = False
    sizes.flags.writeable = False
    return starts, sizes


def sparkline(
    values: Values, width: int, *, low: float | None = None, high: float | None = None
) -> str:
    """A ``width``-character bar sparkline of ``values`` (bucket means); non-finite buckets are
    blank. The scale runs from ``low`` to ``high`` (default: the data's own range)."""
    points = downsample_mean(values, width)
    present = np.isfinite(points)
    if not present.any():
        return " " * min(width, len(points))
    low = float(points[present].min()) if low is None else low
    high = float(points[present].max()) if high is None else high
    span = high - low
    if span > 0:  # np.round rounds halves to even, as round() does
        levels = np.round((np.clip(points[present], low, high) - low) / span * 7).astype(int)
    else:
        levels = np.zeros(int(present.sum()), dtype=int)
    chars = np.full(len(points), " ", dtype="<U1")
    chars[present] = _SPARK_ARRAY[levels]
    return "".join(chars.tolist())


def rasterize(
    curves: Sequence[tuple[Sequence[float] | np.ndarray, Sequence[float] | np.ndarray]],
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    width_px: int,
    height_px: int,
) -> np.ndarray:
    """A ``height_px x width_px`` boolean mask with every curve drawn (row 0 at the top).

    Each curve is (xs ascending, ys), as many of each; points with a non-finite x or y are
    dropped; a curve is drawn only over the x interval it covers. (``rasterize_many`` of the
    curves put end to end.)
    """
    lengths = [len(xs) for xs, _ in curves]
    if lengths != [len(ys) for _, ys in curves]:
        raise ValueError("rasterize: a curve needs as many ys as xs")
    xs = np.concatenate([xs for xs, _ in curves]).astype(float, copy=False) if curves else np.empty(0)
    ys = np.concatenate([ys for _, ys in curves]).astype(float, copy=False) if curves else np.empty(0)
    return rasterize_many(xs, ys, lengths, x_range, y_range, width_px, height_px)


def rasterize_many(
    xs: Sequence[float] | np.ndarray,
    ys: Sequence[float] | np.ndarray,
    lengths: Sequence[int] | np.ndarray,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    width_px: int,
    height_px: int,
) -> np.ndarray:
    """``rasterize`` of curves given end to end: curve ``i`` is the next ``lengths[i]`` values of
    ``xs`` and ``ys``. All curves are drawn at once, in array operations over all their points
    (no Python work per curve: 625 trials' curves are the faint background), with exactly the
    pixels that drawing them one by one gives: a curve's height at a pixel column is
    ``np.interp``'s, computed as it computes it."""
    mask = np.zeros((height_px, width_px), dtype=bool)
    if width_px <= 0 or height_px <= 0:
        return mask
    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    sizes = np.asarray(lengths, dtype=np.int64).reshape(-1)
    if x.ndim != 1 or x.shape != y.shape or int(sizes.sum()) != x.size or (sizes < 0).any():
        raise ValueError("rasterize_many: xs and ys need a value per point, lengths a count per curve")
    x0, x1 = x_range
    y0, y1 = y_range
    x_span = (x1 - x0) or 1.0
    y_span = (y1 - y0) or 1.0
    pixel_x = x0 + (np.arange(width_px) + 0.5) / width_px * x_span
    keep = np.isfinite(x)
    keep &= np.isfinite(y)
    if not keep.all():  # the non-finite points dropped, their curves shortened
        kept_before = np.concatenate(([0], np.cumsum(keep)))
        ends = np.cumsum(sizes)
        sizes = kept_before[ends] - kept_before[ends - sizes]
        x, y = x[keep], y[keep]
    ends = np.cumsum(sizes)
    starts = ends - sizes
    # Curves are drawn alone, one by one, where np.interp's answer depends on how it searches:
    # xs that go back, or pixel columns that do not ascend with x (a reversed or non-finite x range).
    alone = np.zeros(len(sizes), dtype=bool)
    if np.isfinite(x0) and np.isfinite(x_span) and x_span > 0:
        back = np.flatnonzero(x[1:] < x[:-1])  # point i + 1 lies left of point i ...
        curve_of_back = np.searchsorted(ends, back, "right")
        alone[curve_of_back[back + 1 < ends[curve_of_back]]] = True  # ... in the same curve
    else:
        alone[:] = True
    singles = np.flatnonzero((sizes == 1) & ~alone)
    parts = [
        part for part in (
            (_column_of(x[starts[singles]], x0, x_span, width_px), y[starts[singles]],
             np.arange(len(singles))),
            _interpolated(x, y, sizes, starts, np.flatnonzero((sizes >= 2) & ~alone), pixel_x, x0, x_span),
            _drawn_alone(x, y, starts, ends, np.flatnonzero(alone & (sizes > 0)), x0, x_span, pixel_x),
        ) if len(part[0])
    ]
    if not parts:
        return mask
    if len(parts) == 1:
        columns, heights, runs = parts[0]
    else:
        columns = np.concatenate([part[0] for part in parts])
        heights = np.concatenate([part[1] for part in parts])
        offsets = np.cumsum([0] + [len(part[0]) for part in parts])
        runs = np.concatenate([part[2] + offset for part, offset in zip(parts, offsets, strict=False)])
    with np.errstate(over="ignore", invalid="ignore"):  # a height off the scale: the top or bottom row
        scaled = np.subtract(y1, heights, out=heights)  # (y1 - heights) / y_span * height_px
        scaled /= y_span
        scaled *= height_px
        rows = scaled.astype(int)
    np.clip(rows, 0, height_px - 1, out=rows)
    del scaled, heights
    mask[rows, columns] = True
    # Fill between neighbouring columns of one curve so a steep segment reads as a line, not dots:
    # rows min..max-1 of the two, in the left one's column.
    step = np.diff(rows)
    steep = (step > 1) | (step < -1)
    steep[runs[1:] - 1] = False  # the last column of a curve and the first of the next
    if steep.any():
        where = np.flatnonzero(steep)
        left, right = rows[where], rows[where + 1]
        fill_columns = columns[where]
        # every fill at once: +1 where a run starts, -1 where it stops, summed down
        cells = (height_px + 1) * width_px
        starts_of_fill = np.bincount(np.minimum(left, right) * width_px + fill_columns, minlength=cells)
        starts_of_fill -= np.bincount(np.maximum(left, right) * width_px + fill_columns, minlength=cells)
        mask |= np.cumsum(starts_of_fill.reshape(height_px + 1, width_px), axis=0)[:height_px] > 0
    return mask


_Drawn = tuple[np.ndarray, np.ndarray, np.ndarray]
"""(pixel column, height) of each drawn column, one curve's columns together and ascending, and
where each curve's run of columns starts."""
_NONE_DRAWN: _Drawn = (np.empty(0, dtype=np.intp), np.empty(0), np.empty(0, dtype=np.intp))


def _column_of(x: np.ndarray | float, x0: float, x_span: float, width_px: int) -> np.ndarray:
    """The pixel column of a lone point: truncated as ``int()`` truncates, kept in the plot."""
    return np.clip((x - x0) / x_span * width_px, 0, width_px - 1).astype(np.intp)


def _interpolated(
    x: np.ndarray,
    y: np.ndarray,
    sizes: np.ndarray,
    starts: np.ndarray,
    curves: np.ndarray,
    pixel_x: np.ndarray,
    x0: float,
    x_span: float,
) -> _Drawn:
    """``curves`` (two points or more, xs ascending) at every pixel column whose centre lies in
    [first x, last x]: each height as ``np.interp`` computes it. (625 curves over 100 columns make
    60,000 columns: few arrays that long are made, and they are reused where they can be.)"""
    if not curves.size:
        return _NONE_DRAWN
    centre_of_point = _first_centre_at_or_right(x, pixel_x, x0, x_span)
    first = starts[curves]
    low = centre_of_point[first]  # the first column at or right of the first x
    high = np.searchsorted(pixel_x, x[first + sizes[curves] - 1], "right")  # past the last one <= last x
    drawn = high > low
    curves, first, low, counts = curves[drawn], first[drawn], low[drawn], (high - low)[drawn]
    if not curves.size:
        return _NONE_DRAWN
    first_entry = np.cumsum(counts) - counts
    total = int(first_entry[-1] + counts[-1])
    # Each curve's columns, low to high: ones, with the jump from one curve's last column to the
    # next one's first at its first entry, summed (no per-column array beyond the result).
    columns = np.ones(total, dtype=np.intp)
    columns[first_entry] = np.diff(low, prepend=0) - np.concatenate(([0], counts[:-1] - 1))
    np.cumsum(columns, out=columns)
    # np.interp's bracket: the curve's last point at or left of the pixel centre. A point is at or
    # left of centre c exactly when its first centre at or right of it is c or before c, so the
    # bracket is the curve's first point plus the points that have come in by then, less one:
    # points come in at their columns (those past a curve's last column never), are counted
    # along the columns, and each curve's first point less one is added at its first entry.
    arrival = np.full(len(sizes), -1)  # where a curve's column 0 would be among the columns
    arrival[curves] = first_entry - low
    limit = np.zeros(len(sizes), dtype=np.intp)  # no point of the other curves comes in
    limit[curves] = high[drawn]
    past = centre_of_point >= np.repeat(limit, sizes)
    centre_of_point += np.repeat(arrival, sizes)  # now the entry each point comes in at
    centre_of_point[past] = total  # counted apart, and dropped
    bracket = np.bincount(centre_of_point, minlength=total + 1)[:total]
    del centre_of_point, past
    came_in = np.add.reduceat(bracket, first_entry)  # per curve
    base = first - 1 - (np.cumsum(came_in) - came_in)
    bracket[first_entry] += np.diff(base, prepend=0)
    np.cumsum(bracket, out=bracket)
    # heights = slope * (centre - xj) + yj, in two arrays: the centres' and one for xj, the
    # slope and yj in turn
    heights = pixel_x.take(columns)
    term = x.take(bracket)
    # np.interp gives dy[j] where the centre is dx[j], and where j is the last point (whose x is
    # then the centre too: no column lies right of a curve's last x)
    on_point = term == heights
    with np.errstate(all="ignore"):
        heights -= term
        # np.interp's slopes: (dy[j+1] - dy[j]) / (dx[j+1] - dx[j]); a curve's last has none
        slopes = np.diff(y)
        slopes /= np.diff(x)
        slopes.take(bracket, mode="clip", out=term)
        heights *= term
        y.take(bracket, out=term)
        heights += term
        retry = np.flatnonzero(np.isnan(heights) & ~on_point)
        if retry.size:  # np.interp: "if we get nan in one direction, try the other"
            j = bracket[retry]
            yj, xk, yk = y[j], x[j + 1], y[j + 1]
            again = slopes[j] * (pixel_x[columns[retry]] - xk) + yk
            level = np.isnan(again) & (yj == yk)
            again[level] = yj[level]
            heights[retry] = again
    np.copyto(heights, term, where=on_point)
    return columns, heights, first_entry


def _first_centre_at_or_right(x: np.ndarray, pixel_x: np.ndarray, x0: float, x_span: float) -> np.ndarray:
    """``np.searchsorted(pixel_x, x, "left")`` for finite xs over ascending, evenly spaced pixel
    centres: computed from the spacing, then moved a column at a time where rounding put it one
    off (searching 60,000 xs cost more than the rest of drawing them)."""
    width_px = len(pixel_x)
    with np.errstate(all="ignore"):
        guess = np.subtract(x, x0)  # ceil((x - x0) / x_span * width_px - 0.5), in one array
        guess /= x_span
        guess *= width_px
        guess -= 0.5
        np.ceil(guess, out=guess)
    np.clip(guess, 0, width_px, out=guess)
    column = guess.astype(np.intp)
    padded = np.concatenate(([-np.inf], pixel_x, [np.inf]))  # padded[c] is centre c - 1
    padded.take(column, out=guess)
    wrong = guess >= x  # centre c - 1 is at or right of x
    padded[1:].take(column, out=guess)
    wrong |= guess < x  # centre c is left of x
    del guess
    moving = np.flatnonzero(wrong)
    while moving.size:  # each pass moves every wrong column one closer to its place
        at, point = column[moving], x[moving]
        at += padded[at + 1] < point
        at -= padded[at] >= point
        column[moving] = at
        moving = moving[(padded[at] >= point) | (padded[at + 1] < point)]
    return column


def _drawn_alone(
    x: np.ndarray,
    y: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    curves: np.ndarray,
    x0: float,
    x_span: float,
    pixel_x: np.ndarray,
) -> _Drawn:
    """The curves ``_interpolated`` cannot take (xs that go back, pixel centres that do not
    ascend), one by one: bisected and ``np.interp``-ed as the pixel columns lie."""
    width_px = len(pixel_x)
    pixel_list = pixel_x.tolist()
    column_parts: list[np.ndarray] = []
    height_parts: list[np.ndarray] = []
    for index in curves.tolist():
        x_arr, y_arr = x[starts[index]:ends[index]], y[starts[index]:ends[index]]
        if x_arr.size == 1:
            columns = np.array([min(width_px - 1, max(0, int((x_arr[0] - x0) / x_span * width_px)))])
            heights = y_arr
        else:
            # the pixel columns whose centre lies in [first x, last x] (as bisect finds them)
            low = bisect.bisect_left(pixel_list, float(x_arr[0]))
            high = bisect.bisect_right(pixel_list, float(x_arr[-1]))
            if high <= low:
                continue
            columns = np.arange(low, high)
            heights = np.interp(pixel_x[low:high], x_arr, y_arr)
        column_parts.append(columns)
        height_parts.append(heights)
    if not column_parts:
        return _NONE_DRAWN
    runs = np.cumsum([0] + [len(part) for part in column_parts[:-1]])
    return np.concatenate(column_parts), np.concatenate(height_parts), runs


def braille_rows(mask: np.ndarray) -> list[str]:
    """The mask as braille text, one string per 4 pixel rows (cells with no dot are blank)."""
    height_px, width_px = mask.shape
    rows, cols = -(-height_px // 4), -(-width_px // 2)
    padded = np.zeros((rows * 4, cols * 2), dtype=bool)
    padded[:height_px, :width_px] = mask
    cells = padded.reshape(rows, 4, cols, 2)
    codes = np.einsum("rycx,yx->rc", cells.astype(np.int32), _BRAILLE_BITS)
    lines = []
    for code_row in codes:
        lines.append("".join(" " if code == 0 else chr(BRAILLE_BASE + int(code)) for code in code_row))
    return lines


def value_range(arrays: Sequence[Sequence[float] | np.ndarray], *, pad: float = 0.05) -> tuple[float, float]:
    """The finite min and max over ``arrays``, widened by ``pad`` of the span; (0, 1) if empty."""
    finite = [np.asarray(a, dtype=float) for a in arrays]
    finite = [a[np.isfinite(a)] for a in finite if len(a)]
    finite = [a for a in finite if a.size]
    if not finite:
        return (0.0, 1.0)
    low = min(float(a.min()) for a in finite)
    high = max(float(a.max()) for a in finite)
    span = high - low if high > low else max(abs(high), 1.0) * 0.1
    return (low - pad * span, high + pad * span)


def smooth_ema(values: Sequence[float] | np.ndarray, weight: float = 0.9) -> np.ndarray:
    """Training loss smoothed as TensorBoard and W&B smooth it: an exponential moving average with
    the start-up bias removed (so the first points are not pulled towards 0). Non-finite values
    are skipped: they keep the running average and come out as NaN, so a diverged step shows as a
    gap rather than poisoning every later point."""
    data = np.asarray(values, dtype=float)
    out = np.full(data.shape, np.nan)
    if not 0.0 <= weight < 1.0:
        raise ValueError(f"weight must be in [0, 1), not {weight}")
    average, seen = 0.0, 0
    for index, value in enumerate(data):
        if not np.isfinite(value):
            continue
        average = weight * average + (1.0 - weight) * value
        seen += 1
        out[index] = average / (1.0 - weight**seen)
    return out
