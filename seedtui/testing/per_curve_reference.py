"""The curves pane's faint curves as they were drawn one curve at a time, before
``seedtui.core.view.curves.rasterize_many`` and ``seedtui.tui.widgets.curves.loss_curves`` drew
them all at once: the definition the batched code is tested against
(tests/tui/test_rasterize_batch.py) and the baseline bench/bench_curves.py measures it against.
Not used by the app."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np

from seedtui.core.view.curves import downsample_mean
from seedtui.state import TrialState


def per_curve_rasterize(
    curves: Sequence[tuple[Sequence[float] | np.ndarray, Sequence[float] | np.ndarray]],
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    width_px: int,
    height_px: int,
) -> np.ndarray:
    """``rasterize`` as it was before it drew every curve at once (commit 16ab106): a curve at a
    time, ``bisect`` for the pixel columns it covers, ``np.interp`` for its heights there; the steep
    segments of all curves filled together."""
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


def per_curve_loss_curve(state: TrialState, points: int) -> tuple[np.ndarray, np.ndarray]:
    """``loss_curve`` of one trial as it was: its steps and losses converted and downsampled alone."""
    per_epoch = float(state.start["steps_per_epoch"]) if state.start else 1.0
    rows = np.array((state.train_steps, state.train_losses), dtype=float)
    rows[0] /= per_epoch or 1.0
    xs, ys = downsample_mean(rows, points)
    return xs, ys
