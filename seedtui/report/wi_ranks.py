"""WI seeds ranked across sweeps (the paper's section 4.3), for a report on a folder of sweeps.

The comparison is ``seedtui compare``'s (``seedtui.core.stats.wi_comparison``); the figure draws each
common WI seed's rank in each sweep as a line, best at the top, and the caption gives Kendall's W
and its tests. A report on one sweep has no such figure.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib
import numpy as np

from seedtui.core.stats.wi_comparison import ComparisonError, WiComparison, compare_sweeps
from seedtui.report.figure import PALETTE, CannotDraw, Drawn, FigureSpec
from seedtui.report.inputs import ReportInputs
from seedtui.report.render import new_figure


def folder_specs(sweep_dir: Path) -> tuple[FigureSpec, ...]:
    """The extra figure of a report on a folder holding 2 or more sweeps; none for one sweep."""
    from seedtui.state import find_sweeps

    return (SPEC,) if len(find_sweeps(sweep_dir)) >= 2 else ()


def draw(inputs: ReportInputs) -> Drawn:
    from seedtui.state import find_sweeps

    try:
        comparison = compare_sweeps(find_sweeps(inputs.sweep_dir), seed=inputs.seed, from_folder=True)
    except ComparisonError as error:
        raise CannotDraw(f"The WI seeds cannot be compared across these sweeps: {error}.") from None
    table = comparison.table
    sweeps, seeds = len(table.sweeps), len(table.wi_seeds)
    figure = new_figure(min(3.5 + 1.3 * sweeps, 11.0), min(2.5 + 0.3 * seeds, 9.0))
    axes = figure.add_subplot()
    many = matplotlib.colormaps["tab20"]
    colours = PALETTE if seeds <= len(PALETTE) else [many(i % 20) for i in range(seeds)]
    positions = np.arange(sweeps)
    for column, seed in enumerate(table.wi_seeds):
        label = f"WI {seed} (mean rank {table.mean_rank[column]:.2f})"
        axes.plot(positions, table.ranks[:, column], marker="o", color=colours[column], label=label)
    names = zip(table.sweeps, comparison.metrics, strict=True)
    axes.set_xticks(positions, [f"{name}\n{metric}" for name, metric in names])
    axes.set_yticks(np.arange(1, seeds + 1))
    axes.set_ylim(seeds + 0.5, 0.5)  # rank 1 (the best) at the top
    axes.set_ylabel("rank of the WI seed's mean best-found score")
    axes.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize="small")
    return Drawn(figure, note=_agreement_note(comparison))


def _agreement_note(comparison: WiComparison) -> str:
    agreement = comparison.agreement
    parts = [f"Here: {len(comparison.table.wi_seeds)} common WI seeds over {len(comparison.table.sweeps)} "
             f"sweeps; Kendall's W = {_number(agreement.kendall_w)}"]
    if math.isfinite(agreement.friedman.p):
        parts.append(f"Friedman p = {_number(agreement.friedman.p)}")
    parts.append(f"permutation p = {_number(agreement.permutation.p)} ({agreement.permutation.n:,} shuffles)")
    note = ", ".join(parts) + "."
    if comparison.left_out:
        note += " Left out: " + "; ".join(comparison.left_out) + "."
    return note


def _number(value: float) -> str:
    return f"{value:.4f}" if math.isfinite(value) else "undefined"


SPEC = FigureSpec(
    key="fig-wi-ranks",
    title="Weight-initialization seeds ranked across sweeps",
    paper_figure="Section 4.3",
    caption=(
        "For the WI seeds common to every sweep of the folder, each seed's rank (1 = best) by its mean "
        "best-found score over data-order seeds, in each sweep's metric direction, ties sharing their "
        "mean rank. A WI seed draws the same classification head in every sweep (the start events say "
        "the heads match). Kendall's W (tie-corrected) measures how alike the sweeps rank the seeds "
        "(0 = no agreement, 1 = the same order); the Friedman test and a permutation test of W that "
        "shuffles the seeds within each sweep ask whether that agreement is more than chance, as in "
        "`seedtui compare`."
    ),
    draw=draw,
)
