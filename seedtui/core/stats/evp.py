"""Expected validation performance (Dodge et al. 2019, "Show Your Work").

The expected best score after n trials, when each trial's score is drawn from the empirical
distribution of the N observed best-found scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy.special import gammaln

from seedtui.core.direction import signed_array


@dataclass
class EVPResult:
    """Expected best-of-n score for n = 1..N (arrays of length N, empty when N = 0)."""

    n: np.ndarray
    """The numbers of trials, 1..N."""
    mean: np.ndarray
    """Expected best of n draws with replacement (the paper's estimator)."""
    sd: np.ndarray
    """Standard deviation of the best of n draws (its spread, not a standard error)."""
    mean_unbiased: np.ndarray
    """Expected best of n draws without replacement: unbiased for the best of n fresh trials."""


def max_cdf_weights(population: int, draws: np.ndarray) -> np.ndarray:
    """P[n, i] = (i/N)^n - ((i-1)/N)^n: the probability that the i-th smallest of N values is the
    maximum of n draws with replacement (rows: the entries of ``draws``; columns: i = 1..N)."""
    fractions = np.arange(population + 1, dtype=float) / population
    cdf = fractions[None, :] ** np.asarray(draws, dtype=float)[:, None]
    return np.diff(cdf, axis=1)


def unbiased_max_weights(population: int, draws: np.ndarray) -> np.ndarray:
    """P[n, i] = C(i-1, n-1) / C(N, n): the probability that the i-th smallest of N values is the
    maximum of a uniformly random n-subset (zero for n > N)."""
    n = np.asarray(draws, dtype=float)[:, None]
    i = np.arange(1, population + 1, dtype=float)[None, :]
    big_n = float(population)
    with np.errstate(invalid="ignore"):
        log_w = (
            gammaln(i)
            - gammaln(n)
            - gammaln(i - n + 1)
            - (gammaln(big_n + 1) - gammaln(n + 1) - gammaln(big_n - n + 1))
        )
    weights = np.where(i >= n, np.exp(np.where(i >= n, log_w, 0.0)), 0.0)
    totals = weights.sum(axis=1, keepdims=True)
    # The weights sum to 1 exactly in real arithmetic; renormalise away the rounding of lgamma.
    return np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)


def _centred(sorted_values: np.ndarray) -> tuple[np.ndarray, float]:
    # Centre before summing and squaring so the variance does not cancel catastrophically.
    centre = float(np.median(sorted_values))
    return sorted_values - centre, centre


def max_mean(sorted_values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Mean of the maximum, given P[row, i] over ascending values (the EVP mean; the bootstrap
    uses it alone, without the standard deviation of :func:`max_moments`)."""
    centred, centre = _centred(sorted_values)
    return weights @ centred + centre


def max_moments(sorted_values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean (:func:`max_mean`) and standard deviation of the maximum, given P[row, i] over
    ascending values."""
    centred, centre = _centred(sorted_values)
    mean_centred = weights @ centred
    # Two passes (sum of P (v - mean)^2), so an all-equal sample has sd exactly 0.
    deviations = centred[None, :] - mean_centred[:, None]
    variance = np.einsum("ni,ni->n", weights, deviations * deviations)
    return mean_centred + centre, np.sqrt(np.clip(variance, 0.0, None))


def expected_max_of_draws(values: np.ndarray, draws: int, *, replacement: bool = True) -> tuple[float, float]:
    """Mean and sd of the maximum of ``draws`` uniform draws from ``values`` (finite, any order)."""
    ordered = np.sort(np.asarray(values, dtype=float))
    if replacement:
        weights = max_cdf_weights(len(ordered), np.array([draws]))
    else:
        if draws > len(ordered):
            raise ValueError(f"cannot draw {draws} distinct trials from {len(ordered)}")
        weights = unbiased_max_weights(len(ordered), np.array([draws]))
    mean, sd = max_moments(ordered, weights)
    return float(mean[0]), float(sd[0])


@lru_cache(maxsize=8)
def _evp_weights(population: int) -> tuple[np.ndarray, np.ndarray]:
    """Both weight matrices for n = 1..N (cached: the live stats pane recomputes often)."""
    n = np.arange(1, population + 1)
    with_replacement, without = max_cdf_weights(population, n), unbiased_max_weights(population, n)
    with_replacement.flags.writeable = False
    without.flags.writeable = False
    return with_replacement, without


def expected_validation_performance(
    best_scores: npt.ArrayLike, *, greater_is_better: bool = True
) -> EVPResult:
    """Expected validation performance of the N best-found scores (NaN entries are ignored).

    Sort the scores v_(1) <= ... <= v_(N). For n = 1..N, with P_{n,i} = (i/N)^n - ((i-1)/N)^n:

    - ``mean_n = sum_i v_(i) P_{n,i}`` — the expected maximum of n draws with replacement;
    - ``sd_n = sqrt(sum_i (v_(i) - mean_n)^2 P_{n,i})`` — the spread of that maximum;
    - ``mean_unbiased_n = sum_i v_(i) C(i-1, n-1) / C(N, n)`` — the expected maximum of n
      distinct trials, an unbiased estimate of the best of n new trials (an improvement on the
      paper, whose with-replacement estimate is biased low for n near N).

    With ``greater_is_better`` false the "best" is the minimum (computed by sign).
    """
    values = np.asarray(best_scores, dtype=float).ravel()
    ordered = np.sort(signed_array(values[np.isfinite(values)], greater_is_better))
    count = len(ordered)
    n = np.arange(1, count + 1)
    if count == 0:
        empty = np.zeros(0)
        return EVPResult(n=n, mean=empty, sd=empty.copy(), mean_unbiased=empty.copy())
    with_replacement, without = _evp_weights(count)
    mean, sd = max_moments(ordered, with_replacement)
    mean_unbiased = without @ ordered
    return EVPResult(n=n, mean=signed_array(mean, greater_is_better), sd=sd,
                     mean_unbiased=signed_array(mean_unbiased, greater_is_better))


def bootstrap_evp_means(
    grid_scores: np.ndarray, n_values: np.ndarray, replicates: int, rng: np.random.Generator
) -> np.ndarray:
    """EVP means at ``n_values`` for ``replicates`` crossed-bootstrap copies of a W x D grid
    (already signed so larger is better): WI rows and DO columns are resampled with replacement,
    never individual cells, because the design is crossed. Returns (replicates, len(n_values))."""
    rows, cols = grid_scores.shape
    out = np.full((replicates, len(n_values)), np.nan)
    cached_weights: dict[int, np.ndarray] = {}
    for rep in range(replicates):
        sample = grid_scores[np.ix_(rng.integers(0, rows, rows), rng.integers(0, cols, cols))]
        values = np.sort(sample[np.isfinite(sample)])
        if len(values) == 0:
            continue
        weights = cached_weights.get(len(values))
        if weights is None:
            weights = cached_weights[len(values)] = max_cdf_weights(len(values), n_values)
        out[rep] = max_mean(values, weights)
    return out
