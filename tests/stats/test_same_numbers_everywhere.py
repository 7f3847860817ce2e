"""``seedtui stats --json``, the TUI's stats pane and heatmap, ``seedtui report`` and summary.json
give the same numbers for every statistic they share, on a sweep with a missing cell, a seed with
a single scored trial and exact ties between seeds' means.

Each front end is driven through the function it really uses: the CLI command in-process
(CliRunner), the TUI's worker job (``compute_summary``) and heatmap view model, the report's
inputs, tables and figure data, and the engine's end-of-sweep summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from seedtui.cli import app
from seedtui.core.engine.summary import expected_max
from seedtui.core.view.heatmap import build_heatmap
from seedtui.report.heatmap import display_order
from seedtui.report.inputs import ReportInputs, gather_inputs
from seedtui.report.seed_sd import seed_sd_groups
from seedtui.report.tables import anova_table, evp_table, fmt, seed_sd_table
from seedtui.state import load_trials
from seedtui.testing.trial_log import write_trial
from seedtui.tui.stats_jobs import compute_summary

# Best-found score per (WI, DO); None: no trial. Exact binary fractions, so equal means are equal.
# WI 1 and WI 2 tie for the worst mean (0.625); WI 4 has a single trial (the best mean, 0.875);
# DO 2 and DO 3 tie (0.625). WI 3 misses DO 3.
BEST = {
    1: {1: 0.75, 2: 0.5, 3: 0.625},
    2: {1: 0.5, 2: 0.75, 3: 0.625},
    3: {1: 0.75, 2: 0.625},
    4: {1: 0.875},
}
SHARED_KEYS = (
    "n_trials", "wi_seeds", "do_seeds", "best_trial", "missing_cells", "evp", "seed_sd", "anova",
    "two_way_anova", "permutation", "variance_components", "correlation", "correlation_with_final",
)


def _curve(wi: int, best: float) -> list[float]:
    """Four evals, the second the best: the regimes (every eval, per epoch, last) differ."""
    return [0.25 + 0.0625 * (wi % 2), best, best - 0.125, best - 0.0625]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("same") / "sweep"
    for wi, row in BEST.items():
        for do, best in row.items():
            write_trial(root, wi, do, _curve(wi, best), evals_per_epoch=2)
    return root


@pytest.fixture(scope="module")
def cli_summary(sweep: Path) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["stats", str(sweep), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def tui_summary(sweep: Path) -> dict[str, Any]:
    summary, error = compute_summary(load_trials(sweep))
    assert error is None and summary is not None
    return summary


@pytest.fixture(scope="module")
def report(sweep: Path) -> ReportInputs:
    return gather_inputs(sweep)


def test_the_sweep_has_what_the_comparison_needs(cli_summary: dict[str, Any]) -> None:
    assert cli_summary["missing_cells"] == [[3, 3], [4, 2], [4, 3]]
    assert cli_summary["n_trials"] == 9


def test_stats_tui_pane_and_report_share_one_summary(
    cli_summary: dict[str, Any], tui_summary: dict[str, Any], report: ReportInputs
) -> None:
    assert report.summary is not None
    for key in SHARED_KEYS:
        assert tui_summary[key] == cli_summary[key], key
        assert report.summary[key] == cli_summary[key], key


def test_table_3_and_figure_8_give_the_same_per_seed_sds(
    cli_summary: dict[str, Any], report: ReportInputs
) -> None:
    """WI 4 has one trial: it has no SD across DO seeds, in Table 3 as in Figure 8."""
    assert report.grid is not None
    (_, by_wi), (_, by_do) = seed_sd_groups(report.grid)
    sd = cli_summary["seed_sd"]
    assert by_wi.size == 3 and by_do.size == 3  # WI 4 has one trial: no SD; every DO seed has 2+
    assert float(by_wi.mean()) == sd["wi"]
    assert float(by_do.mean()) == sd["do"]
    assert sd["wi"] == pytest.approx(np.mean([np.std([0.75, 0.5, 0.625])] * 2 + [np.std([0.75, 0.625])]))
    rows = dict((label, value) for label, value in seed_sd_table(report).rows)
    assert rows == {"aggregated over WI": fmt(sd["wi"]), "aggregated over DO": fmt(sd["do"]),
                    "total": fmt(sd["total"])}


def test_one_ordering_by_means_in_table_4_the_tui_heatmap_and_figure_2(
    cli_summary: dict[str, Any], sweep: Path, report: ReportInputs
) -> None:
    assert report.grid is not None
    rows, columns = display_order(report.grid)  # worst first: Figure 2 draws them bottom to top
    figure_rows = [report.grid.wi_seeds[i] for i in reversed(rows)]  # top to bottom
    figure_columns = [report.grid.do_seeds[j] for j in columns]  # left to right
    heatmap = build_heatmap(load_trials(sweep), ordered_by_means=True)
    assert list(heatmap.wi_seeds) == figure_rows == [4, 3, 2, 1]  # the tie: WI 1 ranks lower
    assert list(heatmap.do_seeds) == figure_columns == [2, 3, 1]  # the tie: DO 2 ranks lower
    anova = cli_summary["anova"]
    assert (anova["wi"]["best"], anova["wi"]["worst"]) == (figure_rows[0], figure_rows[-1])
    assert (anova["do"]["best"], anova["do"]["worst"]) == (figure_columns[-1], figure_columns[0])
    table = {row[0]: row[1:3] for row in anova_table(report).rows}
    assert table == {"WI": ["4", "1"], "DO": ["1", "2"]}


def test_evp_is_the_same_in_stats_the_report_and_summary_json(
    cli_summary: dict[str, Any], report: ReportInputs
) -> None:
    means = cli_summary["evp"]["every_eval"]["mean"]
    finals = [best for row in BEST.values() for best in row.values()]
    assert [expected_max(finals, n) for n in range(1, len(finals) + 1)] == means
    by_regime = {row[0]: row[1:] for row in evp_table(report).rows}
    sd = cli_summary["evp"]["every_eval"]["sd"]
    assert by_regime["every eval"][0] == f"{fmt(means[0])} ± {fmt(sd[0])}"
