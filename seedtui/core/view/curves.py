"""Curves as pixels: downsampling, sparklines and a braille raster.

A terminal cell holds a 2 x 4 braille dot pattern, so a plot of ``cols x rows`` cells is a
``(4 rows) x (2 cols)`` pixel mask. Curves are rasterized with numpy (one interpolation per pixel
column, plus a vertical fill so steep segments stay connected), which keeps drawing 625 faint
curves behind the selected one to a few milliseconds.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Sequence

import numpy as np

SPARK_CHARS = "▁▂▃▄▅▆▇█"
_SPARK_ARRAY = np.array(list(SPARK_CHARS))
BRAILLE_BASE = 0x2800
# Bit of each dot in a braille cell, indexed [row within cell][column within cell].
_BRAILLE_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.int32)


def downsample_mean(values: Sequence[float] | np.ndarray, buckets: int) -> np.ndarray:
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
    values: Sequence[float] | np.ndarray, width: int, *, low: float | None = None, high: float | None = None
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

    Each curve is (xs ascending, ys); non-finite ys are dropped; a curve is drawn only over the
    x interval it covers.
    """
    mask = np.zeros((height_px, width_px), dtype=bool)
    if width_px <= 0 or height_px <= 0:
        return mask
    x0, x1 = x_range
    y0, y1 = y_range
    x_span = (x1 - x0) or 1.0
    y_span = (y1 - y0) or 1.0
    pixel_x = x0 + (np.arange(width_px) + 0.5) / width_px * x_span
    pixel_list = pixel_x.tolist()
    # per curve only what needs its own x: the pixel columns it covers and its heights there;
    # rows and the steep-segment fills are computed for every curve at once
    column_parts: list[np.ndarray] = []
    height_parts: list[np.ndarray] = []
    for xs, ys in curves:
        x_arr = np.asarray(xs, dtype=float)
        y_arr = np.asarray(ys, dtype=float)
        keep = np.isfinite(x_arr) & np.isfinite(y_arr)
        if not keep.all():
            x_arr, y_arr = x_arr[keep], y_arr[keep]
        if x_arr.size == 0:
            continue
        if x_arr.size == 1:
            columns = np.array([min(width_px - 1, max(0, int((x_arr[0] - x0) / x_span * width_px)))])
            heights = y_arr
        else:
            # the pixel columns whose centre lies in [first x, last x] (pixel_x ascends)
            low = bisect.bisect_left(pixel_list, float(x_arr[0]))
            high = bisect.bisect_right(pixel_list, float(x_arr[-1]))
            if high <= low:
                continue
            columns = np.arange(low, high)
            heights = np.interp(pixel_x[low:high], x_arr, y_arr)
        column_parts.append(columns)
        height_parts.append(heights)
    if not column_parts:
        return mask
    columns = np.concatenate(column_parts)
    heights = np.concatenate(height_parts)
    rows = np.clip(((y1 - heights) / y_span * height_px).astype(int), 0, height_px - 1)
    mask[rows, columns] = True
    # Fill between neighbouring columns of one curve so a steep segment reads as a line, not dots:
    # rows min..max-1 of the two, in the left one's column.
    lengths = np.fromiter((len(part) for part in column_parts), dtype=np.int64, count=len(column_parts))
    same_curve = np.ones(len(rows) - 1, dtype=bool)
    same_curve[np.cumsum(lengths)[:-1] - 1] = False
    steep = (np.abs(np.diff(rows)) > 1) & same_curve
    if steep.any():
        left, right = rows[:-1][steep], rows[1:][steep]
        # every fill at once: +1 where a run starts, -1 where it stops, summed down
        starts = np.zeros((height_px + 1, width_px), dtype=np.int32)
        fill_columns = columns[:-1][steep]
        np.add.at(starts, (np.minimum(left, right), fill_columns), 1)
        np.add.at(starts, (np.maximum(left, right), fill_columns), -1)
        mask |= np.cumsum(starts, axis=0)[:height_px] > 0
    return mask


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
