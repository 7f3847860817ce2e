"""The statistics pane's text: expected validation performance, seed variation (Table 3),
ANOVA, early-vs-final correlation, and the planner's recommendation.

Reads the JSON-like dict of ``seedtui.core.stats.summarize`` defensively: a missing key shows
as '-' rather than breaking the pane while the statistics evolve.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.table import Table
from rich.text import Text

from seedtui.core.view.curves import rasterize, value_range
from seedtui.policy.tfp_rule import format_fraction
from seedtui.tui.renderables.curves import PlotSpec, plot_lines

REGIMES = (("every_eval", "every eval"), ("per_epoch", "per epoch"), ("end_only", "end only"))


def _get(data: Any, *keys: Any) -> Any:
    for key in keys:
        if isinstance(data, dict):
            data = data.get(key)
        elif isinstance(data, (list, tuple)) and isinstance(key, int) and -len(data) <= key < len(data):
            data = data[key]
        else:
            return None
    return data


def fmt(value: Any, digits: int = 3) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "-"
    if not math.isfinite(value):
        return "nan"
    if value != 0 and abs(value) < 10**-digits:
        return f"{value:.1e}"
    return f"{value:.{digits}f}"


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def p_value(value: Any) -> str:
    """A p-value as papers print it: 3 decimals, '<0.001' below that, '-' when there is none."""
    if not _finite(value):
        return "-"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


GLOSSES = {
    "evp": "best eval / best epoch end / last eval",
    "seeds": "F, p: best vs worst seed; 2-way: WI x DO",
    "correlation": "1 = the early ranking is the final one",
}
"""One line (at most 44 columns: the stats pane's width) under each table saying what it means:
EVP's three regimes, what Table 3 and Table 4 of Dodge et al. hold, the two-way test."""


def gloss(key: str) -> Text:
    return Text(GLOSSES[key], style="dim italic")


def heading(title: str) -> Text:
    """A table's title on its own line: as a Rich table title it wrapped at the table's width."""
    return Text(title, style="bold", no_wrap=True, overflow="ellipsis")


def evp_sample_sizes(n_max: int) -> list[int]:
    """Which n the EVP table shows: 1, 2, 5, 10, 20, 50, ... up to and including ``n_max``."""
    sizes = [n for n in (1, 2, 5, 10, 20, 50, 100, 200, 500) if n < n_max]
    return sizes + ([n_max] if n_max >= 1 else [])


def evp_table(summary: dict[str, Any]) -> Table:
    table = Table(
        box=None,
        pad_edge=False,
        show_edge=False,
        padding=(0, 1),
    )
    table.add_column("n", justify="right")
    for _, label in REGIMES:
        table.add_column(label, justify="right")
    ns = _get(summary, "evp", "every_eval", "n") or _get(summary, "evp", "end_only", "n") or []
    for n in evp_sample_sizes(len(ns)):
        cells = [str(n)]
        for key, _ in REGIMES:
            regime = _get(summary, "evp", key) or {}
            index = list(regime.get("n", [])).index(n) if n in list(regime.get("n", [])) else None
            if index is None:
                cells.append("-")
                continue
            cells.append(f"{fmt(_get(regime, 'mean', index))}±{fmt(_get(regime, 'sd', index))}")
        table.add_row(*cells)
    return table


def evp_plot(summary: dict[str, Any], width: int, height: int) -> list[Text]:
    """The every-eval EVP curve with its ±sd band drawn faint behind it."""
    regime = _get(summary, "evp", "every_eval") or {}
    ns = np.asarray(regime.get("n") or [], dtype=float)
    mean = np.asarray(regime.get("mean") or [], dtype=float)
    sd = np.asarray(regime.get("sd") or [], dtype=float)
    if ns.size < 2 or mean.size != ns.size or sd.size != ns.size or width < 20 or height < 4:
        return []
    x_range = (float(ns[0]), float(ns[-1]))
    y_range = value_range([mean - sd, mean + sd])
    px_w, px_h = (width - 7) * 2, (height - 2) * 4
    band = rasterize([(ns, mean - sd), (ns, mean + sd)], x_range, y_range, px_w, px_h)
    spec = PlotSpec("EVP (every eval) ± sd", x_range, y_range, band, (ns, mean), color="cyan")
    lines = plot_lines(spec, width, height)
    lines[-1] = Text(lines[-1].plain.replace("epochs", "trials"), style="dim")
    for line in lines:  # a plot line that wraps garbles the whole chart: crop it instead
        line.no_wrap, line.overflow = True, "crop"
    return lines


def seed_table(summary: dict[str, Any]) -> Table:
    table = Table(
        box=None,
        pad_edge=False,
        show_edge=False,
        padding=(0, 1),
    )
    for name in ("", "sd", "F", "p", "p 2-way"):
        table.add_column(name, justify="right" if name else "left")
    for key, label in (("wi", "WI"), ("do", "DO")):
        f_value = _get(summary, "anova", key, "F")
        table.add_row(
            label,
            fmt(_get(summary, "seed_sd", key), 4),
            fmt(f_value, 2),
            # without an F (too few groups, no variance) its p means nothing: a 0.000 beside a '-'
            # read as highly significant
            p_value(_get(summary, "anova", key, "p")) if _finite(f_value) else "-",
            p_value(_get(summary, "two_way_anova", key, "p")),
        )
    table.add_row("total", fmt(_get(summary, "seed_sd", "total"), 4), "", "", "")
    return table


def correlation_text(summary: dict[str, Any], limit: int = 4) -> Text:
    text = Text("early vs final (Spearman)\n", style="bold")
    steps: Sequence[Any] = _get(summary, "correlation_with_final", "eval_steps") or []
    rhos: Sequence[Any] = _get(summary, "correlation_with_final", "spearman") or []
    if not steps:
        return text.append("-")
    picks = sorted({round(i * (len(steps) - 1) / max(1, limit - 1)) for i in range(limit)})
    text.append("  ".join(f"step {steps[i]}: {fmt(_get(rhos, i), 2)}" for i in picks), "not bold")
    return text


def summary_renderable(
    summary: dict[str, Any] | None, *, error: str | None = None, width: int = 40, plot_height: int = 0
) -> Group:
    """Everything above the planner's input."""
    if error is not None:
        return Group(Text(error, style="dim"))
    if summary is None:
        return Group(Text("statistics: waiting for evaluations…", style="dim"))
    parts: list[Any] = []
    head = Text()
    head.append(f"{_get(summary, 'n_trials') or 0} trials", "bold")
    excluded = _get(summary, "excluded")
    if excluded:
        head.append(f"  ({len(excluded) if isinstance(excluded, list) else excluded} excluded)", "dim")
    best = _get(summary, "best_trial")
    if best is not None:
        head.append("  best ")
        head.append(str(_get(best, "trial") if isinstance(best, dict) else best), "bold")
        if isinstance(best, dict) and "score" in best:
            head.append(f" {fmt(best['score'], 4)}")
    parts.append(head)
    if plot_height:
        parts.extend(evp_plot(summary, width, plot_height))
    parts += [heading("expected best of n trials (mean±sd)"), evp_table(summary), gloss("evp"),
              heading("seed sd (Table 3), ANOVA (Table 4)"), seed_table(summary), gloss("seeds"),
              correlation_text(summary), gloss("correlation")]
    return Group(*parts)


class SummaryAtWidth:
    """The summary laid out at the width it is drawn at. A width read from the pane beforehand
    missed the vertical scrollbar that appears once the summary is taller than the pane (100x30):
    every chart line was too wide, wrapped, and garbled the chart."""

    def __init__(self, summary: dict[str, Any] | None, *, error: str | None, plot_height: int) -> None:
        self.summary, self.error, self.plot_height = summary, error, plot_height

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield summary_renderable(self.summary, error=self.error, width=max(20, options.max_width),
                                 plot_height=self.plot_height)


def _field(row: Any, name: str) -> Any:
    return row.get(name) if isinstance(row, dict) else getattr(row, name, None)


def plan_fraction(row: Any) -> str:
    """A plan row's f as the dialog takes it: ``1`` (no early stopping) or ``k/E``."""
    f, k = _field(row, "f"), _field(row, "k")
    if not isinstance(f, (int, float)) or f >= 1.0 or not isinstance(k, int) or f <= 0:
        return "1" if isinstance(f, (int, float)) and f >= 1.0 else fmt(f, 2)
    return format_fraction(f, round(k / f))


def describe_plan_row(row: Any) -> str:
    """A setting in words: 'no early stopping: train 5 fully' or 't=8, stop at f=9/30, keep p=2'."""
    t, p = _field(row, "t"), _field(row, "p")
    f = _field(row, "f")
    if isinstance(f, (int, float)) and f >= 1.0:
        return f"no early stopping: train {t} fully"
    return f"t={t} f={plan_fraction(row)} p={p}"


def gain_sentence(row: Any) -> str:
    """How the best setting compares with training ``budget`` trials fully, in words."""
    budget = _field(row, "budget")
    reduction = _field(row, "relative_error_reduction")
    if isinstance(_field(row, "f"), (int, float)) and _field(row, "f") >= 1.0:
        return f"Stopping early does not pay at this budget: train {budget} trials fully."
    if not isinstance(reduction, (int, float)) or not math.isfinite(reduction) or abs(reduction) < 0.0005:
        return f"As good as training {budget} trials fully, for the same cost."
    if reduction < 0:
        return f"No better than training {budget} trials fully."
    baseline = fmt(_field(row, "baseline"), 4)
    return f"Removes {reduction:.1%} of the error of training {budget} trials fully ({baseline})."


def plan_text(rows: Sequence[Any], budget: float | None, *, error: str | None = None) -> Text:
    """The planner's best settings for the typed budget (PlanRow objects or dicts), best first,
    each with its expected best score and its cost in full trainings, then a sentence on the gain."""
    if error is not None:
        return Text(error, style="yellow")
    if budget is None:
        return Text("Type a budget (in full trainings) and press enter.", style="dim")
    if not rows:
        return Text(f"No plan for budget {budget:g}.", style="dim")
    text = Text(f"budget {budget:g}: best settings, expected best ± sd, cost\n", style="bold")
    for rank, row in enumerate(rows[:3], start=1):
        style = "bold green" if rank == 1 else ""
        text.append(f"{rank}. {describe_plan_row(row)}", style)
        text.append(f"  {fmt(_field(row, 'expected_best'), 4)}±{fmt(_field(row, 'sd'), 4)}"
                    f"  cost {fmt(_field(row, 'cost'), 2)}\n")
    text.append(gain_sentence(rows[0]), "dim")
    return text
