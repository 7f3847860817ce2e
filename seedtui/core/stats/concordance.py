"""Do weight-initialization seeds rank alike across sweeps? (the paper's section 4.3)

Dodge et al. found that "some weight initializations perform well across all studied tasks" by
looking at each WI seed's rank per task. This module turns that look into numbers: a seeds x sweeps
table of ranks, Kendall's coefficient of concordance W over it, the Friedman test, and a permutation
test of W that shuffles seeds within each sweep. Numbers only (no Rich, no file reading); the ranks
are :func:`seedtui.core.stats.correlation.average_ranks` and the seed means
:func:`seedtui.core.direction.seed_means`, so "mean" and "rank" mean what they mean elsewhere.

Arrays of ranks are laid out (sweeps, seeds): in Kendall's terms, m raters each ranking n objects.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from seedtui.core.direction import seed_means, signed_array
from seedtui.core.stats.correlation import average_ranks

DEFAULT_PERMUTATIONS = 10_000
_PERMUTATION_CHUNK = 2_000
# W of a permutation counts as "at least the observed W" within this rounding margin.
_W_TOLERANCE = 1e-12


@dataclass(frozen=True)
class SweepSeedMeans:
    """One sweep's WI seeds and each one's mean best-found score over its DO seeds."""

    name: str
    wi_seeds: list[int]
    mean_best: np.ndarray
    """One per WI seed; NaN for a seed with no finite score."""
    greater_is_better: bool


def sweep_seed_means(name: str, wi_seeds: Sequence[int], scores: np.ndarray, greater_is_better: bool
                     ) -> SweepSeedMeans:
    """Means of the rows of a (WI, DO) grid of best-found scores (missing cells skipped)."""
    return SweepSeedMeans(name, [int(s) for s in wi_seeds], seed_means(scores, axis=0), greater_is_better)


@dataclass(frozen=True)
class RankTable:
    """The WI seeds common to every sweep, their mean best-found scores and ranks in each sweep."""

    sweeps: list[str]
    wi_seeds: list[int]
    mean_best: np.ndarray
    """(sweeps, seeds) mean best-found score."""
    ranks: np.ndarray
    """(sweeps, seeds) rank within the sweep: 1 = best in its metric's direction, ties averaged."""

    @property
    def mean_rank(self) -> np.ndarray:
        """Each seed's rank averaged over the sweeps."""
        return self.ranks.mean(axis=0)


def common_wi_seeds(sweeps: Sequence[SweepSeedMeans]) -> list[int]:
    """The WI seeds that have a finite mean in every sweep, ascending."""
    if not sweeps:
        return []
    common: set[int] | None = None
    for sweep in sweeps:
        pairs = zip(sweep.wi_seeds, sweep.mean_best, strict=True)
        scored = {seed for seed, mean in pairs if np.isfinite(mean)}
        common = scored if common is None else common & scored
    return sorted(common or ())


def ranks_within(values: np.ndarray, greater_is_better: bool) -> np.ndarray:
    """Ranks of ``values`` (1 = best in the metric's direction; tied values share their mean rank)."""
    return average_ranks(-signed_array(values, greater_is_better))


def rank_table(sweeps: Sequence[SweepSeedMeans]) -> RankTable:
    """Seeds common to all ``sweeps``, ranked among themselves within each sweep."""
    seeds = common_wi_seeds(sweeps)
    mean_best = np.array(
        [[sweep.mean_best[sweep.wi_seeds.index(seed)] for seed in seeds] for sweep in sweeps], dtype=float
    ).reshape(len(sweeps), len(seeds))
    ranks = np.array(
        [ranks_within(row, sweep.greater_is_better) for row, sweep in zip(mean_best, sweeps, strict=True)],
        dtype=float,
    ).reshape(mean_best.shape)
    return RankTable([sweep.name for sweep in sweeps], seeds, mean_best, ranks)


def _tie_correction(ranks: np.ndarray) -> float:
    """Sum over raters of sum(t^3 - t) over their groups of t tied ranks."""
    total = 0.0
    for row in ranks:
        _, counts = np.unique(row, return_counts=True)
        total += float(np.sum(counts.astype(float) ** 3 - counts))
    return total


def _w_from_rank_sums(rank_sums: np.ndarray, raters: int, objects: int, denominator: float) -> np.ndarray:
    deviations = rank_sums - raters * (objects + 1) / 2.0
    return 12.0 * np.sum(deviations**2, axis=-1) / denominator


def _w_denominator(ranks: np.ndarray) -> float:
    raters, objects = ranks.shape
    return raters**2 * (objects**3 - objects) - raters * _tie_correction(ranks)


def kendall_w(ranks: np.ndarray) -> float:
    """Kendall's W with the tie correction: 12 S / (m^2 (n^3 - n) - m sum T), where S is the sum of
    squared deviations of the seeds' rank sums from their mean and T = sum(t^3 - t) per rater.

    0 = no agreement, 1 = every sweep ranks the seeds the same. NaN when it is undefined (fewer
    than 2 sweeps or seeds, or every sweep ties every seed)."""
    ranks = np.asarray(ranks, dtype=float)
    if ranks.ndim != 2 or ranks.shape[0] < 2 or ranks.shape[1] < 2:
        return math.nan
    denominator = _w_denominator(ranks)
    if denominator <= 0:
        return math.nan
    raters, objects = ranks.shape
    return float(_w_from_rank_sums(ranks.sum(axis=0), raters, objects, denominator))


@dataclass(frozen=True)
class TestResult:
    """A statistic and its p-value; NaN where the test does not apply."""

    statistic: float
    p: float


def friedman_test(ranks: np.ndarray) -> TestResult:
    """The Friedman test over the (sweeps, seeds) table: sweeps are blocks, seeds are treatments.

    ``scipy.stats.friedmanchisquare`` (tie-corrected; its statistic equals m (n - 1) W) where it
    applies: 3 or more seeds and not every sweep tying every seed. NaN otherwise."""
    ranks = np.asarray(ranks, dtype=float)
    if ranks.ndim != 2 or ranks.shape[0] < 2 or ranks.shape[1] < 3 or not math.isfinite(kendall_w(ranks)):
        return TestResult(math.nan, math.nan)
    from scipy.stats import friedmanchisquare  # only here: importing scipy.stats is slow

    result = friedmanchisquare(*ranks.T)
    return TestResult(float(result.statistic), float(result.pvalue))


@dataclass(frozen=True)
class PermutationResult:
    """Share of within-sweep shuffles of the seeds whose W is at least the observed one."""

    p: float
    n: int
    """Shuffles drawn."""
    seed: int
    """Seed of the shuffles (the same seed gives the same p)."""


def permutation_test_w(ranks: np.ndarray, permutations: int = DEFAULT_PERMUTATIONS, seed: int = 0
                       ) -> PermutationResult:
    """Monte-Carlo permutation test of W: each of ``permutations`` draws shuffles the seeds'
    ranks within every sweep independently (what "no agreement" means), seeded by ``seed``.

    p = (1 + draws with W >= observed) / (1 + draws), so it is never 0. NaN when W is undefined."""
    ranks = np.asarray(ranks, dtype=float)
    observed = kendall_w(ranks)
    if not math.isfinite(observed) or permutations < 1:
        return PermutationResult(math.nan, 0, seed)
    raters, objects = ranks.shape
    denominator = _w_denominator(ranks)  # ties within a sweep survive shuffling: the same for every draw
    rng = np.random.default_rng(seed)
    at_least = 0
    done = 0
    while done < permutations:
        size = min(_PERMUTATION_CHUNK, permutations - done)
        shuffled = rng.permuted(np.broadcast_to(ranks, (size, raters, objects)), axis=2)
        w = _w_from_rank_sums(shuffled.sum(axis=1), raters, objects, denominator)
        at_least += int(np.count_nonzero(w >= observed - _W_TOLERANCE))
        done += size
    return PermutationResult((1 + at_least) / (1 + permutations), permutations, seed)


@dataclass(frozen=True)
class Concordance:
    """Agreement of the sweeps' rankings of the common WI seeds."""

    kendall_w: float
    friedman: TestResult
    permutation: PermutationResult


def concordance(ranks: np.ndarray, permutations: int = DEFAULT_PERMUTATIONS, seed: int = 0) -> Concordance:
    """W, the Friedman test and the permutation test of W for a (sweeps, seeds) table of ranks."""
    return Concordance(kendall_w(ranks), friedman_test(ranks), permutation_test_w(ranks, permutations, seed))
