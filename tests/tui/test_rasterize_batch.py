"""The faint curves of every trial built in batches (``rasterize_many``, ``loss_curves``, the flat
score curves) draw exactly what the per-curve algorithm they replaced drew
(``seedtui.testing.per_curve_reference``, kept as the definition: a curve at a time, ``bisect`` for
the pixel columns it covers, ``np.interp`` for its heights there)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest

from seedtui.core.view.curves import rasterize, rasterize_many, value_range
from seedtui.state import TrialState
from seedtui.state.series import Series
from seedtui.testing.per_curve_reference import per_curve_loss_curve as reference_loss_curve
from seedtui.testing.per_curve_reference import per_curve_rasterize as reference_rasterize
from seedtui.tui.widgets.curves import CurvesPane, loss_curve, loss_curves, score_curves

# extreme inputs (1e308, slopes that overflow) warn in the reference as they did in the pane
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning",
                                        "ignore:invalid value encountered:RuntimeWarning")


def _random_curve(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    size = int(rng.choice([0, 1, 1, 2, 3, 5, 30, 98, 200]))
    kind = rng.random()
    if kind < 0.15:  # evaluations on a grid: xs exactly on pixel centres and on each other
        xs = np.round(rng.uniform(-0.5, 3.5, size) * 8) / 8
        xs.sort()
    elif kind < 0.25:  # repeated xs (a vertical step)
        xs = np.sort(np.repeat(rng.uniform(0, 3, (size + 1) // 2), 2)[:size])
    elif kind < 0.3:  # xs that go back (a log that restarted)
        xs = rng.uniform(-0.5, 3.5, size)
    elif kind < 0.4:  # a part of the x range only
        xs = np.sort(rng.uniform(1.2, 1.5, size))
    else:
        xs = np.sort(rng.uniform(-0.5, 3.5, size))
    ys = rng.normal(0, 1, size) * (10 if rng.random() < 0.3 else 1)
    if size and rng.random() < 0.3:
        ys[rng.integers(0, size, int(rng.integers(1, 4)))] = rng.choice([np.nan, np.inf, -np.inf])
    if size and rng.random() < 0.1:
        xs[rng.integers(0, size)] = rng.choice([np.nan, np.inf])
    if size and rng.random() < 0.05:
        ys[:] = np.nan  # a curve with no finite point
    if size and rng.random() < 0.05:
        ys[rng.integers(0, size)] = rng.choice([1e308, -1e308])  # steep enough to overflow
    return xs, ys


@pytest.mark.parametrize("seed", range(6))
def test_rasterize_draws_what_the_per_curve_algorithm_draws(seed: int) -> None:
    rng = np.random.default_rng(seed)
    ranges = [((0.0, 3.0), (-2.0, 2.0)), ((0, 1), (0, 1)), ((1.0, 1.0), (0.5, 0.5)),
              ((-0.25, 3.25), (-30.0, 30.0)), ((0.0, 3.0), (2.0, -2.0)), ((3.0, 0.0), (-2.0, 2.0)),
              ((0.0, math.nan), (-2.0, 2.0)), ((0.0, 3.0), (0.0, 1e-9))]
    for _ in range(150):
        curves = [_random_curve(rng) for _ in range(int(rng.integers(0, 12)))]
        x_range, y_range = ranges[int(rng.integers(0, len(ranges)))]
        width, height = int(rng.integers(1, 100)), int(rng.integers(1, 80))
        try:
            expected = reference_rasterize(curves, x_range, y_range, width, height)
        except ValueError:  # int(nan): a lone point on a NaN x range; the batch raises as well
            with pytest.raises(ValueError):
                rasterize(curves, x_range, y_range, width, height)
            continue
        assert np.array_equal(rasterize(curves, x_range, y_range, width, height), expected)
        xs = np.concatenate([c[0] for c in curves]) if curves else np.empty(0)
        ys = np.concatenate([c[1] for c in curves]) if curves else np.empty(0)
        lengths = [len(c[0]) for c in curves]
        assert np.array_equal(rasterize_many(xs, ys, lengths, x_range, y_range, width, height), expected)


def test_rasterize_edge_cases() -> None:
    grid = ((0.0, 3.0), (-2.0, 2.0), 20, 16)
    cases: list[list[tuple[list[float], list[float]]]] = [
        [],
        [([], [])],
        [([1.0], [0.0])],  # one point
        [([-5.0], [0.0]), ([50.0], [1.0]), ([-0.01], [9.0])],  # one point left of, right of the plot
        [([1.0, 1.0], [0.0, 1.5])],  # two points at one x
        [([0.0, 3.0], [-2.0, 2.0]), ([0.0, 3.0], [2.0, -2.0])],  # corner to corner, both ways
        [([0.075, 0.225], [-2.0, 2.0])],  # first and last x exactly on pixel centres
        [([1.0, 1.01], [0.0, 1.0])],  # between two pixel centres: no column
        [([0.0, 1.0, 2.0, 3.0], [math.nan] * 4)],
        [([0.0, 1.0, 0.5, 3.0], [0.0, 1.0, -1.0, 2.0])],  # xs that go back
        [([0.0, 1.5], [1e308, -1e308])],  # the slope overflows
    ]
    for curves in cases:
        assert np.array_equal(rasterize(curves, *grid), reference_rasterize(curves, *grid)), curves
    # xs so far apart that their distance overflows: np.interp's second try, from the right point
    huge = ((1e308, 1.5e308), (-2.0, 2.0), 20, 16)
    for curves in ([([-1e308, 1.6e308], [0.0, 1.0])], [([-1.7e308, 1.7e308], [-1e308, 1e308])],
                   [([-1e308, 1.2e308, 1.6e308], [1.0, 1.0, -1.0])]):
        assert np.array_equal(rasterize(curves, *huge), reference_rasterize(curves, *huge)), curves
    with pytest.raises(ValueError, match="as many ys as xs"):
        rasterize([([0.0, 1.0], [0.0])], *grid)
    with pytest.raises(ValueError, match="lengths"):
        rasterize_many(np.zeros(3), np.zeros(3), [2], *grid)


def _state(trial: str, steps: Sequence[int], losses: Sequence[float], per_epoch: object = 100,
           evals: Sequence[tuple[float, float]] = ()) -> TrialState:
    state = TrialState(trial_id=trial)
    if per_epoch is not None:
        state.start = {"steps_per_epoch": per_epoch, "epochs": 3, "metric": "accuracy"}
    state.train_steps = Series(steps, dtype=np.int64)
    state.train_losses = Series(losses, dtype=np.float64)
    state.eval_epochs = [e for e, _ in evals]
    state.eval_scores = [s for _, s in evals]
    return state


def _random_states(rng: np.random.Generator, count: int) -> list[TrialState]:
    states = []
    shared_steps = list(range(1, 502))
    for index in range(count):
        size = int(rng.choice([0, 1, 3, 97, 98, 99, 250, 501, 501, 501]))
        steps = shared_steps[:size] if rng.random() < 0.7 else sorted(rng.integers(0, 2000, size).tolist())
        losses = rng.gamma(2.0, 0.5, size)
        if size and rng.random() < 0.2:
            losses[rng.integers(0, size, 3)] = rng.choice([np.nan, np.inf])
        per_epoch = [100, 167, 0, 2.5, None][int(rng.integers(0, 5))]
        evals = [(float(e), float(s)) for e, s in zip(np.sort(rng.uniform(0, 3, int(rng.integers(0, 31)))),
                                                       rng.uniform(0.4, 0.9, 31), strict=False)]
        if evals and rng.random() < 0.1:
            evals[0] = (evals[0][0], math.nan)
        states.append(_state(f"t{index}", steps, losses.tolist(), per_epoch, evals))
    return states


@pytest.mark.parametrize("seed", range(4))
def test_loss_curves_in_batches_are_each_trials_loss_curve(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    states = _random_states(rng, 60)
    for points in (1, 7, 98, 120, 600):
        batched = loss_curves(states, points)
        for state, (xs, ys) in zip(states, batched, strict=True):
            want_xs, want_ys = reference_loss_curve(state, points)
            np.testing.assert_array_equal(xs, want_xs)
            np.testing.assert_array_equal(ys, want_ys)
            single_xs, single_ys = loss_curve(state, points)
            np.testing.assert_array_equal(single_xs, want_xs)
            np.testing.assert_array_equal(single_ys, want_ys)
    twice = loss_curves([states[0], states[0]], 98)  # one state listed twice: a curve for each
    assert len(twice) == 2 and np.array_equal(twice[0][1], twice[1][1])


def test_score_curves_end_to_end() -> None:
    rng = np.random.default_rng(5)
    states = [s for s in _random_states(rng, 40) if s.eval_scores]
    xs, ys, lengths = score_curves(states)
    assert lengths.tolist() == [len(s.eval_scores) for s in states]
    np.testing.assert_array_equal(xs, np.concatenate([s.eval_epochs for s in states]))
    np.testing.assert_array_equal(ys, np.concatenate([s.eval_scores for s in states]))


class _Model:
    """What ``CurvesPane._background_for`` reads of a SweepModel."""

    def __init__(self, states: list[TrialState], baseline: float | None) -> None:
        self.trials = {s.trial_id: s for s in states}
        self.majority_baseline = baseline

    def first_start(self) -> dict[str, object] | None:
        return next((s.start for s in self.trials.values() if s.start), None)


@pytest.mark.parametrize("seed", range(3))
def test_faint_backgrounds_are_those_of_the_per_curve_algorithm(seed: int) -> None:
    """Both faint masks and their y ranges, as the pane built them before: a score curve and a
    loss curve per trial, their value ranges, each curve rasterized alone."""
    rng = np.random.default_rng(200 + seed)
    states = _random_states(rng, 80)
    pane = CurvesPane()
    pane.model = _Model(states, 0.52 if seed else None)  # type: ignore[assignment]
    x_range = (0.0, 3.0)
    for px_w, px_h in ((98, 72), (98, 68), (1, 1), (30, 8)):
        pane._background.clear()
        score_mask, score_range = pane._background_for("score", px_w, px_h, x_range)
        loss_mask, loss_range = pane._background_for("loss", px_w, px_h, x_range)
        scored = [s for s in states if s.eval_scores]
        curves = [(np.asarray(s.eval_epochs, dtype=float), np.asarray(s.eval_scores, dtype=float))
                  for s in scored]
        extra = [np.array([pane._baseline])] if pane._baseline is not None else []
        want_range = value_range([c[1] for c in curves] + extra)
        assert score_range == want_range
        assert np.array_equal(score_mask, reference_rasterize(curves, x_range, want_range, px_w, px_h))
        losses = [reference_loss_curve(s, px_w) for s in states if s.train_losses]
        values = np.concatenate([c[1] for c in losses])
        values = values[np.isfinite(values)]
        want_loss_range = value_range([np.percentile(values, [1, 99])]) if values.size else (0.0, 1.0)
        assert loss_range == want_loss_range
        assert np.array_equal(loss_mask, reference_rasterize(losses, x_range, want_loss_range, px_w, px_h))


def test_faint_loss_curves_are_kept_until_a_trial_grows() -> None:
    states = [_state(f"t{i}", range(1, 201), np.linspace(2, 1, 200).tolist()) for i in range(3)]
    pane = CurvesPane()
    first = pane._faint_loss_curves(states, 98)
    again = pane._faint_loss_curves(states, 98)
    assert all(a is b for a, b in zip(first, again, strict=True))
    states[1].train_steps.append(201)
    states[1].train_losses.append(0.5)
    grown = pane._faint_loss_curves(states, 98)
    assert grown[0] is first[0] and grown[2] is first[2] and grown[1] is not first[1]
    np.testing.assert_array_equal(grown[1][1], reference_loss_curve(states[1], 98)[1])
