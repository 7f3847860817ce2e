"""Every statistic of a sweep in one JSON-serialisable object (``seedtui stats --json``).

Recomputed live by the TUI's stats pane, so it is kept fast: with ``bootstrap = 0`` a 625-trial,
30-eval sweep takes a small fraction of a second. Undefined values are None, never NaN.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from seedtui.core.direction import best_array, signed_array, sort_key
from seedtui.core.stats.anova import best_worst_anova, permutation_test, two_way_anova
from seedtui.core.stats.correlation import correlation_with_final, eval_correlations
from seedtui.core.stats.evp import bootstrap_evp_means, expected_validation_performance
from seedtui.core.stats.grid import SeedGrid, build_grid
from seedtui.core.stats.seed_variance import bootstrap_variance_components, seed_sd, variance_components
from seedtui.state import TrialState

REGIMES = ("every_eval", "per_epoch", "end_only")
DEFAULT_PERMUTATIONS = 1000


def to_json_safe(value: Any) -> Any:
    """Numbers, arrays and containers as plain JSON values, with every NaN/inf as None."""
    if isinstance(value, dict):
        return {str(k): to_json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":  # the E x E correlations: one pass in numpy, not a call a number
            plain = value.astype(object)
            plain[~np.isfinite(value)] = None
            return plain.tolist()
        return to_json_safe(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value


def regime_scores(grid: SeedGrid, regime: str) -> np.ndarray:
    """Per used trial, the score a selection regime keeps (NaN when the trial has none):

    - ``every_eval``: the best over all its evals (the paper's default);
    - ``per_epoch``: the best over the evals that end an epoch;
    - ``end_only``: its last finite eval."""
    curves = grid.curves
    if curves.size == 0:
        return np.zeros(curves.shape[0])
    if regime == "end_only":
        finite = np.isfinite(curves)
        last = curves.shape[1] - 1 - np.argmax(finite[:, ::-1], axis=1)
        return np.where(finite.any(axis=1), curves[np.arange(len(curves)), last], np.nan)
    if regime == "per_epoch":
        curves = np.where(grid.epoch_end_mask[None, :], curves, np.nan)
    elif regime != "every_eval":
        raise ValueError(f"unknown regime {regime!r}; expected one of {', '.join(REGIMES)}")
    return best_array(curves, grid.greater_is_better, axis=1)


def _evp_block(grid: SeedGrid, regime: str, bootstrap: int, rng: np.random.Generator) -> dict[str, Any]:
    scores = regime_scores(grid, regime)
    result = expected_validation_performance(scores, greater_is_better=grid.greater_is_better)
    block: dict[str, Any] = {
        "n": result.n,
        "mean": result.mean,
        "sd": result.sd,
        "mean_unbiased": result.mean_unbiased,
    }
    if bootstrap > 0 and len(result.n):
        greater = grid.greater_is_better
        signed_grid = signed_array(grid.cell_grid(scores), greater)
        means = signed_array(bootstrap_evp_means(signed_grid, result.n, bootstrap, rng), greater)
        low, high = np.nanpercentile(means, [2.5, 97.5], axis=0)
        block["ci_low"], block["ci_high"] = (low, high) if grid.greater_is_better else (high, low)
    return block


def _best_trial(grid: SeedGrid) -> dict[str, Any] | None:
    scores = regime_scores(grid, "every_eval")
    if not np.isfinite(scores).any():
        return None
    # The first of the best (in the grid's trial order), as max() over the direction's key.
    index = min(range(len(scores)), key=lambda i: sort_key(float(scores[i]), grid.greater_is_better))
    return {"trial": grid.trial_ids[index], "score": float(scores[index])}


def summarize_grid(
    grid: SeedGrid, *, bootstrap: int = 0, seed: int = 0, permutations: int = DEFAULT_PERMUTATIONS
) -> dict[str, Any]:
    """``summarize`` for an already built grid (see ``summarize``)."""
    rng = np.random.default_rng(seed)
    spearman, pearson = eval_correlations(grid.curves)
    with_final = correlation_with_final(grid.curves, grid.greater_is_better)
    components: dict[str, Any] = dict(variance_components(grid.scores))
    if bootstrap > 0:
        components["ci"] = bootstrap_variance_components(grid.scores, bootstrap, rng)
    summary = {
        "n_trials": grid.n_trials,
        "wi_seeds": grid.wi_seeds,
        "do_seeds": grid.do_seeds,
        "metric": grid.metric,
        "task": grid.task,
        "greater_is_better": grid.greater_is_better,
        "majority_baseline": grid.majority_baseline,
        "best_trial": _best_trial(grid),
        "excluded": [{"trial": trial, "reason": reason} for trial, reason in grid.excluded],
        "missing_cells": [list(cell) for cell in grid.missing_cells],
        "evp": {regime: _evp_block(grid, regime, bootstrap, rng) for regime in REGIMES},
        "seed_sd": seed_sd(grid.scores),
        "anova": {
            "wi": best_worst_anova(
                grid.scores, grid.wi_seeds, axis=0, greater_is_better=grid.greater_is_better
            ),
            "do": best_worst_anova(
                grid.scores, grid.do_seeds, axis=1, greater_is_better=grid.greater_is_better
            ),
        },
        "two_way_anova": two_way_anova(grid.scores),
        "permutation": permutation_test(grid.scores, permutations=permutations, seed=seed),
        "variance_components": components,
        "correlation": {"eval_steps": grid.eval_steps, "spearman": spearman, "pearson": pearson},
        "correlation_with_final": {"eval_steps": grid.eval_steps, **with_final},
        "bootstrap": {"replicates": bootstrap, "seed": seed},
    }
    return to_json_safe(summary)


def summarize(
    trials: list[TrialState], *, include_incomplete: bool = False, bootstrap: int = 0, seed: int = 0
) -> dict[str, Any]:
    """Every statistic of the sweep these trials belong to, as one JSON-serialisable dict.

    Keys: n_trials, wi_seeds, do_seeds, metric, task, greater_is_better, majority_baseline,
    best_trial {trial, score}, excluded [{trial, reason}], missing_cells [[wi, do]],
    evp {every_eval | per_epoch | end_only: {n, mean, sd, mean_unbiased[, ci_low, ci_high]}},
    seed_sd {wi, do, total}, anova {wi | do: {best, worst, F, p}}, two_way_anova, permutation,
    variance_components [+ ci], correlation {eval_steps, spearman, pearson} (E x E),
    correlation_with_final {eval_steps, spearman, pearson} and bootstrap {replicates, seed}.
    ``bootstrap`` > 0 adds 95% crossed-bootstrap intervals; ``seed`` drives every random draw
    (bootstrap and permutation test), so equal inputs give equal outputs."""
    grid = build_grid(trials, include_incomplete=include_incomplete)
    return summarize_grid(grid, bootstrap=bootstrap, seed=seed)
