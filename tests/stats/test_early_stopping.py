"""The exact t/f/p result against brute-force enumeration and against Monte-Carlo."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from seedtui.core.stats.early_stopping import expected_best_tfp, simulate_tfp


def brute_force(curves: np.ndarray, t: int, k: int, p: int, replacement: bool = True) -> tuple[float, float]:
    """Every draw of t rows (ordered tuples), each with every ordering of its t positions
    (all tie-breaking orders equally likely), ranked by early score with a stable sort."""
    early = np.nanmax(np.where(np.isfinite(curves[:, :k]), curves[:, :k], -np.inf), axis=1)
    final = np.nanmax(curves, axis=1)
    rows = range(len(curves))
    draws = itertools.product(rows, repeat=t) if replacement else itertools.permutations(rows, t)
    results = []
    for draw in draws:
        for order in itertools.permutations(draw):
            ranked = sorted(order, key=lambda j: -early[j])
            results.append(max(early[j] for j in draw) if p == 0 else max(final[j] for j in ranked[:p]))
    values = np.array(results)
    return float(values.mean()), float(values.std())


def assert_matches(exact: tuple[float, float], expected: tuple[float, float]) -> None:
    assert exact[0] == pytest.approx(expected[0], abs=1e-12)
    # Variances agree to 1e-12; an sd near zero loses digits through the square root.
    assert exact[1] ** 2 == pytest.approx(expected[1] ** 2, abs=1e-12)
    if expected[1] > 1e-3:
        assert exact[1] == pytest.approx(expected[1], abs=1e-12)


TIES = np.array(
    [
        [0.5, 0.6, 0.7],
        [0.5, 0.8, 0.6],
        [0.6, 0.6, 0.6],
        [0.5, 0.5, 0.9],
    ]
)


@pytest.mark.parametrize("t", [1, 2, 3, 4])
@pytest.mark.parametrize("k", [1, 2])
def test_every_p_with_ties_matches_enumeration(t: int, k: int) -> None:
    for p in range(t + 1):
        assert_matches(expected_best_tfp(TIES, t, k, p), brute_force(TIES, t, k, p))


@pytest.mark.parametrize("t", [1, 2, 3, 4])
def test_without_replacement_matches_enumeration(t: int) -> None:
    for k in (1, 2):
        for p in range(t + 1):
            exact = expected_best_tfp(TIES, t, k, p, replacement=False)
            assert_matches(exact, brute_force(TIES, t, k, p, replacement=False))


def test_random_small_integer_curves_match_enumeration() -> None:
    rng = np.random.default_rng(7)
    for _ in range(60):
        rows, evals = int(rng.integers(2, 5)), int(rng.integers(2, 4))
        curves = rng.integers(0, 4, size=(rows, evals)).astype(float)  # many ties
        t, k = int(rng.integers(1, 5)), int(rng.integers(1, evals))
        p = int(rng.integers(0, t + 1))
        assert_matches(expected_best_tfp(curves, t, k, p), brute_force(curves, t, k, p))
        if t <= rows:
            exact = expected_best_tfp(curves, t, k, p, replacement=False)
            assert_matches(exact, brute_force(curves, t, k, p, replacement=False))


def test_nan_cells_and_all_nan_rows() -> None:
    curves = np.array(
        [
            [np.nan, 0.7, 0.6],  # no early score at k = 1: ranks last
            [0.6, np.nan, 0.65],
            [0.55, 0.9, np.nan],
            [np.nan, np.nan, np.nan],  # carries nothing: dropped
        ]
    )
    usable = curves[:3]
    for t in (1, 2, 3):
        for p in range(1, t + 1):
            assert_matches(expected_best_tfp(curves, t, 1, p), brute_force(usable, t, 1, p))
        # p = 0 reports the best early score, which a trial with no early eval does not have.
        with pytest.raises(ValueError, match="undefined"):
            expected_best_tfp(curves, t, 1, 0)
    assert_matches(expected_best_tfp(curves, 2, 2, 0), brute_force(usable, 2, 2, 0))


def test_lower_is_better_is_the_mirror_image() -> None:
    for t, k, p in [(3, 1, 1), (4, 2, 2), (3, 2, 0)]:
        lower = expected_best_tfp(-TIES, t, k, p, greater_is_better=False)
        higher = expected_best_tfp(TIES, t, k, p)
        assert lower[0] == pytest.approx(-higher[0], abs=1e-14)
        assert lower[1] == pytest.approx(higher[1], abs=1e-12)


def test_keeping_everything_is_the_best_of_t() -> None:
    curves = np.array([[0.1, 0.4], [0.3, 0.2], [0.2, 0.9]])
    final = np.array([0.4, 0.3, 0.9])
    mean, _ = expected_best_tfp(curves, 2, 1, 2)
    # max of 2 draws from {0.3, 0.4, 0.9}: P(0.9) = 5/9, P(0.4) = 3/9, P(0.3) = 1/9.
    assert mean == pytest.approx((5 * 0.9 + 3 * 0.4 + 1 * 0.3) / 9, abs=1e-14)
    assert final.max() >= mean


def test_continuous_data_matches_monte_carlo(rng: np.random.Generator) -> None:
    curves = rng.normal(0.6, 0.05, size=(40, 6)).cumsum(axis=1) / np.arange(1, 7)
    for t, k, p in [(10, 2, 3), (25, 1, 1), (5, 4, 4), (30, 3, 0)]:
        mean, sd = expected_best_tfp(curves, t, k, p)
        sim_mean, sim_sd = simulate_tfp(curves, t, k, p, draws=20_000, rng=rng)
        standard_error = sd / np.sqrt(20_000)
        assert abs(sim_mean - mean) < 5 * standard_error + 1e-12
        assert sim_sd == pytest.approx(sd, rel=0.05, abs=1e-9)


def test_quantised_ties_match_monte_carlo(rng: np.random.Generator) -> None:
    curves = np.round(rng.uniform(0.5, 0.7, size=(60, 5)) * 20) / 20  # five levels: heavy ties
    for replacement in (True, False):
        mean, sd = expected_best_tfp(curves, 12, 2, 3, replacement=replacement)
        sim_mean, _ = simulate_tfp(curves, 12, 2, 3, draws=20_000, rng=rng, replacement=replacement)
        assert abs(sim_mean - mean) < 5 * sd / np.sqrt(20_000) + 1e-12


def test_monte_carlo_is_reproducible_with_a_seed() -> None:
    assert simulate_tfp(TIES, 3, 1, 1, draws=500, rng=5) == simulate_tfp(TIES, 3, 1, 1, draws=500, rng=5)


@pytest.mark.parametrize(("t", "k", "p"), [(0, 1, 0), (3, 0, 1), (3, 4, 1), (3, 1, 4), (3, 1, -1)])
def test_invalid_settings_are_refused(t: int, k: int, p: int) -> None:
    with pytest.raises(ValueError):
        expected_best_tfp(TIES, t, k, p)


def test_no_finite_scores_and_too_many_distinct_draws_are_refused() -> None:
    with pytest.raises(ValueError, match="finite"):
        expected_best_tfp(np.full((3, 2), np.nan), 2, 1, 1)
    with pytest.raises(ValueError, match="distinct"):
        expected_best_tfp(TIES, 5, 1, 1, replacement=False)


def reference_by_groups(curves: np.ndarray, t: int, k: int, p: int) -> tuple[float, float]:
    """The conditioning formula written out plainly (scipy binomials, explicit loops, every group
    and threshold): an independent check at sizes brute force cannot reach."""
    from scipy import stats as sps

    early, final = curves[:, :k].max(axis=1), curves.max(axis=1)
    total = len(final)
    levels = np.unique(early)[::-1]
    thresholds = np.unique(final)
    cdf = np.zeros(len(thresholds))
    for level in levels:
        above, inside = final[early > level], final[early == level]
        share_above, share_in = len(above) / total, len(inside) / total
        for m in range(p):
            r = p - m
            weight = sps.binom.pmf(m, t, share_above) * sps.binom.sf(
                r - 1, t - m, share_in / (1 - share_above)
            )
            for s, x in enumerate(thresholds):
                f_above = np.mean(above <= x) if len(above) else 1.0
                cdf[s] += weight * f_above**m * np.mean(inside <= x) ** r
    probabilities = np.diff(np.concatenate([[0.0], cdf]))
    mean = float(probabilities @ thresholds)
    return mean, float(np.sqrt(probabilities @ (thresholds - mean) ** 2))


@pytest.mark.parametrize(("t", "k", "p"), [(150, 1, 3), (60, 2, 7), (9, 3, 4)])
def test_large_t_matches_the_plain_formula(t: int, k: int, p: int, rng: np.random.Generator) -> None:
    curves = np.round(rng.uniform(0.5, 0.8, size=(50, 4)) * 40) / 40  # ties in early and final scores
    mean, sd = expected_best_tfp(curves, t, k, p)
    reference = reference_by_groups(curves, t, k, p)
    assert mean == pytest.approx(reference[0], abs=1e-12)
    assert sd == pytest.approx(reference[1], abs=1e-9)
