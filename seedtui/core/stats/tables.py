"""Rich renderables of a ``summarize`` dict and of planner rows (used by ``seedtui stats`` and
``seedtui plan``, and reusable by any front end). Pure formatting: no statistics here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

EVP_POINTS = (1, 5, 10, 20)


def fmt(value: Any, digits: int = 4) -> str:
    """A number for a table cell; '—' for None."""
    if value is None:
        return "—"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value != 0.0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
        return f"{value:.{digits - 1}e}"
    return f"{value:.{digits}f}"


def header(summary: dict[str, Any], source: str) -> RenderableType:
    """Which trials were used, which were not and why, and the holes in the grid."""
    direction = "higher is better" if summary["greater_is_better"] else "lower is better"
    lines = [
        Text.assemble(
            ("Sweep ", "bold"), source, f": task {summary['task']}, metric {summary['metric']} ({direction})"
        ),
        Text(
            f"{summary['n_trials']} trials used: {len(summary['wi_seeds'])} WI seeds x "
            f"{len(summary['do_seeds'])} DO seeds; "
            f"majority-class baseline {fmt(summary['majority_baseline'])}"
        ),
    ]
    reasons: dict[str, list[str]] = defaultdict(list)
    for item in summary["excluded"]:
        reasons[item["reason"]].append(item["trial"])
    if reasons:
        lines.append(Text(f"{len(summary['excluded'])} trials left out:", style="yellow"))
        for reason, names in sorted(reasons.items(), key=lambda kv: -len(kv[1])):
            shown = ", ".join(names[:8]) + (f", ... ({len(names) - 8} more)" if len(names) > 8 else "")
            lines.append(Text(f"  {reason}: {shown}"))
    missing = summary["missing_cells"]
    if missing:
        shown = ", ".join(f"wi{w}-do{d}" for w, d in missing[:12])
        more = f", ... ({len(missing) - 12} more)" if len(missing) > 12 else ""
        lines.append(Text(f"{len(missing)} missing grid cells: {shown}{more}", style="yellow"))
    best = summary["best_trial"]
    if best is not None:
        lines.append(Text.assemble(("Best trial: ", "bold"), f"{best['trial']} ({fmt(best['score'])})"))
    return Group(*lines)


def seed_sd_table(summary: dict[str, Any]) -> Table:
    table = Table(title="Seed standard deviations (Table 3, ddof = 0)")
    for column in ("aggregated over WI", "aggregated over DO", "total"):
        table.add_column(column, justify="right")
    sd = summary["seed_sd"]
    table.add_row(fmt(sd["wi"]), fmt(sd["do"]), fmt(sd["total"]))
    return table


def anova_table(summary: dict[str, Any]) -> Table:
    table = Table(title="Best vs worst seed (Table 4) and tests over all seeds")
    for column in ("seed", "best", "worst", "F", "p", "two-way F", "two-way p", "permutation p"):
        table.add_column(column, justify="right")
    for kind in ("wi", "do"):
        one_way = summary["anova"][kind]
        two_way = summary["two_way_anova"].get(kind) or {}
        table.add_row(
            kind.upper(),
            fmt(one_way["best"]),
            fmt(one_way["worst"]),
            fmt(one_way["F"]),
            fmt(one_way["p"]),
            fmt(two_way.get("F")),
            fmt(two_way.get("p")),
            fmt(summary["permutation"][kind]),
        )
    return table


def variance_table(summary: dict[str, Any]) -> Table:
    parts = summary["variance_components"]
    table = Table(title="Variance components (crossed random effects, method of moments)")
    for column in ("component", "variance", "share", *(["95% CI"] if "ci" in parts else [])):
        table.add_column(column, justify="right")
    for key, label in (("wi", "WI"), ("do", "DO"), ("residual", "residual (WI x DO)")):
        row = [label, fmt(parts[key], 6), fmt(parts[f"{key}_share"], 3)]
        if "ci" in parts:
            low, high = parts["ci"][key]
            row.append(f"[{fmt(low, 6)}, {fmt(high, 6)}]")
        table.add_row(*row)
    return table


def evp_table(summary: dict[str, Any]) -> Table:
    table = Table(title="Expected validation performance: mean ± sd of the best of n (unbiased mean)")
    table.add_column("n", justify="right")
    for regime in summary["evp"]:
        table.add_column(regime.replace("_", " "), justify="right")
    total = summary["n_trials"]
    points = sorted({n for n in EVP_POINTS if n <= total} | ({total} if total else set()))
    for n in points:
        cells = [str(n)]
        for block in summary["evp"].values():
            if n > len(block["n"]):
                cells.append("—")
                continue
            i = n - 1
            cell = f"{fmt(block['mean'][i])} ± {fmt(block['sd'][i])} ({fmt(block['mean_unbiased'][i])})"
            if "ci_low" in block:
                cell += f"\n[{fmt(block['ci_low'][i])}, {fmt(block['ci_high'][i])}]"
            cells.append(cell)
        table.add_row(*cells)
    return table


def correlation_table(summary: dict[str, Any]) -> Table:
    table = Table(title="Correlation across trials with the final eval")
    for column in (
        "eval",
        "step",
        "Spearman (raw)",
        "Pearson (raw)",
        "Spearman (best so far)",
        "Pearson (best so far)",
    ):
        table.add_column(column, justify="right")
    spearman, pearson = summary["correlation"]["spearman"], summary["correlation"]["pearson"]
    steps = summary["correlation"]["eval_steps"]
    with_final = summary["correlation_with_final"]
    for i in range(len(spearman)):
        table.add_row(
            str(i + 1),
            str(steps[i]) if i < len(steps) else "—",
            fmt(spearman[i][-1], 3),
            fmt(pearson[i][-1], 3),
            fmt(with_final["spearman"][i], 3),
            fmt(with_final["pearson"][i], 3),
        )
    return table


def stats_report(summary: dict[str, Any], source: str) -> list[RenderableType]:
    """Everything ``seedtui stats`` prints, in order."""
    report: list[RenderableType] = [header(summary, source)]
    if summary["n_trials"]:
        report += [
            seed_sd_table(summary),
            anova_table(summary),
            variance_table(summary),
            evp_table(summary),
            correlation_table(summary),
        ]
    return report


def plan_table(rows: Sequence[dict[str, Any]], metric: str) -> Table:
    table = Table(title=f"Best t/f/p setting per budget (exact expected best {metric})")
    for column in ("budget", "t", "f", "p", "expected best", "sd", "baseline", "error reduction"):
        table.add_column(column, justify="right")
    for row in rows:
        stopped = row["p"] < row["t"]
        reduction = row["relative_error_reduction"]
        table.add_row(
            str(row["budget"]),
            str(row["t"]) + ("*" if row.get("extrapolated") else ""),
            f"{row['f']:.3f}" if stopped else "1 (no stop)",
            str(row["p"]),
            fmt(row["expected_best"]),
            fmt(row["sd"]),
            fmt(row["baseline"]),
            "—" if reduction is None else f"{100 * reduction:.1f}%",
        )
    return table
