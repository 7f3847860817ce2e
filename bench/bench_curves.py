"""The curves pane's faint background at the paper's scale: both masks ("score" and "loss") and
their y ranges for 625 trials (25 WI x 25 DO, ~500 losses and 31 evaluations each), at the plot
size the pane has in a 160x50 terminal. SYNTHETIC sweep (seedtui/testing/replay_sweep.py: made-up
curves, not results), written to a temporary directory, loaded as ``seedtui replay`` loads it.

Two builds, each for the code here and for the BASELINE, the per-curve algorithm this replaced
(seedtui/testing/per_curve_reference.py; checked to give the same masks and ranges), alternating
round after round so a busy machine slows both alike:

  - first draw: a fresh pane, nothing kept (what a replay's first frame pays); goal 15 ms;
  - rebuild: the loss curves already kept (the once-a-second rebuild of a live sweep).

Run: .venv/bin/python bench/bench_curves.py [--rounds N] [--size 160x50]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seedtui.core.replay import load_timeline  # noqa: E402
from seedtui.core.view.curves import value_range  # noqa: E402
from seedtui.core.view.sweep_model import SweepModel  # noqa: E402
from seedtui.state import TrialState  # noqa: E402
from seedtui.testing.per_curve_reference import per_curve_loss_curve as baseline_loss_curve  # noqa: E402
from seedtui.testing.per_curve_reference import per_curve_rasterize as baseline_rasterize  # noqa: E402
from seedtui.testing.replay_sweep import PAPER_SCALE, write_sweep  # noqa: E402
from seedtui.tui.renderables.curves import GUTTER, split_height  # noqa: E402
from seedtui.tui.widgets.curves import CurvesPane, _robust_range  # noqa: E402

GOAL_SECONDS = 0.015
Curve = tuple[np.ndarray, np.ndarray]


class BaselineBackground:
    """The baseline pane's background build, with its per-trial loss-curve cache."""

    def __init__(self, model: SweepModel, baseline: float | None) -> None:
        self.model, self.baseline = model, baseline
        self.loss_curves: dict[str, tuple[list[float], tuple[object, ...], Curve]] = {}

    def faint_loss_curve(self, state: TrialState, points: int) -> tuple[np.ndarray, np.ndarray]:
        key = (len(state.train_losses), state.train_steps[-1] if state.train_steps else None,
               state.start is not None and state.start.get("steps_per_epoch"), points)
        cached = self.loss_curves.get(state.trial_id)
        if cached is not None and cached[0] is state.train_losses and cached[1] == key:
            return cached[2]
        curve = baseline_loss_curve(state, points)
        self.loss_curves[state.trial_id] = (state.train_losses, key, curve)
        return curve

    def build(self, kind: str, px_w: int, px_h: int, x_range: tuple[float, float]
              ) -> tuple[np.ndarray, tuple[float, float]]:
        trials = list(self.model.trials.values())
        if kind == "score":
            curves = [(np.asarray(t.eval_epochs, dtype=float), np.asarray(t.eval_scores, dtype=float))
                      for t in trials if t.eval_scores]
            extra = [np.array([self.baseline])] if self.baseline is not None else []
            y_range = value_range([c[1] for c in curves] + extra)
        else:
            curves = [self.faint_loss_curve(t, px_w) for t in trials if t.train_losses]
            y_range = _robust_range([c[1] for c in curves])
        return baseline_rasterize(curves, x_range, y_range, px_w, px_h), y_range
# --- end of BASELINE ------------------------------------------------------------------------------


def pane_content_size(width: int, height: int) -> tuple[int, int]:
    """The curves pane's content size in a ``width x height`` terminal (from the app itself)."""
    from seedtui.testing.fake_source import FakeSource
    from seedtui.tui.app import create_app

    async def measure() -> tuple[int, int]:
        app = create_app(FakeSource(), refresh_seconds=0, stats_seconds=3600)
        async with app.run_test(size=(width, height)) as pilot:
            await pilot.pause()
            size = app.query_one(CurvesPane).content_size
            return size.width, size.height

    return asyncio.run(measure())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="runs of each build (best and median kept)")
    parser.add_argument("--size", default="160x50", help="the terminal size whose plot size is used")
    args = parser.parse_args()
    columns, lines = (int(part) for part in args.size.split("x"))
    width, height = pane_content_size(columns, lines)
    if width <= 0 or height <= 0:
        parser.error(f"--size {args.size}: the curves pane is not shown at this size (pick a wider one)")
    plots = [(max(1, width - GUTTER) * 2, max(1, h - 2) * 4) for h in split_height(height - 1, 2)]
    with tempfile.TemporaryDirectory() as scratch:
        sweep = write_sweep(Path(scratch), "paper-scale", PAPER_SCALE)
        model = SweepModel()
        model.apply_slices(load_timeline(sweep).advance_to_end()[0])
    print(f"{len(model.trials)} trials (SYNTHETIC); {args.size}: curves pane {width}x{height}, "
          f"plots of {plots[0][0]}x{plots[0][1]} and {plots[1][0]}x{plots[1][1]} pixels")

    def new_pane() -> CurvesPane:
        pane = CurvesPane()
        pane.model = model
        return pane

    def build_new(pane: CurvesPane) -> list[tuple[np.ndarray, tuple[float, float]]]:
        pane._background.clear()
        x_range = pane._x_range(model)
        return [pane._background_for(kind, px_w, px_h, x_range)
                for kind, (px_w, px_h) in zip(("score", "loss"), plots, strict=True)]

    def build_old(old: BaselineBackground) -> list[tuple[np.ndarray, tuple[float, float]]]:
        x_range = new_pane()._x_range(model)
        return [old.build(kind, px_w, px_h, x_range)
                for kind, (px_w, px_h) in zip(("score", "loss"), plots, strict=True)]

    baseline = new_pane()
    baseline._x_range(model)
    kept_new, kept_old = new_pane(), BaselineBackground(model, baseline._baseline)
    for (new_mask, new_range), (old_mask, old_range) in zip(build_new(kept_new), build_old(kept_old),
                                                            strict=True):
        assert np.array_equal(new_mask, old_mask) and new_range == old_range, "the masks differ"
    print("the same masks and y ranges as the baseline (checked)")

    cases: dict[str, dict[str, Callable[[], object]]] = {
        "first draw": {"new": lambda: build_new(new_pane()),
                       "baseline": lambda: build_old(BaselineBackground(model, baseline._baseline))},
        "rebuild": {"new": lambda: build_new(kept_new), "baseline": lambda: build_old(kept_old)},
    }
    for case, functions in cases.items():
        times: dict[str, list[float]] = {name: [] for name in functions}
        for _ in range(args.rounds):
            for name, function in functions.items():
                start = time.perf_counter()
                function()
                times[name].append(time.perf_counter() - start)
        best = {name: min(values) for name, values in times.items()}
        median = {name: statistics.median(values) for name, values in times.items()}
        goal = f"  (goal {GOAL_SECONDS * 1e3:.0f} ms)" if case == "first draw" else ""
        print(f"{case:>10}: new {best['new'] * 1e3:6.1f} ms (median {median['new'] * 1e3:6.1f})   "
              f"baseline {best['baseline'] * 1e3:6.1f} ms (median {median['baseline'] * 1e3:6.1f})   "
              f"baseline/new {best['baseline'] / best['new']:4.1f}x best, "
              f"{median['baseline'] / median['new']:4.1f}x median{goal}")


if __name__ == "__main__":
    main()
