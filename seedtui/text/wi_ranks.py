"""The WI-seeds-across-sweeps table and its tests of agreement, as Rich renderables.

``seedtui compare`` prints it and the TUI's compare screen shows it, so both say the same thing.
"""

from __future__ import annotations

import math

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from seedtui.core.stats.tables import fmt
from seedtui.core.stats.wi_comparison import WiComparison

SIGNIFICANCE = 0.05


def rank_label(rank: float) -> str:
    """A rank as a whole number, or with its half when tied ranks were averaged."""
    return str(int(rank)) if float(rank).is_integer() else f"{rank:g}"


def ranks_table(comparison: WiComparison) -> Table:
    """One row per common WI seed: its mean best-found score (rank) in each sweep, its mean rank."""
    table_data = comparison.table
    table = Table(title="WI seeds across sweeps: mean best-found score over DO seeds (rank, 1 = best)")
    table.add_column("WI seed", justify="right")
    for name, metric in zip(table_data.sweeps, comparison.metrics, strict=True):
        table.add_column(f"{name}\n{metric}", justify="right")
    table.add_column("mean rank", justify="right")
    for column, seed in enumerate(table_data.wi_seeds):
        cells = [
            f"{fmt(float(table_data.mean_best[row, column]))} ({rank_label(table_data.ranks[row, column])})"
            for row in range(len(table_data.sweeps))
        ]
        table.add_row(str(seed), *cells, f"{table_data.mean_rank[column]:.2f}")
    return table


def agreement_lines(comparison: WiComparison) -> Text:
    """The head check, Kendall's W, the Friedman and permutation tests, and what they say."""
    agreement = comparison.agreement
    seeds, sweeps = len(comparison.table.wi_seeds), len(comparison.table.sweeps)
    lines = [f"left out: {reason}" for reason in comparison.left_out]
    lines += [
        f"heads: the same in every sweep ({comparison.head.describe()})",
        f"Kendall's W = {fmt(_value(agreement.kendall_w))}  (tie-corrected; 0 = no agreement, 1 = every "
        f"sweep orders the {seeds} seeds the same)",
    ]
    friedman = agreement.friedman
    if math.isfinite(friedman.statistic):
        lines.append(f"Friedman chi-square = {fmt(friedman.statistic)}, df = {seeds - 1}, "
                     f"p = {fmt(_value(friedman.p))}  ({sweeps} sweeps as blocks)")
    else:
        lines.append("Friedman test: does not apply (it needs 3 or more common seeds not all tied)")
    permutation = agreement.permutation
    lines.append(f"permutation test of W: p = {fmt(_value(permutation.p))}  ({permutation.n:,} shuffles "
                 f"of the seeds within each sweep, seed {permutation.seed})")
    lines.append(_verdict(permutation.p))
    return Text("\n".join(lines))


def _value(number: float) -> float | None:
    return number if math.isfinite(number) else None


def _verdict(p: float) -> str:
    if not math.isfinite(p):
        return "No test: every sweep ties every seed."
    if p < SIGNIFICANCE:
        return f"The sweeps agree on the order of the WI seeds more than chance would (p < {SIGNIFICANCE})."
    return (f"No evidence that the sweeps agree on the order of the WI seeds more than chance "
            f"(p >= {SIGNIFICANCE}).")


def comparison_report(comparison: WiComparison) -> RenderableType:
    """The table and the tests, as printed by ``seedtui compare`` and shown by the TUI."""
    return Group(ranks_table(comparison), agreement_lines(comparison))
