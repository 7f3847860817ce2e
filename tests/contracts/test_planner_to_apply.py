"""What the planner recommends, every apply path accepts as it stands: the TUI dialog, the engine's
config / --t --f --p / apply_tfp check, and replay rehearsal (the sample sweeps, every budget)."""

from __future__ import annotations

from pathlib import Path

import pytest

from seedtui.core.engine.config import validate_tfp
from seedtui.core.replay import load_timeline
from seedtui.core.stats.grid import build_grid
from seedtui.core.stats.planner import default_budgets, plan
from seedtui.policy.tfp_rule import format_fraction
from seedtui.state import load_trials
from seedtui.tui.screens.tfp import TfpChoice, parse_tfp

SAMPLES = Path(__file__).resolve().parents[2] / "sample_logs"
SWEEPS = sorted(p.name for p in SAMPLES.iterdir() if (p / "trials").is_dir())


@pytest.mark.parametrize("name", SWEEPS)
def test_every_recommendation_on_a_sample_sweep_is_accepted_by_every_apply_path(name: str) -> None:
    trials = load_trials(SAMPLES / name, skip_train=True)
    grid = build_grid(trials)
    evals = grid.curves.shape[1]
    budgets = default_budgets(grid.n_trials)
    assert budgets[-1] == min(30, grid.n_trials)  # the authors' grid: budgets capped at N
    rows = plan(grid.curves, budgets, greater_is_better=grid.greater_is_better)
    no_stop = 0
    for row in rows:
        assert row.t <= grid.n_trials and 1 <= row.p <= row.t and not row.extrapolated
        # the dialog, prefilled as the TUI prefills it
        typed_f = format_fraction(row.f, evals)
        choice = parse_tfp(str(row.t), typed_f, str(row.p), max_trials=len(trials), evals=evals)
        assert isinstance(choice, TfpChoice), (row, choice)
        assert (choice.t, choice.p) == (row.t, row.p) and choice.f == pytest.approx(row.f)
        assert choice.note is None  # nothing to adjust: the planner's f is a milestone already
        # the engine: config, --t/--f/--p and a live apply_tfp all check through validate_tfp
        notes: list[str] = []
        engine = validate_tfp(row.t, row.f, row.p, grid_size=len(trials), evals=evals, notes=notes)
        assert (engine.t, engine.p) == (row.t, row.p) and engine.f == pytest.approx(row.f) and not notes
        no_stop += row.f == 1.0
    assert no_stop >= 1  # "no early stopping" is among the answers, and it is accepted

    # replay rehearsal takes the recommendation too, and decides for every compared trial
    for row in [r for r in rows if r.f < 1][-1:]:  # (a sweep of 4 completed trials has none)
        decisions = load_timeline(SAMPLES / name).apply_tfp(row.t, row.f, row.p)
        assert len(decisions) == row.t
        assert sum(d.action == "promote" for d in decisions) == row.p


def test_budgets_above_the_logged_trials_need_max_t_and_are_marked_extrapolated() -> None:
    grid = build_grid(load_trials(SAMPLES / "rte-minilm-5x5", skip_train=True))
    with pytest.raises(ValueError, match="pass --max-t to extrapolate"):
        plan(grid.curves, [30], greater_is_better=True)
    rows = plan(grid.curves, [30], max_t=200, greater_is_better=True)
    assert rows[0].t > grid.n_trials and rows[0].extrapolated
