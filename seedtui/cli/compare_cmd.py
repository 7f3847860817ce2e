"""``seedtui compare``: do weight-initialization seeds rank alike across sweeps? (section 4.3)

Reads logs only; needs neither torch nor Textual. Exit 0 with the table and the tests, 2 when the
comparison does not apply (fewer than 2 sweeps or 2 common WI seeds, different heads, no logs).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from seedtui.cli.app import app


@app.command()
def compare(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Sweep directories, or folders of sweeps (every sweep in them is compared)."),
    ],
    json_output: Annotated[bool, typer.Option("--json", help="One JSON object, not the table.")] = False,
    permutations: Annotated[int, typer.Option(min=1, help="Shuffles of the permutation test of W.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed of the permutation test.")] = 0,
) -> None:
    """Rank the WI seeds common to several sweeps (mean best-found score over DO seeds, 1 = best) and
    test whether the sweeps agree on their order: Kendall's W, the Friedman test and a permutation
    test of W that shuffles seeds within each sweep. A WI seed draws the same head in every sweep
    only if the heads match (model, labels, initialisation, read from the start events)."""
    from seedtui.core.stats.wi_comparison import ComparisonError, compare_sweeps

    try:
        comparison = compare_sweeps(paths, permutations=permutations, seed=seed)
    except ComparisonError as error:
        typer.echo(f"seedtui: {error}", err=True)
        raise typer.Exit(2) from None
    if json_output:
        sys.stdout.write(json.dumps(comparison.to_dict(), allow_nan=False) + "\n")
        return
    from rich.console import Console

    from seedtui.text.wi_ranks import comparison_report

    Console().print(comparison_report(comparison))
