"""Table 3, Table 4, the two-way ANOVA, permutation tests and variance components."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from seedtui.core.stats.anova import additive_anova_table, best_worst_anova, permutation_test, two_way_anova
from seedtui.core.stats.seed_variance import per_seed_sd, seed_sd, variance_components


@pytest.fixture
def grid(rng: np.random.Generator) -> np.ndarray:
    return 0.6 + rng.normal(0, 0.02, (5, 1)) + rng.normal(0, 0.01, (1, 4)) + rng.normal(0, 0.01, (5, 4))


def test_seed_sd_against_numpy(grid: np.ndarray) -> None:
    sd = seed_sd(grid)
    assert sd["wi"] == pytest.approx(np.mean([np.std(row) for row in grid]), abs=1e-15)
    assert sd["do"] == pytest.approx(np.mean([np.std(col) for col in grid.T]), abs=1e-15)
    assert sd["total"] == pytest.approx(np.std(grid), abs=1e-15)


def test_seed_sd_by_hand_and_with_a_missing_cell() -> None:
    grid = np.array([[1.0, 3.0], [2.0, np.nan]])
    sd = seed_sd(grid)
    # A seed with one scored cell has no SD (0 by arithmetic is not a spread): it is left out.
    assert sd["wi"] == pytest.approx(1.0)  # rows: sd(1, 3) = 1; row (2) has one cell
    assert sd["do"] == pytest.approx(0.5)  # columns: sd(1, 2) = 0.5; column (3) has one cell
    assert sd["total"] == pytest.approx(np.std([1.0, 3.0, 2.0]))
    assert seed_sd(np.full((2, 2), np.nan)) == {"wi": None, "do": None, "total": None}
    diagonal = seed_sd(np.array([[0.5, np.nan], [np.nan, 0.7]]))
    assert diagonal["wi"] is None and diagonal["do"] is None and diagonal["total"] == pytest.approx(0.1)


def test_per_seed_sd_is_the_population_sd_of_each_row_or_column() -> None:
    scores = np.array([[0.5, 0.7, 0.9], [0.6, np.nan, 0.6], [0.1, np.nan, np.nan]])
    rows = per_seed_sd(scores, axis=0)
    assert np.allclose(rows[:2], [np.std([0.5, 0.7, 0.9]), 0.0]) and np.isnan(rows[2])
    columns = per_seed_sd(scores, axis=1)
    assert np.allclose(columns[[0, 2]], [np.std([0.5, 0.6, 0.1]), np.std([0.9, 0.6])])
    assert np.isnan(columns[1])  # one scored cell
    assert seed_sd(scores)["wi"] == float(np.mean(rows[:2]))  # Table 3 is their mean


def test_best_worst_anova_against_scipy(grid: np.ndarray) -> None:
    seeds = [10, 11, 12, 13, 14]
    result = best_worst_anova(grid, seeds, axis=0)
    best, worst = int(np.argmax(grid.mean(axis=1))), int(np.argmin(grid.mean(axis=1)))
    assert (result["best"], result["worst"]) == (seeds[best], seeds[worst])
    direct = sps.f_oneway(grid[best], grid[worst])
    assert result["F"] == pytest.approx(direct.statistic, rel=1e-12)
    assert result["p"] == pytest.approx(direct.pvalue, rel=1e-12)
    columns = best_worst_anova(grid, [0, 1, 2, 3], axis=1)
    b, w = int(np.argmax(grid.mean(axis=0))), int(np.argmin(grid.mean(axis=0)))
    assert columns["F"] == pytest.approx(sps.f_oneway(grid[:, b], grid[:, w]).statistic, rel=1e-12)


def test_ties_rank_the_lower_seed_lower_and_direction_flips() -> None:
    grid = np.array([[0.5, 0.7], [0.7, 0.5], [0.6, 0.6]])  # all three WI means are equal
    result = best_worst_anova(grid, [3, 1, 2], axis=0)
    assert (result["best"], result["worst"]) == (3, 1)
    lower = best_worst_anova(np.array([[0.1, 0.2], [0.5, 0.6]]), [0, 1], axis=0, greater_is_better=False)
    assert (lower["best"], lower["worst"]) == (0, 1)


def test_undefined_anova_is_none() -> None:
    assert best_worst_anova(np.array([[0.5, 0.6]]), [0], axis=0)["F"] is None  # one WI seed
    constant = best_worst_anova(np.full((2, 3), 0.5), [0, 1], axis=0)
    assert constant["F"] is None and constant["p"] is None
    assert two_way_anova(np.array([[0.5, 0.6, 0.7]]))["wi"] is None


def test_two_way_anova_by_the_textbook_formulas(grid: np.ndarray) -> None:
    rows, cols = grid.shape
    grand = grid.mean()
    ss_wi = cols * ((grid.mean(axis=1) - grand) ** 2).sum()
    ss_do = rows * ((grid.mean(axis=0) - grand) ** 2).sum()
    ss_res = ((grid - grid.mean(axis=1, keepdims=True) - grid.mean(axis=0, keepdims=True) + grand) ** 2).sum()
    df_res = (rows - 1) * (cols - 1)
    result = two_way_anova(grid)
    f_wi = (ss_wi / (rows - 1)) / (ss_res / df_res)
    assert result["wi"]["F"] == pytest.approx(f_wi, rel=1e-10)
    assert result["wi"]["p"] == pytest.approx(sps.f.sf(f_wi, rows - 1, df_res), rel=1e-10)
    assert result["do"]["ss"] == pytest.approx(ss_do, rel=1e-10)
    assert result["residual_df"] == df_res


def test_missing_cell_uses_least_squares(grid: np.ndarray) -> None:
    holed = grid.copy()
    holed[2, 1] = np.nan
    table = additive_anova_table(holed)
    assert table is not None
    assert table["residual"]["df"] == holed.size - 1 - (5 - 1) - (4 - 1) - 1
    # Same residual SS as fitting the additive model with an explicit design matrix.
    rows, cols = np.nonzero(np.isfinite(holed))
    design = np.column_stack(
        [np.ones(len(rows)), *(rows == r for r in range(1, 5)), *(cols == c for c in range(1, 4))]
    )
    _, residual, _, _ = np.linalg.lstsq(design.astype(float), holed[rows, cols], rcond=None)
    assert table["residual"]["ss"] == pytest.approx(float(residual[0]), rel=1e-9)


def test_permutation_test_is_deterministic_and_detects_effects(rng: np.random.Generator) -> None:
    strong = np.arange(6)[:, None] * 0.05 + rng.normal(0, 0.005, (6, 5))
    first = permutation_test(strong, permutations=300, seed=3)
    assert first == permutation_test(strong, permutations=300, seed=3)
    assert first["wi"] == pytest.approx(1 / 301)  # no shuffle beats the real WI effect
    assert first["do"] > 0.01
    noise = rng.normal(0, 1, (6, 5))
    p_values = permutation_test(noise, permutations=300, seed=3)
    assert 0 < p_values["wi"] <= 1 and 0 < p_values["do"] <= 1


def test_variance_components_recover_a_noiseless_additive_grid() -> None:
    wi_effect = np.array([0.0, 0.1, 0.3])
    do_effect = np.array([0.0, -0.2, 0.05, 0.1])
    components = variance_components(0.5 + wi_effect[:, None] + do_effect[None, :])
    assert components["residual"] == pytest.approx(0.0, abs=1e-15)
    assert components["wi"] == pytest.approx(np.var(wi_effect, ddof=1), rel=1e-10)
    assert components["do"] == pytest.approx(np.var(do_effect, ddof=1), rel=1e-10)


def test_negative_components_are_truncated() -> None:
    grid = np.array([[0.0, 1.0], [1.0, 0.0]])  # pure interaction
    parts = variance_components(grid)
    raw = parts["wi_raw"]
    assert parts["wi"] == 0.0 and raw is not None and raw < 0
