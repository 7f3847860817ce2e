"""Figures 6 and 7: the early-stopping planner's best setting per budget, and how much of the
baseline's error it removes."""

from __future__ import annotations

from typing import Any

import numpy as np

from seedtui.report.figure import CannotDraw, Drawn, FigureSpec, metric_label
from seedtui.report.inputs import ReportInputs
from seedtui.report.render import new_figure


def _rows(inputs: ReportInputs) -> list[Any]:
    if not inputs.plan_rows:
        reason = inputs.unavailable.get("planner", "the planner returned no settings")
        raise CannotDraw(f"The early-stopping planner is undefined here: {reason}.")
    return inputs.plan_rows


def _column(rows: list[Any], name: str) -> np.ndarray:
    return np.array([np.nan if getattr(r, name) is None else float(getattr(r, name)) for r in rows])


def draw_settings(inputs: ReportInputs) -> Drawn:
    rows = _rows(inputs)
    budget = _column(rows, "budget")
    figure = new_figure(6.4, 5.2)
    panels = figure.subplots(3, 1, sharex=True)
    for axes, name, label, colour in (
        (panels[0], "t", "t: trials started", "#0072B2"),
        (panels[1], "p", "p: trials trained fully", "#D55E00"),
        (panels[2], "f", "f: fraction trained\nbefore deciding", "#009E73"),
    ):
        axes.plot(budget, _column(rows, name), marker="o", markersize=3, color=colour, drawstyle="default")
        axes.set_ylabel(label)
    panels[2].set_ylim(0, 1)
    panels[2].set_xlabel("budget B (full trainings)")
    return Drawn(figure, note=f"Budgets {int(budget[0])} .. {int(budget[-1])}.")


def draw_error_reduction(inputs: ReportInputs) -> Drawn:
    rows = _rows(inputs)
    budget = _column(rows, "budget")
    figure = new_figure(8.8, 3.6)
    left, right = figure.subplots(1, 2)
    left.plot(budget, _column(rows, "relative_error_reduction"), marker="o", markersize=3, color="#0072B2")
    left.axhline(0, color="#777777", linewidth=0.8)
    left.set_xlabel("budget B (full trainings)")
    left.set_ylabel("relative error reduction")
    left.set_title("gain of early stopping over training B trials fully")
    best, sd = _column(rows, "expected_best"), _column(rows, "sd")
    right.fill_between(budget, best - sd, best + sd, color="#0072B2", alpha=0.15, linewidth=0)
    right.plot(budget, best, color="#0072B2", label="best early-stopping setting")
    right.plot(budget, _column(rows, "baseline"), color="#D55E00", linestyle="--",
               label="B trials trained fully")
    right.set_xlabel("budget B (full trainings)")
    right.set_ylabel(f"expected best {metric_label(inputs)}")
    right.legend(loc="best")
    grid = inputs.grid
    note = ""
    if grid is not None and not grid.greater_is_better:
        note = "For this lower-is-better metric the score is the error: (baseline − best) / baseline."
    return Drawn(figure, note=note)


SETTINGS_SPEC = FigureSpec(
    key="fig-planner-settings",
    title="Best early-stopping setting per budget",
    paper_figure="Figure 6",
    caption=(
        "For each budget of B full trainings: start t trials, evaluate them up to a fraction f of "
        "training, keep the p with the best score so far and train those to the end (cost "
        "t·f + p·(1 − f) = B). Shown is the (t, f, p) with the highest expected best-found score, "
        "computed exactly (not by sampling) by seedtui's planner over every t <= 200 and every "
        "evaluation point, from the trials' validation curves."
    ),
    draw=draw_settings,
)
ERROR_REDUCTION_SPEC = FigureSpec(
    key="fig-planner-gain",
    title="What early stopping gains",
    paper_figure="Figure 7",
    caption=(
        "Left: relative error reduction of the best early-stopping setting against training B "
        "trials fully, ((1 − baseline) − (1 − best)) / (1 − baseline). Right: the two expected "
        "best-found scores, with ± one standard deviation of the early-stopping result."
    ),
    draw=draw_error_reduction,
)
