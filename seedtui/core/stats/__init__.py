"""Statistics of a seed sweep (Dodge et al. 2020) and the exact early-stopping planner.

Pure functions over numpy arrays and folded trial states; no Textual, no torch. Definitions are
in each function's docstring and in docs/statistics.md.
"""

from __future__ import annotations

from seedtui.core.stats.anova import best_worst_anova, permutation_test, two_way_anova
from seedtui.core.stats.correlation import correlation_with_final, eval_correlations
from seedtui.core.stats.early_stopping import DecisionPointTables, expected_best_tfp, simulate_tfp
from seedtui.core.stats.evp import EVPResult, expected_max_of_draws, expected_validation_performance
from seedtui.core.stats.grid import SeedGrid, build_grid
from seedtui.core.stats.planner import (
    PlanRow,
    Setting,
    evaluate_settings,
    plan,
    recommend_tfp,
    settings_for_budget,
)
from seedtui.core.stats.seed_variance import seed_sd, variance_components
from seedtui.core.stats.summary import REGIMES, regime_scores, summarize, summarize_grid, to_json_safe

__all__ = [
    "REGIMES",
    "DecisionPointTables",
    "EVPResult",
    "PlanRow",
    "SeedGrid",
    "Setting",
    "best_worst_anova",
    "build_grid",
    "correlation_with_final",
    "eval_correlations",
    "evaluate_settings",
    "expected_best_tfp",
    "expected_max_of_draws",
    "expected_validation_performance",
    "permutation_test",
    "plan",
    "recommend_tfp",
    "regime_scores",
    "seed_sd",
    "settings_for_budget",
    "simulate_tfp",
    "summarize",
    "summarize_grid",
    "to_json_safe",
    "two_way_anova",
    "variance_components",
]
