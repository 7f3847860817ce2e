"""``seedtui stats`` (every statistic of a sweep) and ``seedtui plan`` (the exact t/f/p planner).

Both read any directory tree of trial logs and need neither torch nor Textual.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from seedtui.cli.app import app

if TYPE_CHECKING:
    from seedtui.core.stats.grid import SeedGrid


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"seedtui: {message}", err=True)
    return typer.Exit(code)


def _load_grid(directory: Path, include_incomplete: bool) -> SeedGrid:
    """The grid of the logs under ``directory``; exits 2 with a reason when there is none."""
    from seedtui.log import iter_event_files

    if not directory.exists():
        raise _fail(f"{directory} does not exist")
    if not any(iter_event_files(directory)):
        raise _fail(f"no trial logs (events.jsonl) under {directory}")
    # Imported only now: numpy and scipy take most of a short run's time.
    from seedtui.core.stats.grid import build_grid
    from seedtui.state import load_trials

    grid = build_grid(load_trials(directory, skip_train=True), include_incomplete=include_incomplete)
    if grid.n_trials == 0:
        reasons = "; ".join(f"{trial}: {reason}" for trial, reason in grid.excluded[:5])
        more = f" (and {len(grid.excluded) - 5} more)" if len(grid.excluded) > 5 else ""
        raise _fail(f"no usable trials under {directory}: {reasons}{more}")
    return grid


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, allow_nan=False) + "\n")


@app.command()
def stats(
    directory: Annotated[
        Path, typer.Argument(help="A sweep directory, or any directory tree of trial logs.")
    ],
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of tables.")
    ] = False,
    include_incomplete: Annotated[
        bool,
        typer.Option(
            "--include-incomplete",
            help="Also use trials that did not complete (stopped, failed, running...).",
        ),
    ] = False,
    bootstrap: Annotated[
        int,
        typer.Option("--bootstrap", min=0, help="Crossed-bootstrap replicates for 95% intervals (0: none)."),
    ] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap and permutation tests.")] = 0,
) -> None:
    """Statistics of a seed sweep after Dodge et al. (2020): expected validation performance, seed
    standard deviations, best-vs-worst seed ANOVA with two-way and permutation tests, variance
    components and the correlation of each eval with the final one."""
    from seedtui.core.engine.config_table import seed_problem
    from seedtui.core.stats.summary import summarize_grid

    if (problem := seed_problem(seed)) is not None:
        raise _fail(f"--seed {problem}")
    grid = _load_grid(directory, include_incomplete)
    summary = summarize_grid(grid, bootstrap=bootstrap, seed=seed)
    if json_output:
        _print_json(summary)
        return
    from rich.console import Console

    from seedtui.core.stats.tables import stats_report

    console = Console()
    for renderable in stats_report(summary, str(directory)):
        console.print(renderable)


def parse_budgets(text: str) -> list[int]:
    """'1-30' -> 1..30; '1,2,5' -> [1, 2, 5]; '3' -> [3]; mixtures like '1-3,8' work too (read by
    the config's seed-range reader, so both accept the same text)."""
    from seedtui.core.engine.config import parse_int_ranges

    budgets = parse_int_ranges(text, "--budgets")
    if not budgets or min(budgets) < 1:
        raise ValueError(f"budgets {text!r} must be positive whole numbers of full trainings")
    return sorted(set(budgets))


@app.command()
def plan(
    directory: Annotated[
        Path, typer.Argument(help="A sweep directory, or any directory tree of trial logs.")
    ],
    budget: Annotated[
        int | None, typer.Option("--budget", min=1, help="One budget, in full trainings.")
    ] = None,
    budgets: Annotated[
        str | None,
        typer.Option("--budgets", help="Budgets to plan, e.g. 1-30 or 1,2,5 (default: 1-30, capped at the "
                     "number of logged trials unless --max-t is given)."),
    ] = None,
    t: Annotated[int | None, typer.Option("--t", min=1, help="Evaluate one setting: trials started.")] = None,
    f: Annotated[
        float | None,
        typer.Option(
            "--f", help="Evaluate one setting: fraction of training before the decision (a multiple of 1/E)."
        ),
    ] = None,
    p: Annotated[
        int | None, typer.Option("--p", min=0, help="Evaluate one setting: trials continued.")
    ] = None,
    max_t: Annotated[
        int | None,
        typer.Option("--max-t", min=1, help="Largest t the planner considers (default: the number N of "
                     "logged trials, as in the paper; above N is extrapolation, marked as such)."),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of a table.")
    ] = False,
    without_replacement: Annotated[
        bool,
        typer.Option(
            "--without-replacement", help="Draw distinct trials (t at most the number of logged trials)."
        ),
    ] = False,
    budget_at_most: Annotated[
        bool,
        typer.Option(
            "--budget-at-most", help="Allow settings that cost less than the budget, not only exactly it."
        ),
    ] = False,
    include_incomplete: Annotated[
        bool, typer.Option("--include-incomplete", help="Also use trials that did not complete.")
    ] = False,
    simulate: Annotated[
        int,
        typer.Option(
            "--simulate", min=0, help="With --t/--f/--p: also a Monte-Carlo estimate from this many draws."
        ),
    ] = 0,
) -> None:
    """The best early-stopping setting (t trials started, the p best continued after a fraction f
    of training) for each budget, computed exactly from the logged curves; or, with --t/--f/--p,
    the expected result of one setting."""
    from seedtui.core.stats.planner import default_budgets
    from seedtui.core.stats.planner import plan as plan_budgets

    grid = _load_grid(directory, include_incomplete)
    curves = grid.curves
    evals = curves.shape[1]
    if evals < 2:
        raise _fail("planning needs at least 2 evals per trial")
    replacement = not without_replacement
    if t is not None or f is not None or p is not None:
        _one_setting(grid, t, f, p, replacement, json_output, simulate)
        return
    try:
        if budget is not None:
            chosen = [budget]
        elif budgets is not None:
            chosen = parse_budgets(budgets)
        else:
            chosen = default_budgets(grid.n_trials if max_t is None else max(max_t, grid.n_trials))
        rows = plan_budgets(
            curves,
            chosen,
            max_t=max_t,
            greater_is_better=grid.greater_is_better,
            replacement=replacement,
            budget_at_most=budget_at_most,
        )
    except ValueError as error:
        raise _fail(str(error)) from None
    payload = {
        "metric": grid.metric,
        "greater_is_better": grid.greater_is_better,
        "n_trials": grid.n_trials,
        "evals": evals,
        "replacement": replacement,
        "budget_at_most": budget_at_most,
        "max_t": grid.n_trials if max_t is None else max_t,
        "budgets": [row.to_dict() for row in rows],
    }
    if json_output:
        from seedtui.core.stats.summary import to_json_safe

        _print_json(to_json_safe(payload))
        return
    from rich.console import Console

    from seedtui.core.stats.tables import plan_table

    console = Console()
    console.print(
        f"{grid.n_trials} trials x {evals} evals; draws "
        f"{'with' if replacement else 'without'} replacement; cost = t*f + p*(1-f) full trainings"
    )
    console.print(plan_table(payload["budgets"], grid.metric))
    if any(row.extrapolated for row in rows):
        console.print(f"* extrapolated: t above the {grid.n_trials} logged trials (draws repeat trials)")


def _one_setting(
    grid: SeedGrid,
    t: int | None,
    f: float | None,
    p: int | None,
    replacement: bool,
    json_output: bool,
    simulate: int,
) -> None:
    from seedtui.core.stats.early_stopping import expected_best_tfp, simulate_tfp
    from seedtui.core.stats.summary import to_json_safe

    if t is None or f is None or p is None:
        raise _fail("evaluating one setting needs all of --t, --f and --p")
    from seedtui.policy.tfp_rule import TfpError, snap_fraction, snap_note

    evals = grid.curves.shape[1]
    try:
        milestone = snap_fraction(f, evals)
    except TfpError as error:
        raise _fail(f"--f: {error.message}") from None
    k = milestone.k
    note = snap_note(f, milestone)
    if note is not None:
        typer.echo(f"note: {note}", err=True)
    try:
        mean, sd = expected_best_tfp(
            grid.curves, t, k, p, greater_is_better=grid.greater_is_better, replacement=replacement
        )
        result: dict[str, Any] = {
            "t": t,
            "f": k / evals,
            "k": k,
            "p": p,
            "cost": (t * k + p * (evals - k)) / evals,
            "expected_best": mean,
            "sd": sd,
        }
        if simulate:
            sim_mean, sim_sd = simulate_tfp(
                grid.curves,
                t,
                k,
                p,
                draws=simulate,
                rng=0,
                greater_is_better=grid.greater_is_better,
                replacement=replacement,
            )
            result["monte_carlo"] = {
                "draws": simulate,
                "mean": sim_mean,
                "sd": sim_sd,
                "standard_error": sim_sd / simulate**0.5,
            }
    except ValueError as error:
        raise _fail(str(error)) from None
    if json_output:
        _print_json(to_json_safe({"metric": grid.metric, "setting": result}))
        return
    typer.echo(
        f"t={t} f={k}/{evals} p={p} (cost {result['cost']:.3f} full trainings): expected best "
        f"{grid.metric} {mean:.4f} ± {sd:.4f} (sd over draws)"
    )
    if simulate:
        mc = result["monte_carlo"]
        typer.echo(
            f"Monte-Carlo ({simulate} draws): {mc['mean']:.4f} ± {mc['sd']:.4f} "
            f"(standard error of the mean {mc['standard_error']:.5f})"
        )
