"""Figure 1: expected validation performance against the budget n, per evaluation regime."""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from seedtui.report.arrays import float_array
from seedtui.report.figure import (
    PALETTE,
    CannotDraw,
    Drawn,
    FigureSpec,
    metric_label,
    require_summary,
)
from seedtui.report.inputs import ReportInputs
from seedtui.report.render import new_figure

REGIMES = (
    ("every_eval", "best over every evaluation"),
    ("per_epoch", "best over end-of-epoch evaluations"),
    ("end_only", "last evaluation only"),
)


def draw(inputs: ReportInputs) -> Drawn:
    summary = require_summary(inputs)
    evp = summary.get("evp") or {}
    figure = new_figure(6.4, 4.0)
    axes = figure.add_subplot()
    handles: list[Line2D | Patch] = []
    largest_n = 0
    for colour, (regime, label) in zip(PALETTE, REGIMES, strict=False):
        curve = evp.get(regime)
        if not curve:
            continue
        budget = float_array(curve.get("n"))
        mean, sd = float_array(curve.get("mean")), float_array(curve.get("sd"))
        unbiased = float_array(curve.get("mean_unbiased"))
        if budget.size < 2 or not np.isfinite(mean).any():
            continue
        largest_n = max(largest_n, int(budget[-1]))
        axes.fill_between(budget, mean - sd, mean + sd, color=colour, alpha=0.12, linewidth=0)
        axes.plot(budget, mean, color=colour, linewidth=1.6)
        if unbiased.size == budget.size:
            axes.plot(budget, unbiased, color=colour, linewidth=1.1, linestyle="--")
        handles.append(Line2D([], [], color=colour, linewidth=1.6, label=label))
    if not handles:
        raise CannotDraw("Expected validation performance needs at least 2 trials (a budget of n >= 2).")
    handles.append(Line2D([], [], color="#333333", linestyle="--", linewidth=1.1,
                          label="unbiased (without replacement)"))
    handles.append(Patch(color="#333333", alpha=0.15, label="expected best ± 1 sd"))
    if largest_n > 10:
        axes.set_xscale("log")
    axes.set_xlabel("budget n (trials trained, best one kept)")
    axes.set_ylabel(f"expected best {metric_label(inputs)}")
    axes.legend(handles=handles, loc="best")
    return Drawn(figure, note=f"N = {largest_n} trials.")


SPEC = FigureSpec(
    key="fig-evp",
    title="Expected validation performance",
    paper_figure="Figure 1",
    caption=(
        "Expected best score when n trials are trained and the best one is kept, for n = 1 .. N, "
        "under three evaluation regimes: the best over every evaluation, over the evaluations that "
        "end each epoch, and the last evaluation only. Solid lines: the expected best (the maximum; "
        "the minimum when lower is better) of n draws with replacement from the N trials' scores "
        "(Dodge et al. 2019); band: ± one standard deviation of that best-of-n score (its spread, "
        "not a standard error); dashed: the unbiased estimator for n draws without replacement."
    ),
    draw=draw,
)
