"""The one t/f/p rule: where the decision point is, who is compared, and how they are ranked.

Dodge et al. (2020), section 5: start ``t`` trials, train each for a fraction ``f`` of its
training, then continue only the ``p`` best. Everything in seedtui that applies, plans, rehearses
or trains under this policy calls this module:

- **The milestone is a scheduled evaluation.** ``f`` is always ``k / E`` for a whole ``k`` in
  ``1..E``, where ``E`` is the number of evaluations of a full training. A requested fraction is
  snapped to the nearest ``k / E`` (:func:`snap_fraction`), with a note saying so. The decision is
  taken after the ``k``-th evaluation; a trial suspends right after it, so a suspended-then-resumed
  trial logs exactly the evaluations of a straight run. ``k = E`` (``f = 1``) is "no early
  stopping": every started trial trains fully and nothing is decided.
- **The score at the milestone** is the best score of the first ``k`` evaluations, in the metric's
  direction (the planner's "early" score).
- **The cohort** is the first ``t`` trials of the sweep's launch order: the grid in WI-major order,
  shuffled by ``order_seed``. Applied to a sweep under way, the trials already started come first
  (in the order they started), then queued ones in launch order.
- **Ranking**: by score at the milestone, better first; a missing or NaN score last; ties by
  launch-order position, then by trial id. The ``p`` best continue; the threshold is the ``p``-th
  score.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from seedtui.core.direction import best_score, sort_key


class TfpError(ValueError):
    """A t/f/p value that cannot be applied; ``field`` is ``t``, ``f``, ``k`` or ``p``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Milestone:
    """The decision point: after ``k`` of a trial's ``evals`` scheduled evaluations."""

    k: int
    evals: int

    @property
    def f(self) -> float:
        return self.k / self.evals

    @property
    def eval_index(self) -> int:
        """0-based index of the evaluation at which the decision is taken."""
        return self.k - 1

    @property
    def is_end(self) -> bool:
        """``f = 1``: the decision point is the end of training (no early stopping)."""
        return self.k >= self.evals

    def describe(self) -> str:
        return f"{self.k}/{self.evals} = {self.f:.4g}"


def snap_fraction(f: float, evals: int) -> Milestone:
    """The milestone nearest to fraction ``f`` of training: ``k / evals`` with ``k`` in ``1..evals``.

    Halfway cases round up (0.25 of 10 evals is 3/10). Raises TfpError for an ``f`` outside (0, 1]."""
    if isinstance(f, bool) or not isinstance(f, (int, float)) or not math.isfinite(f) or not 0 < f <= 1:
        raise TfpError("f", f"f must be a fraction in (0, 1], not {f!r}")
    if evals < 1:
        raise TfpError("f", "the trials have no scheduled evaluations to stop at")
    k = math.floor(f * evals + 0.5 + 1e-9)
    return Milestone(min(evals, max(1, k)), evals)


def milestone_for_k(k: int, evals: int) -> Milestone:
    """The milestone after exactly ``k`` evaluations (``k`` given directly instead of ``f``)."""
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= evals:
        raise TfpError("k", f"k must be a whole number of evaluations from 1 to {evals}, not {k!r}")
    return Milestone(k, evals)


def snap_note(requested: float, milestone: Milestone) -> str | None:
    """A sentence when snapping moved ``requested``; None when it was already a milestone."""
    if abs(requested - milestone.f) <= 1e-9:
        return None
    return (f"f = {requested:g} is not a scheduled evaluation: using the nearest, "
            f"f = {milestone.describe()} (after evaluation {milestone.k} of {milestone.evals})")


def format_fraction(f: float, evals: int | None = None) -> str:
    """``f`` as a person should type it back: ``0.3`` when that is exact, else ``k/E`` (``22/30``),
    so a prefilled field parses to the same milestone without a snap."""
    if evals:
        k = round(f * evals)
        if abs(k / evals - f) <= 1e-12 and float(f"{f:g}") != f:
            return f"{k}/{evals}"
    return f"{f:g}"


_FRACTION_TEXT = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_fraction(text: str) -> float:
    """``f`` typed by a person: a number (``0.3``) or a ratio (``9/30``). Raises TfpError."""
    match = _FRACTION_TEXT.match(text)
    try:
        value = int(match.group(1)) / int(match.group(2)) if match else float(text)
    except (ValueError, ZeroDivisionError):
        raise TfpError("f", f"f must be a number such as 0.3 or a ratio such as 9/30, not {text!r}") from None
    if not math.isfinite(value):
        raise TfpError("f", f"f must be a fraction in (0, 1], not {text!r}")
    return value


@dataclass(frozen=True)
class TfpSetting:
    """A checked t/f/p setting on a grid whose trials make ``milestone.evals`` evaluations."""

    t: int
    milestone: Milestone
    p: int
    note: str | None = None
    """What was adjusted to make the setting applicable (f snapped, p raised to t at f = 1)."""

    @property
    def f(self) -> float:
        return self.milestone.f

    @property
    def k(self) -> int:
        return self.milestone.k

    @property
    def cost(self) -> float:
        """Budget in full trainings: all t trials train to f, the p kept ones train the rest."""
        return tfp_cost(self.t, self.f, self.p)


def tfp_cost(t: int, f: float, p: int) -> float:
    """t * f + p * (1 - f) full trainings."""
    return t * f + p * (1 - f)


def _whole(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TfpError(name, f"{name} must be a whole number, not {value!r}")
    if isinstance(value, float) and (not math.isfinite(value) or value != int(value)):
        raise TfpError(name, f"{name} must be a whole number, not {value!r}")
    return int(value)


def check_setting(t: object, f: float | None, p: object, *, grid_size: int, evals: int,
                  k: int | None = None) -> TfpSetting:
    """The one validation of a t/f/p setting, used by the config, the CLI, the supervisor's
    ``apply_tfp`` and the TUI dialog. Give ``f`` (snapped to the nearest evaluation) or ``k``.

    ``f = 1`` is accepted as "no early stopping": ``p`` becomes ``t`` (nothing is compared).
    Raises TfpError naming the field."""
    t_value, p_value = _whole(t, "t"), _whole(p, "p")
    if t_value < 1:
        raise TfpError("t", f"t must be at least 1, not {t_value}")
    if t_value > grid_size:
        raise TfpError("t", f"t = {t_value} is more trials than the grid holds ({grid_size})")
    if p_value < 1:
        raise TfpError("p", f"p must be at least 1, not {p_value}")
    if p_value > t_value:
        raise TfpError("p", f"p = {p_value} keeps more trials than the t = {t_value} started")
    if k is not None:
        milestone, note = milestone_for_k(k, evals), None
    elif f is None:
        raise TfpError("f", "give f (a fraction of training) or k (a number of evaluations)")
    else:
        milestone = snap_fraction(f, evals)
        note = snap_note(float(f), milestone)
    if milestone.is_end and p_value != t_value:
        extra = f"f = 1 is no early stopping: all t = {t_value} trials train fully (p = t)"
        note = extra if note is None else f"{note}; {extra}"
        p_value = t_value
    return TfpSetting(t_value, milestone, p_value, note)


# --- the cohort -----------------------------------------------------------------------------------


def launch_order(trial_ids: Sequence[str], order_seed: int) -> list[str]:
    """The grid (given WI-major) in the seeded random order in which a policy launches it."""
    order = list(trial_ids)
    random.Random(order_seed).shuffle(order)
    return order


def choose_cohort(t: int, order: Sequence[str], started: Sequence[str] = ()) -> list[str]:
    """The ``t`` trials compared: those already ``started`` first (in the order they started; if
    more than ``t`` have started, all of them), then the rest of ``order``."""
    chosen = list(dict.fromkeys(started))
    taken = set(chosen)
    chosen += [trial for trial in order if trial not in taken]
    return chosen[: max(t, len(taken))]


# --- the ranking ----------------------------------------------------------------------------------


def score_at_milestone(scores: Sequence[float], milestone: Milestone,
                       greater_is_better: bool) -> float | None:
    """Best of the first ``k`` evaluation scores (None when a score is not finite in all of them)."""
    return best_score(scores[: milestone.k], greater_is_better)


def has_reached(eval_count: int, milestone: Milestone) -> bool:
    return eval_count >= milestone.k


@dataclass(frozen=True)
class Ranked:
    """One compared trial's place at the milestone."""

    trial: str
    score: float | None
    rank: int
    of: int
    promote: bool
    threshold: float | None


def rank_at_milestone(scored: Iterable[tuple[str, float | None]], *, p: int, order: Sequence[str],
                      greater_is_better: bool) -> list[Ranked]:
    """Rank the compared trials (id, score at the milestone); the first ``p`` are promoted."""
    position = {trial: index for index, trial in enumerate(order)}
    ranked = sorted(scored, key=lambda pair: (sort_key(pair[1], greater_is_better),
                                              position.get(pair[0], len(position)), pair[0]))
    kept = ranked[:p]
    threshold = kept[-1][1] if kept else None
    return [Ranked(trial, score, rank, len(ranked), rank <= p, threshold)
            for rank, (trial, score) in enumerate(ranked, start=1)]


def suspend_step(stop_at_fraction: float, schedule_steps: Sequence[int]) -> int | None:
    """Where a trainer given ``--stop-at-fraction`` suspends: the step of the milestone's scheduled
    evaluation, or None at ``f = 1`` (the milestone is the end: the trial simply completes)."""
    milestone = snap_fraction(stop_at_fraction, len(schedule_steps))
    return None if milestone.is_end else int(schedule_steps[milestone.eval_index])
