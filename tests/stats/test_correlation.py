"""Correlations between evals, against scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from seedtui.core.direction import running_best_array
from seedtui.core.stats.correlation import correlation_with_final, eval_correlations


def test_matrices_against_scipy(rng: np.random.Generator) -> None:
    curves = np.round(rng.normal(0.6, 0.05, (30, 5)).cumsum(axis=1), 2)  # rounded: ties in ranks
    spearman, pearson = eval_correlations(curves)
    for i in range(5):
        for j in range(5):
            assert spearman[i, j] == pytest.approx(
                sps.spearmanr(curves[:, i], curves[:, j]).statistic, abs=1e-12
            )
            assert pearson[i, j] == pytest.approx(
                sps.pearsonr(curves[:, i], curves[:, j]).statistic, abs=1e-12
            )


def test_constant_column_is_missing_not_an_error() -> None:
    curves = np.array([[0.5, 0.1], [0.5, 0.3], [0.5, 0.2]])
    spearman, pearson = eval_correlations(curves)
    assert np.isnan(spearman[0]).all() and np.isnan(pearson[:, 0]).all()
    assert pearson[1, 1] == pytest.approx(1.0)


def test_missing_scores_are_left_out_pairwise(rng: np.random.Generator) -> None:
    curves = rng.normal(size=(12, 3))
    curves[0, 0] = np.nan
    curves[5, 2] = np.nan
    spearman, pearson = eval_correlations(curves)
    keep = np.isfinite(curves[:, 0]) & np.isfinite(curves[:, 2])
    assert pearson[0, 2] == pytest.approx(sps.pearsonr(curves[keep, 0], curves[keep, 2]).statistic, abs=1e-12)
    assert spearman[2, 0] == pytest.approx(
        sps.spearmanr(curves[keep, 0], curves[keep, 2]).statistic, abs=1e-12
    )
    assert pearson[1, 1] == pytest.approx(1.0)


def test_best_so_far_and_its_correlation_with_final() -> None:
    curves = np.array([[0.1, 0.5, 0.3], [0.4, 0.2, 0.6], [0.3, np.nan, 0.2]])
    assert running_best_array(curves, True).tolist() == [[0.1, 0.5, 0.5], [0.4, 0.4, 0.6], [0.3, 0.3, 0.3]]
    assert running_best_array(curves, greater_is_better=False)[0].tolist() == [0.1, 0.1, 0.1]
    result = correlation_with_final(curves)
    final = np.array([0.5, 0.6, 0.3])
    assert result["pearson"][0] == pytest.approx(sps.pearsonr([0.1, 0.4, 0.3], final).statistic)
    assert result["spearman"][-1] == pytest.approx(1.0)


def test_single_trial_has_no_correlation() -> None:
    spearman, pearson = eval_correlations(np.array([[0.5, 0.6]]))
    assert np.isnan(spearman).all() and np.isnan(pearson).all()
