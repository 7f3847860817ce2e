"""The t/f/p early-stopping rule of Dodge et al. (2020, Section 5), computed exactly.

One draw: start t trials (drawn from the observed ones), look at each one's best score over its
first k of E evals (f = k/E), keep the p best (ties broken at random), train those to the end,
and report the best final ("best found") score among them. With p = 0 nothing is trained further
and the result is the best early score. The paper estimated E[result] from 50,000 random draws
per setting; here it is computed exactly (see docs/statistics.md for the derivation):

Order the draws by early score, breaking ties uniformly at random. Let the p-th best draw fall in
the group g of tied early scores, with m < p draws ranked strictly above g. Given (g, m), those m
draws are i.i.d. uniform over the trials above g and the p - m kept draws of g are i.i.d. uniform
over g's trials (a random subset of i.i.d. draws is i.i.d.), so

    P(result <= x) = sum_g sum_{m<p} W(g, m) F_above_g(x)^m F_g(x)^(p-m)

with W(g, m) = P(m draws above g and at least p - m in g). Summing over the thresholds x (the
distinct final scores) once per k gives tables Lambda_g(m, r) = sum_x dx F_above_g(x)^m F_g(x)^r,
after which each (t, p) costs O(groups x p) (groups that almost surely have p draws above them,
with probability below 1e-20, are skipped). Without replacement the powers become falling
factorial ratios and W comes from hypergeometric distributions.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy.special import bdtr, gammaln, xlogy

from seedtui.core import direction
from seedtui.core.stats.evp import expected_max_of_draws

# Terms of the mixture whose total probability is below this are skipped (see _groups_that_matter).
_NEGLIGIBLE = 1e-20
# Cap on the floats of one block of the tie-group tables (keeps memory around 32 MiB).
_BLOCK_FLOATS = 4_000_000


def signed_curves(curves: np.ndarray, greater_is_better: bool) -> np.ndarray:
    """Curves as floats oriented so that larger is better (lower-is-better metrics negated)."""
    values = np.asarray(curves, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"curves must be a 2-D array (trials x evals), not {values.ndim}-D")
    return direction.signed_array(values, greater_is_better)


def early_and_final(signed: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(best-so-far after the first k evals, best over all evals) per usable row.

    Rows with no finite score at all are dropped (they carry no information); a row with no
    finite score among its first k evals ranks below every other row (early score -inf)."""
    finite_rows = np.isfinite(signed).any(axis=1)
    rows = np.where(np.isfinite(signed[finite_rows]), signed[finite_rows], -np.inf)
    return rows[:, :k].max(axis=1), rows.max(axis=1)


def _falling_powers(
    count: np.ndarray, total: np.ndarray, n_max: int, replacement: bool
) -> Iterator[np.ndarray]:
    """Yield P_0 = 1, P_1, ..., P_{n_max-1} where P_n = (count/total)^n with replacement, or
    prod_{i<n} (count-i)/(total-i) (all n drawn distinct items are among ``count``) without."""
    power = np.ones(np.broadcast_shapes(count.shape, total.shape))
    safe_total = np.where(total > 0, total, 1.0)
    ratio = np.where(total > 0, count / safe_total, 0.0)
    for n in range(n_max):
        yield power
        if replacement:
            factor = ratio
        else:
            left = total - n
            factor = np.where(left > 0, np.clip(count - n, 0.0, None) / np.where(left > 0, left, 1.0), 0.0)
        power = power * factor


def _stacked_powers(count: np.ndarray, total: np.ndarray, n_max: int, replacement: bool) -> np.ndarray:
    """(groups, n_max, thresholds): the ``_falling_powers`` of each group's counts."""
    return np.stack(list(_falling_powers(count, total[:, None], n_max, replacement)), axis=1)


@dataclass
class _Groups:
    """Trials grouped by tied early score, best group first."""

    sizes: np.ndarray
    above: np.ndarray
    """Number of trials in the groups strictly above each group."""


def _power_columns(counts: np.ndarray, scale: float, n_max: int, replacement: bool) -> np.ndarray:
    """(len(counts), n_max): column n holds ``(count/scale)^n`` with replacement, or
    ``prod_{i<n} max(count - i, 0) / scale`` without: ``_falling_powers`` with the total factored
    out, so that P_n(count, total) = column(count) / column(total), a ratio of two rows."""
    out = np.ones((len(counts), n_max))
    for n in range(1, n_max):
        factor = counts if replacement else np.clip(counts - (n - 1), 0.0, None)
        out[:, n] = out[:, n - 1] * (factor / scale)
    return out


def _binomial_expansion(n_max: int) -> tuple[np.ndarray, np.ndarray]:
    """(coefficient, index), both (n_max, n_max) over [e, m]: C(m, e) and m - e where e <= m, and
    0 and 0 elsewhere, so ``values[index] * coefficient`` spreads a power series binomially."""
    e, m = np.meshgrid(np.arange(n_max), np.arange(n_max), indexing="ij")
    valid = e <= m
    coefficient = np.array([[math.comb(top, low) for top in range(n_max)] for low in range(n_max)], float)
    return np.where(valid, coefficient, 0.0), np.where(valid, m - e, 0)


class DecisionPointTables:
    """Everything about one decision point k that does not depend on (t, p).

    Build once per k; ``moments(t, p)`` then gives E[result] and E[result^2] in O(groups x p).
    """

    def __init__(self, early: np.ndarray, final: np.ndarray, p_max: int, *, replacement: bool = True):
        self.early = early
        self.final = final
        self.trials = len(final)
        self.replacement = replacement
        self.p_max = max(int(p_max), 1)
        # Centre the final scores so E[R^2] - E[R]^2 keeps its precision.
        self.centre = float(np.median(final)) if len(final) else 0.0
        thresholds, final_index = np.unique(final - self.centre, return_inverse=True)
        self.top = float(thresholds[-1]) if len(thresholds) else 0.0
        # E[R] = x_top - sum_s dx_s P(R <= x_s); E[R^2] likewise with d(x^2).
        self.steps = np.stack([np.diff(thresholds), np.diff(thresholds**2)], axis=1)
        group_of, sizes = _group_by_early(early)
        self.groups = _Groups(
            sizes=sizes.astype(float),
            above=np.concatenate([[0.0], np.cumsum(sizes)[:-1]]),
        )
        self.single = sizes == 1
        self._build_tables(group_of, final_index.ravel(), len(thresholds))

    # --- per-k tables -------------------------------------------------------------------
    def _build_tables(self, group_of: np.ndarray, final_index: np.ndarray, thresholds: int) -> None:
        """Lambda tables, a block of groups at a time (best first; 16 groups, more from about
        1,800 trials on: sqrt(trials) / 2.5, which balances the two costs below).

        For a group g of the block, the trials above it are those above the block (whose counts
        ``base[s]`` of final scores <= x_s every group of the block shares) plus the block's own
        trials before g (``delta``). The block's final scores cut the thresholds into segments
        on which every ``delta`` is constant, so with (base + delta)^m expanded binomially (all
        terms positive: nothing cancels) a block costs the thresholds once plus its groups times
        its segments, instead of every threshold for every group (quadratic when every score
        differs: 2,500 trials took 16 times as long as 625)."""
        g = self.groups
        n_steps = self.steps.shape[0]
        singles = np.flatnonzero(self.single)
        multis = np.flatnonzero(~self.single)
        self.lambda_single = np.zeros((len(singles), self.p_max, 2))
        self.lambda_multi = np.zeros((len(multis), self.p_max, self.p_max + 1, 2))
        self.single_index = singles
        self.multi_index = multis
        if n_steps == 0:
            return
        by_group = np.argsort(group_of, kind="stable")
        trial_group, trial_final = group_of[by_group], final_index[by_group]
        total = len(trial_group)
        # powers[c, j] = (c/total)^j, or c(c-1)...(c-j+1)/total^j without replacement.
        powers = _power_columns(np.arange(total + 1, dtype=float), float(max(total, 1)), self.p_max,
                                self.replacement)
        expansion = _binomial_expansion(self.p_max)
        positions = np.arange(n_steps)
        base = np.zeros(n_steps, dtype=np.int64)  # trials above the block with final index <= s
        groups = len(g.sizes)
        block = max(16, int(np.sqrt(total) / 2.5))
        for start in range(0, groups, block):
            stop = min(groups, start + block)
            first, last = np.searchsorted(trial_group, [start, stop])
            block_group, block_final = trial_group[first:last], trial_final[first:last]
            cuts = np.unique(np.concatenate([[0], block_final[block_final < n_steps]]))
            segment_of = np.searchsorted(cuts, positions, side="right") - 1
            # delta[i, segment]: the block's trials before trial i whose final index <= the cut.
            delta = np.zeros((len(block_group) + 1, len(cuts)), dtype=np.int64)
            np.cumsum(block_final[:, None] <= cuts[None, :], axis=0, out=delta[1:])
            first_trial = np.searchsorted(block_group, np.arange(start, stop))
            in_block = self.single[start:stop]
            if in_block.any():
                rows = slice(*np.searchsorted(singles, [start, stop]))
                trial = first_trial[in_block]
                self.lambda_single[rows] = self._single_tables(
                    base, segment_of, cuts, delta[trial], block_final[trial],
                    g.above[start:stop][in_block], powers, expansion,
                )
            if not in_block.all():
                rows = slice(*np.searchsorted(multis, [start, stop]))
                chosen = np.flatnonzero(~in_block)
                count_above = base + delta[first_trial[chosen]][:, segment_of]
                row_of_group = np.full(stop - start, -1)
                row_of_group[chosen] = np.arange(len(chosen))
                member = row_of_group[block_group - start]
                count_in = np.zeros((len(chosen), thresholds))
                np.add.at(count_in, (member[member >= 0], block_final[member >= 0]), 1.0)
                self.lambda_multi[rows] = self._multi_tables(
                    count_above.astype(float), count_in.cumsum(axis=1)[:, :-1],
                    g.above[start + chosen], g.sizes[start + chosen],
                )
            inside = block_final[block_final < n_steps]
            base += np.bincount(inside, minlength=n_steps).cumsum()

    def _single_tables(
        self,
        base: np.ndarray,
        segment_of: np.ndarray,
        cuts: np.ndarray,
        delta: np.ndarray,
        final: np.ndarray,
        above: np.ndarray,
        powers: np.ndarray,
        expansion: tuple[np.ndarray, np.ndarray],
    ) -> np.ndarray:
        """Lambda_g(m) = sum_s dx_s P_m(count_above[g, s], above[g]) [s >= the trial's final
        index] for one block's groups of one trial (F_g is 0 or 1, so F_g^r = F_g), where
        count_above[g, s] = base[s] + delta[g, segment of s]."""
        p_max = self.p_max
        # T[d, segment, j] = sum over the segment's steps of dx_s[d] * powers[base[s], j], summed
        # over runs of steps that share (segment, base). (d, the smallest axis, comes first: the
        # products stream over whole rows.)
        key = segment_of * (len(powers) + 1) + base
        run_start = np.flatnonzero(np.diff(key, prepend=-1))
        run_dx = np.add.reduceat(self.steps, run_start, axis=0)
        run_segment = segment_of[run_start]
        terms = run_dx.T[:, :, None] * powers[base[run_start]][None, :, :]
        sums = np.add.reduceat(terms, np.searchsorted(run_segment, np.arange(len(cuts))), axis=1)
        # (base + delta)^m = sum_e C(m, e) delta^e base^(m-e) (falling factorials alike):
        # expanded[d, segment, e, m] = C(m, e) T[d, segment, m - e].
        expanded = sums[:, :, expansion[1]] * expansion[0]
        weights = powers[delta] * (cuts[None, :] >= final[:, None])[:, :, None]  # (rows, segments, e)
        # scaled[r, m, d] = sum over (segment, e) of weights * expanded: one matrix product per d.
        scaled = weights.reshape(len(final), -1) @ expanded.reshape(2, len(cuts) * p_max, p_max)
        scaled = scaled.transpose(1, 2, 0)
        totals = powers[above.astype(np.int64)]  # the same scale: P_m = scaled / totals
        safe = np.where(totals > 0, totals, 1.0)
        return np.where((totals > 0)[..., None], scaled / safe[..., None], 0.0)

    def _multi_tables(
        self, count_above: np.ndarray, count_in: np.ndarray, above: np.ndarray, sizes: np.ndarray
    ) -> np.ndarray:
        """Lambda_g(m, r) for m < p_max and r = 0..p_max for tie groups (of two trials or more)."""
        n_steps = self.steps.shape[0]
        out = np.zeros((len(above), self.p_max, self.p_max + 1, 2))
        per_group = self.p_max * (self.p_max + 1) * n_steps
        block = max(1, _BLOCK_FLOATS // max(per_group, 1))
        for start in range(0, len(above), block):
            rows = slice(start, start + block)
            powers_above = _stacked_powers(count_above[rows], above[rows], self.p_max, self.replacement)
            powers_in = _stacked_powers(count_in[rows], sizes[rows], self.p_max + 1, self.replacement)
            for d in range(2):
                weighted = powers_above * self.steps[None, None, :, d]
                out[rows, :, :, d] = weighted @ powers_in.transpose(0, 2, 1)
        return out

    # --- per-setting ------------------------------------------------------------------
    def _mixture_weights(self, ts: np.ndarray, p: int, groups: int) -> np.ndarray:
        """W[m, t, g] = P(the p-th best of t draws is in group g, with m draws strictly above g),
        for the first ``groups`` groups (m first: the running sum over it streams over rows)."""
        g = _Groups(*(np.asarray(field)[:groups] for field in vars(self.groups).values()))
        total = float(self.trials)
        t = np.asarray(ts, dtype=float)[None, :, None]
        m = np.arange(p, dtype=float)[:, None, None]
        # Tails of "enough draws in g" go through identities whose terms are all positive, so
        # nothing cancels: P(fewer than r of n in g) = sum_{c<r} P(c hits before failure n-r+1).
        c = m
        failures = t - p + 1.0
        if self.replacement:
            share_above = (g.above / total)[None, None, :]
            theta = (g.sizes / (total - g.above))[None, None, :]
            with np.errstate(divide="ignore"):
                log_above = _log_choose(t, m) + xlogy(m, share_above) + (t - m) * np.log1p(-share_above)
                # negative binomial: P(Bin(n, theta) < r) = (1-theta)^(n-r+1) sum_{c<r} C(n-r+c, c) theta^c
                log_terms = _log_choose(failures - 1.0 + c, c) + xlogy(c, theta) + failures * np.log1p(-theta)
        else:
            above = g.above[None, None, :]
            rest = total - above  # trials in g or below it
            size = g.sizes[None, None, :]
            log_above = _log_choose(above, m) + _log_choose(rest, t - m) - _log_choose(total, t)
            # negative hypergeometric: c of g's trials before the f-th trial from below g
            log_terms = (
                _log_choose(c + failures - 1.0, c)
                + _log_choose(rest - c - failures, size - c)
                - _log_choose(rest, size)
            )
        # In place (these arrays are the largest the planner makes): enough_in = max(1 - too_few_in,
        # 0), with too_few_in[m] = sum over c <= p-m-1 of the terms (>= 0, so no clipping at 1).
        enough_in = np.cumsum(np.exp(log_terms, out=log_terms), axis=0, out=log_terms)[::-1]
        np.maximum(np.subtract(1.0, enough_in, out=enough_in), 0.0, out=enough_in)
        weights = np.exp(log_above, out=log_above)
        weights *= enough_in
        return weights

    def _groups_that_matter(self, t_min: int, p: int) -> int:
        """How many of the top groups can hold the p-th best draw with probability above
        _NEGLIGIBLE: below them, p draws rank above the group almost surely. The skipped terms
        add up to less than groups x 1e-20 x the score range, far below rounding error."""
        above = self.groups.above
        if self.replacement:
            at_most = bdtr(p - 1, t_min, above / self.trials)
        else:
            # Imported here: scipy.stats takes longer to import than `seedtui stats` to run.
            from scipy import stats as sps

            at_most = sps.hypergeom.cdf(p - 1, self.trials, above, t_min)
        return int(np.searchsorted(-at_most, -_NEGLIGIBLE, side="right"))

    def moments(self, ts: np.ndarray, p: int) -> np.ndarray:
        """(len(ts), 2): E[R] and E[R^2] of the centred result for 1 <= p < t, for each t."""
        ts = np.asarray(ts)
        out = np.empty((len(ts), 2))
        m = np.arange(p)
        gathered = self.lambda_multi[:, m, p - m, :] if len(self.multi_index) else None  # (groups, p, 2)
        chunk = max(1, _BLOCK_FLOATS // max(len(self.groups.sizes) * p, 1))
        for start in range(0, len(ts), chunk):
            groups = self._groups_that_matter(int(ts[start : start + chunk].min()), p)
            weights = self._mixture_weights(ts[start : start + chunk], p, groups)
            tail = np.zeros((weights.shape[1], 2))
            singles = int(np.searchsorted(self.single_index, groups))
            multis = int(np.searchsorted(self.multi_index, groups))
            # tail[t, d] = sum over (g, m) of W[m, t, g] Lambda_g(m)[d]: a matrix product per m.
            if singles:
                chosen = weights if singles == groups else weights[:, :, self.single_index[:singles]]
                tail += (chosen @ self.lambda_single[:singles, :p, :].transpose(1, 0, 2)).sum(axis=0)
            if gathered is not None and multis:
                chosen = weights[:, :, self.multi_index[:multis]]
                tail += (chosen @ gathered[:multis].transpose(1, 0, 2)).sum(axis=0)
            out[start : start + chunk, 0] = self.top - tail[:, 0]
            out[start : start + chunk, 1] = self.top**2 - tail[:, 1]
        return out

    def mean_sd_many(self, ts: np.ndarray, p: int) -> np.ndarray:
        """(len(ts), 2): mean and sd of the result (signed: larger is better) for each t, one p."""
        ts = np.asarray(ts, dtype=int)
        out = np.empty((len(ts), 2))
        stopping = ts > p
        if p > 0 and stopping.any():
            first, second = self.moments(ts[stopping], p).T
            out[stopping, 0] = first + self.centre
            out[stopping, 1] = np.sqrt(np.clip(second - first * first, 0.0, None))
        for i in np.flatnonzero(~stopping | (p <= 0)):
            out[i] = self._without_stopping(int(ts[i]), p)
        return out

    def _without_stopping(self, t: int, p: int) -> tuple[float, float]:
        if p <= 0:
            if not np.isfinite(self.early).all():
                # A trial with no score by eval k has no checkpoint to report: undefined.
                return float("nan"), float("nan")
            return expected_max_of_draws(self.early, t, replacement=self.replacement)
        return expected_max_of_draws(self.final, t, replacement=self.replacement)

    def mean_sd(self, t: int, p: int) -> tuple[float, float]:
        """Mean and sd of the result (signed scale: larger is better) for any 0 <= p."""
        mean, sd = self.mean_sd_many(np.array([t]), p)[0]
        return float(mean), float(sd)


def _log_choose(n: np.ndarray | float, k: np.ndarray | float) -> np.ndarray:
    """log C(n, k), and -inf where the binomial coefficient is 0 (k < 0 or k > n)."""
    n, k = np.broadcast_arrays(np.asarray(n, dtype=float), np.asarray(k, dtype=float))
    valid = (k >= 0) & (k <= n)
    safe_n, safe_k = np.where(valid, n, 0.0), np.where(valid, k, 0.0)
    value = gammaln(safe_n + 1.0) - gammaln(safe_k + 1.0) - gammaln(safe_n - safe_k + 1.0)
    return np.where(valid, value, -np.inf)


def _group_by_early(early: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group index of every trial (0 = the highest early score) and each group's size."""
    _, group_of, sizes = np.unique(-early, return_inverse=True, return_counts=True)
    return group_of.ravel(), sizes


def _check_setting(curves: np.ndarray, t: int, k: int, p: int, replacement: bool) -> None:
    evals = curves.shape[1]
    if t < 1:
        raise ValueError(f"t must be at least 1, not {t}")
    if not 1 <= k <= evals:
        raise ValueError(f"k must be between 1 and the number of evals ({evals}), not {k}")
    if not 0 <= p <= t:
        raise ValueError(f"p must be between 0 and t = {t}, not {p}")
    usable = int(np.isfinite(curves).any(axis=1).sum())
    if usable == 0:
        raise ValueError("no trial has a finite score")
    if not replacement and t > usable:
        raise ValueError(f"cannot draw t = {t} distinct trials from {usable} without replacement")


def expected_best_tfp(
    curves: np.ndarray,
    t: int,
    k: int,
    p: int,
    *,
    greater_is_better: bool = True,
    replacement: bool = True,
) -> tuple[float, float]:
    """Exact mean and standard deviation of the t/f/p rule's result (f = k / E).

    ``curves`` has one row per trial and one column per eval (NaN where a trial has no score).
    Draw t rows (with replacement unless told otherwise); rank them by their best score over the
    first k evals, ties broken uniformly at random; keep the top p; the result is the best score
    over all evals among the kept rows (p = 0: the best early score among all t). Lower-is-better
    metrics are handled by sign; the returned mean is on the metric's own scale."""
    signed = signed_curves(curves, greater_is_better)
    _check_setting(signed, t, k, p, replacement)
    early, final = early_and_final(signed, k)
    tables = DecisionPointTables(early, final, p if 0 < p < t else 1, replacement=replacement)
    mean, sd = tables.mean_sd(t, p)
    if not np.isfinite(mean):
        raise ValueError(
            f"p = 0 is undefined at k = {k}: some trial has no finite score in its first k evals"
        )
    return direction.signed(mean, greater_is_better), sd


def simulate_tfp(
    curves: np.ndarray,
    t: int,
    k: int,
    p: int,
    draws: int = 50_000,
    rng: np.random.Generator | int | None = None,
    *,
    greater_is_better: bool = True,
    replacement: bool = True,
) -> tuple[float, float]:
    """Monte-Carlo estimate (the paper's method) of the t/f/p result's mean and sd.

    Same rule as ``expected_best_tfp``; each of ``draws`` simulations draws t rows, breaks ties
    in early score with independent uniform keys, keeps the top p and records the result."""
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    signed = signed_curves(curves, greater_is_better)
    _check_setting(signed, t, k, p, replacement)
    early, final = early_and_final(signed, k)
    if p == 0 and not np.isfinite(early).all():
        raise ValueError(
            f"p = 0 is undefined at k = {k}: some trial has no finite score in its first k evals"
        )
    results = np.empty(draws)
    chunk = max(1, 2_000_000 // max(t, 1))
    for start in range(0, draws, chunk):
        size = min(chunk, draws - start)
        if replacement:
            picks = generator.integers(0, len(final), size=(size, t))
        else:
            picks = np.argsort(generator.random((size, len(final))), axis=1)[:, :t]
        if p == 0:
            results[start : start + size] = early[picks].max(axis=1)
            continue
        # Random tie-breaking: shuffle by uniform keys, then a stable sort by early score.
        shuffle = np.argsort(generator.random((size, t)), axis=1)
        picks = np.take_along_axis(picks, shuffle, axis=1)
        order = np.argsort(-early[picks], axis=1, kind="stable")
        kept = np.take_along_axis(picks, order[:, :p], axis=1)
        results[start : start + size] = final[kept].max(axis=1)
    mean = float(results.mean())
    return direction.signed(mean, greater_is_better), float(results.std())
