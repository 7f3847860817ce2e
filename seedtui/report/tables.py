"""The report's tables as plain rows of strings (HTML escaping happens in ``html.py``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from seedtui.report.inputs import ReportInputs


@dataclass
class Table:
    key: str
    title: str
    caption: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    missing: str | None = None
    """Why the table is empty, when it is."""


def fmt(value: Any, digits: int = 4) -> str:
    """A number for a table cell: None/NaN as an en dash, small p-values in scientific notation."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "–"
        if value != 0 and abs(value) < 10 ** -(digits - 1):
            return f"{value:.2e}"
        return f"{value:.{digits}f}"
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(
        isinstance(v, (int, float)) or v is None for v in value
    ):
        return f"[{fmt(value[0], digits)}, {fmt(value[1], digits)}]"
    return str(value)


def fmt_p(value: Any) -> str:
    """A p-value; one that underflowed to 0 in floating point is shown as a bound, not as 0."""
    if isinstance(value, float) and value == 0.0:
        return "< 1e-300"
    return fmt(value)


def fmt_significant(value: Any, digits: int = 3) -> str:
    """Like ``fmt`` with ``digits`` significant digits (variances span orders of magnitude)."""
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:.{digits}g}"
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return f"[{fmt_significant(value[0], digits)}, {fmt_significant(value[1], digits)}]"
    return fmt(value)


def build_tables(inputs: ReportInputs) -> list[Table]:
    return [
        best_score_table(inputs),
        evp_table(inputs),
        seed_sd_table(inputs),
        anova_table(inputs),
        variance_components_table(inputs),
    ]


def _summary_or_reason(inputs: ReportInputs) -> tuple[dict[str, Any], str | None]:
    if inputs.summary is None:
        return {}, inputs.unavailable.get("summary", "no statistics")
    return inputs.summary, None


def best_score_table(inputs: ReportInputs) -> Table:
    table = Table(
        key="table-best",
        title="Best score (after the paper's Table 1)",
        caption=(
            "The best-found score of the sweep (each trial's best over its evaluations, then the best "
            "trial), the expected score of a single trial, and the majority-class baseline."
        ),
        header=["", "score", "note"],
    )
    summary, reason = _summary_or_reason(inputs)
    if reason is not None:
        table.missing = reason
        return table
    best = summary.get("best_trial") or {}
    evp_first = _evp_at(summary, "every_eval", 1)
    table.rows = [
        ["best found", fmt(best.get("score")), f"trial {best.get('trial', '–')}"],
        ["expected score of one trial", fmt(evp_first), "mean best-found score (EVP at n = 1)"],
        ["majority baseline", fmt(summary.get("majority_baseline")), "always the most frequent label"],
    ]
    return table


def _evp_at(summary: dict[str, Any], regime: str, n: int) -> float | None:
    curve = (summary.get("evp") or {}).get(regime) or {}
    budgets, means = curve.get("n") or [], curve.get("mean") or []
    for budget, mean in zip(budgets, means, strict=False):
        if budget == n:
            return mean if mean is None else float(mean)
    return None


EVP_TABLE_BUDGETS = (1, 5, 10, 20)


def evp_table(inputs: ReportInputs) -> Table:
    table = Table(
        key="table-evp",
        title="Expected validation performance at chosen budgets",
        caption=(
            "Expected best score of n trials (drawn with replacement) ± the sd of that best, per regime; "
            "with --bootstrap, [95% interval of the expected best] from resampling WI and DO seeds."
        ),
        header=["regime"],
    )
    summary, reason = _summary_or_reason(inputs)
    evp = summary.get("evp") or {}
    if reason is not None or not evp:
        table.missing = reason or "no expected validation performance in the statistics"
        return table
    largest = max((max(c.get("n") or [0]) for c in evp.values() if isinstance(c, dict)), default=0)
    budgets = [n for n in EVP_TABLE_BUDGETS if n < largest] + ([largest] if largest else [])
    table.header = ["regime", *[f"n = {n}" for n in budgets]]
    for regime, curve in evp.items():
        if not isinstance(curve, dict):
            continue
        pairs = zip(curve.get("mean") or [], curve.get("sd") or [], strict=False)
        by_n = dict(zip(curve.get("n") or [], pairs, strict=False))
        intervals = dict(zip(curve.get("n") or [], zip(curve.get("ci_low") or [], curve.get("ci_high") or [],
                                                        strict=False), strict=False))
        cells = []
        for n in budgets:
            mean, sd = by_n.get(n, (None, None))
            cell = f"{fmt(mean)} ± {fmt(sd)}" if mean is not None else "–"
            if n in intervals:
                cell += f" {fmt(list(intervals[n]))}"
            cells.append(cell)
        table.rows.append([regime.replace("_", " "), *cells])
    return table


def seed_sd_table(inputs: ReportInputs) -> Table:
    table = Table(
        key="table-seed-sd",
        title="Seed standard deviations (after the paper's Table 3)",
        caption=(
            "Aggregated over WI: the mean over WI seeds of the SD of their best-found scores across DO "
            "seeds; aggregated over DO: likewise with the roles swapped; total: the SD of all "
            "best-found scores (all with ddof = 0). A seed with fewer than 2 scored trials has no SD "
            "and is left out of its mean."
        ),
        header=["", "standard deviation"],
    )
    summary, reason = _summary_or_reason(inputs)
    seed_sd = summary.get("seed_sd")
    if reason is not None or not isinstance(seed_sd, dict):
        table.missing = reason or "no seed standard deviations in the statistics"
        return table
    # Table 3's own rule (seedtui.core.stats.seed_variance.seed_sd): an SD needs 2 scored values, so
    # an undefined entry is None there and explained here.
    if all(seed_sd.get(key) is None for key in ("wi", "do", "total")):
        table.missing = "a standard deviation needs at least 2 trials"
        return table
    labels = {"wi": "aggregated over WI", "do": "aggregated over DO", "total": "total"}
    needs = {
        "wi": "– (needs a WI seed with 2 scored DO seeds)",
        "do": "– (needs a DO seed with 2 scored WI seeds)",
        "total": "– (needs 2 trials)",
    }
    for key, label in labels.items():
        value = seed_sd.get(key)
        table.rows.append([label, needs[key] if value is None else fmt(value)])
    return table


def anova_table(inputs: ReportInputs) -> Table:
    table = Table(
        key="table-anova",
        title="Best vs worst seed (after the paper's Table 4), with tests over all seeds",
        caption=(
            "One-way ANOVA (scipy.stats.f_oneway) between the best and the worst seed's trials. "
            "Because the extremes are chosen first, this overstates significance; the two-way "
            "additive ANOVA over all seeds and the permutation test (seed labels shuffled within the "
            "other factor) do not."
        ),
        header=["factor", "best seed", "worst seed", "F (best vs worst)", "p (best vs worst)",
                "two-way ANOVA F", "two-way ANOVA p", "permutation p"],
    )
    summary, reason = _summary_or_reason(inputs)
    anova = summary.get("anova")
    if reason is not None or not isinstance(anova, dict):
        table.missing = reason or "no ANOVA in the statistics"
        return table
    if all(not isinstance(anova.get(f), dict) or anova[f].get("best") is None for f in ("wi", "do")):
        table.missing = "comparing seeds needs at least 2 WI or 2 DO seeds with scores"
        return table
    two_way = summary.get("two_way_anova") or {}
    permutation = summary.get("permutation") or {}
    if permutation.get("permutations"):
        count, seed = permutation["permutations"], permutation.get("seed")
        table.caption += f" Permutation test: {count} permutations, seed {seed}."
    if two_way.get("residual_df") is not None:
        table.caption += f" Two-way ANOVA residual degrees of freedom: {two_way['residual_df']}."
    for factor in ("wi", "do"):
        one_way = anova.get(factor) or {}
        two = two_way.get(factor) or {}
        table.rows.append([
            factor.upper(), fmt(one_way.get("best")), fmt(one_way.get("worst")),
            fmt(one_way.get("F")), fmt_p(one_way.get("p")), fmt(two.get("F")), fmt_p(two.get("p")),
            fmt_p(_p_value(permutation.get(factor))),
        ])
    return table


def _p_value(value: Any) -> Any:
    return value.get("p") if isinstance(value, dict) else value


VARIANCE_LABELS = {
    "wi": "σ² WI",
    "do": "σ² DO",
    "residual": "σ² residual",
    "wi_share": "share of the variance: WI",
    "do_share": "share of the variance: DO",
    "residual_share": "share of the variance: residual",
    "wi_raw": "σ² WI before truncation at 0",
    "do_raw": "σ² DO before truncation at 0",
}


def variance_components_table(inputs: ReportInputs) -> Table:
    table = Table(
        key="table-variance",
        title="Variance components",
        caption=(
            "Two-way crossed random-effects model score = μ + WI + DO + residual, one trial per cell; "
            "variances by the method of moments (ANOVA estimators), negative estimates set to 0."
        ),
        header=["component", "value", "95% CI"],
    )
    summary, reason = _summary_or_reason(inputs)
    components = summary.get("variance_components")
    if reason is not None or not isinstance(components, dict):
        table.missing = reason or "no variance components in the statistics"
        return table
    ci = components.get("ci")
    intervals: dict[str, Any] = ci if isinstance(ci, dict) else {}
    if not intervals:
        table.header = table.header[:2]
    for key, value in components.items():
        if key == "ci":
            continue
        row = [VARIANCE_LABELS.get(str(key), str(key)), fmt_significant(value)]
        if intervals:
            interval = intervals.get(key)
            row.append(fmt_significant(interval) if interval else "")
        table.rows.append(row)
    if all(value is None for key, value in components.items() if key != "ci"):
        table.missing = "needs at least 2 WI and 2 DO seeds with scores, and residual degrees of freedom"
        table.rows = []
    return table
