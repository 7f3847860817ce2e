"""``summarize``: the JSON object of ``seedtui stats --json``, and its edge cases."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from seedtui.core.stats.evp import expected_validation_performance
from seedtui.core.stats.summary import summarize
from seedtui.state import load_trials
from seedtui.testing.trial_log import write_trial

KEYS = {
    "n_trials",
    "wi_seeds",
    "do_seeds",
    "metric",
    "evp",
    "seed_sd",
    "anova",
    "two_way_anova",
    "permutation",
    "variance_components",
    "correlation",
    "best_trial",
    "excluded",
    "missing_cells",
    "greater_is_better",
    "majority_baseline",
    "correlation_with_final",
}


def test_keys_values_and_strict_json(small_sweep: Path) -> None:
    trials = load_trials(small_sweep)
    summary = summarize(trials)
    assert KEYS <= set(summary)
    json.dumps(summary, allow_nan=False)  # no NaN anywhere
    assert (
        summary["n_trials"] == 12 and summary["wi_seeds"] == [0, 1, 2, 3] and summary["do_seeds"] == [0, 1, 2]
    )
    finals = np.array([t.best_score() for t in trials])
    evp = summary["evp"]["every_eval"]
    assert evp["n"] == list(range(1, 13))
    assert evp["mean"] == pytest.approx(expected_validation_performance(finals).mean.tolist(), abs=1e-14)
    assert set(summary["evp"]) == {"every_eval", "per_epoch", "end_only"}
    end_only = [t.eval_scores[-1] for t in trials]
    assert summary["evp"]["end_only"]["mean"][0] == pytest.approx(np.mean(end_only))
    assert len(summary["correlation"]["spearman"]) == 10 and len(summary["correlation"]["pearson"][0]) == 10
    assert summary["best_trial"]["score"] == pytest.approx(finals.max())
    assert summary["anova"]["wi"].keys() == {"best", "worst", "F", "p"}


def test_bootstrap_intervals_are_seeded_and_bracket_the_estimate(small_sweep: Path) -> None:
    trials = load_trials(small_sweep)
    first = summarize(trials, bootstrap=50, seed=1)
    assert first == summarize(trials, bootstrap=50, seed=1)
    block = first["evp"]["every_eval"]
    assert all(lo <= hi for lo, hi in zip(block["ci_low"], block["ci_high"], strict=True))
    assert block["ci_low"][0] <= block["mean"][0] <= block["ci_high"][0]
    assert len(first["variance_components"]["ci"]["wi"]) == 2


def test_single_trial(tmp_path: Path) -> None:
    write_trial(tmp_path, 0, 0, [0.5, 0.6])
    summary = summarize(load_trials(tmp_path))
    json.dumps(summary, allow_nan=False)
    assert summary["evp"]["every_eval"]["mean"] == [0.6]
    assert summary["seed_sd"] == {"wi": None, "do": None, "total": None}  # no SD of one value
    assert summary["anova"]["wi"]["F"] is None and summary["two_way_anova"]["wi"] is None
    assert summary["correlation"]["spearman"] == [[None, None], [None, None]]


def test_all_equal_scores(tmp_path: Path) -> None:
    for wi in range(3):
        for do in range(3):
            write_trial(tmp_path, wi, do, [0.5, 0.5, 0.5])
    summary = summarize(load_trials(tmp_path))
    json.dumps(summary, allow_nan=False)
    assert summary["evp"]["every_eval"]["sd"] == [0.0] * 9
    assert summary["seed_sd"]["total"] == 0.0
    assert summary["anova"]["wi"]["F"] is None and summary["two_way_anova"]["wi"]["F"] is None
    assert summary["variance_components"]["wi"] == 0.0


def test_missing_cell_and_nan_scores(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    for wi in range(3):
        for do in range(3):
            if (wi, do) != (1, 1):
                scores = list(0.6 + rng.normal(0, 0.02, 4))
                if (wi, do) == (0, 2):
                    scores[1] = float("nan")  # a diverged eval inside a completed trial
                write_trial(tmp_path, wi, do, scores)
    summary = summarize(load_trials(tmp_path))
    json.dumps(summary, allow_nan=False)
    assert summary["missing_cells"] == [[1, 1]]
    assert summary["n_trials"] == 8 and summary["evp"]["every_eval"]["n"] == list(range(1, 9))
    assert summary["two_way_anova"]["residual_df"] == 8 - 1 - 2 - 2
    assert all(value is not None for value in summary["seed_sd"].values())


def test_lower_is_better(tmp_path: Path) -> None:
    for do, scores in enumerate([[0.9, 0.4, 0.5], [0.8, 0.6, 0.3], [0.7, 0.7, 0.7]]):
        write_trial(tmp_path, 0, do, scores, metric="loss", greater_is_better=False)
    summary = summarize(load_trials(tmp_path))
    assert summary["greater_is_better"] is False
    assert summary["best_trial"] == {"trial": "wi0-do1", "score": 0.3}
    assert summary["evp"]["every_eval"]["mean_unbiased"][-1] == pytest.approx(0.3)
    assert summary["evp"]["every_eval"]["mean"][0] == pytest.approx((0.4 + 0.3 + 0.7) / 3)
    assert summary["anova"]["do"]["best"] == 1 and summary["anova"]["do"]["worst"] == 2


def test_no_usable_trials_gives_an_empty_but_valid_summary(tmp_path: Path) -> None:
    write_trial(tmp_path, 0, 0, [0.5, 0.6], status="running")  # a live sweep before anything completed
    for trials in ([], load_trials(tmp_path)):
        summary = summarize(trials)
        json.dumps(summary, allow_nan=False)
        assert summary["n_trials"] == 0 and summary["best_trial"] is None
        assert summary["evp"]["every_eval"]["mean"] == []
    assert summarize(load_trials(tmp_path), include_incomplete=True)["n_trials"] == 1
