"""The curves pane: selected trial large, the others faint behind (background cached)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence

import numpy as np
from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

from seedtui.core.view.curves import (
    downsample_mean,
    epochs_of_steps,
    rasterize,
    rasterize_many,
    steps_per_epoch,
    value_range,
)
from seedtui.core.view.sweep_model import SweepModel
from seedtui.state import TrialState
from seedtui.state.series import Series
from seedtui.tui.renderables.curves import GUTTER, CurvesRenderable, PlotSpec, split_height
from seedtui.tui.renderables.palette import STATUS_STYLES
from seedtui.tui.renderables.strips import StripCache, changed_lines

BACKGROUND_REFRESH_SECONDS = 1.0
"""The faint curves of 625 trials are redrawn at most this often; the selected one every frame."""


Curve = tuple[np.ndarray, np.ndarray]


def loss_curve(state: TrialState, points: int) -> Curve:
    """The trial's loss against epochs, bucket-averaged down to ``points``."""
    return loss_curves([state], points)[0]


def loss_curves(states: Sequence[TrialState], points: int) -> list[Curve]:
    """``loss_curve`` of every state, built in batches (625 faint curves are drawn from these):
    the losses of trials with as many points are converted and downsampled as the rows of one
    array, and trials logged at the same steps (most trials of a sweep) share one array of xs.
    The arrays are read-only."""
    curves: list[Curve | None] = [None] * len(states)
    by_size: dict[int, list[int]] = {}
    for index, state in enumerate(states):
        if len(state.train_steps) != len(state.train_losses):
            raise ValueError(f"trial {state.trial_id}: {len(state.train_steps)} train steps, "
                             f"{len(state.train_losses)} losses")
        by_size.setdefault(len(state.train_losses), []).append(index)
    for size, members in by_size.items():
        losses = np.concatenate([np.asarray(states[i].train_losses, dtype=float) for i in members])
        rows = downsample_mean(losses.reshape(len(members), size), points)
        rows.flags.writeable = False
        # the xs of the steps met so far: comparing two trials' steps costs less than converting
        # and downsampling them (a few patterns are kept; a sweep's trials mostly share one)
        known: list[tuple[Series, float, np.ndarray]] = []
        for index, row in zip(members, rows, strict=True):
            state = states[index]
            steps, divisor = state.train_steps, steps_per_epoch(state)
            same = (xs for known_steps, known_divisor, xs in known
                    if known_divisor == divisor and known_steps == steps)
            xs = next(same, None)
            if xs is None:
                xs = downsample_mean(epochs_of_steps(state, steps), points)
                xs.flags.writeable = False
                if len(known) < 4:
                    known.append((steps, divisor, xs))
            curves[index] = (xs, row)
    return [curve for curve in curves if curve is not None]  # every one is set


def score_curve(state: TrialState) -> Curve:
    return np.asarray(state.eval_epochs, dtype=float), np.asarray(state.eval_scores, dtype=float)


def score_curves(states: Sequence[TrialState]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every state's ``score_curve`` end to end, and how many points each has (``rasterize_many``'s
    input): two conversions in all instead of two per trial."""
    lengths = np.fromiter((len(state.eval_scores) for state in states), dtype=np.int64, count=len(states))
    if any(len(state.eval_epochs) != len(state.eval_scores) for state in states):
        raise ValueError("a trial has evaluations without a score or an epoch")
    total = int(lengths.sum())
    xs = np.fromiter(itertools.chain.from_iterable(state.eval_epochs for state in states), dtype=float,
                     count=total)
    ys = np.fromiter(itertools.chain.from_iterable(state.eval_scores for state in states), dtype=float,
                     count=total)
    return xs, ys, lengths


class CurvesPane(Widget):
    """Validation score and training loss of the selected trial against epochs."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.model: SweepModel | None = None
        self.selected_trial: str | None = None
        self._data_version = 0
        self._x_range_cache: tuple[float, float] | None = None
        self._metric: str | None = None
        self._baseline: float | None = None
        self.node_labels: dict[str, str] = {}
        """Trial id -> node, when the sweep spans several (shown after the trial's id)."""
        # kind -> (size key, data version, built at, mask, y range)
        self._background: dict[
            str, tuple[tuple[object, ...], int, float, np.ndarray, tuple[float, float]]
        ] = {}
        self._strips = StripCache()
        self._loss_curves: dict[str, tuple[Series, tuple[object, ...], Curve]] = {}
        """Trial id -> (its loss list, what the curve was built from, the faint loss curve)."""
        self._background_timer: Timer | None = None
        self._lines_key: tuple[object, ...] | None = None
        self._lines: list[Text] | None = None
        self._base_style = Style()

    def update_model(self, model: SweepModel) -> None:
        self.model = model
        self._data_version += 1
        self._x_range_cache = None
        self.refresh()

    def select(self, trial_id: str | None) -> None:
        """Show ``trial_id`` large; only the lines that change are drawn again (the faint curves'
        rows that neither the old nor the new trial's curve crosses stay)."""
        self.selected_trial = trial_id
        before = self._lines
        changed = changed_lines(before, self._current_lines()) if self.content_size.width else None
        if changed is None:
            self.refresh()
        for y in changed or ():
            self.refresh(Region(0, y, self.content_size.width, 1))

    # --- building the plots ------------------------------------------------------------------------
    def _x_range(self, model: SweepModel) -> tuple[float, float]:
        # computed once per data update, not on every cursor move
        if self._x_range_cache is None:
            epochs = [float(t.start["epochs"]) for t in model.trials.values() if t.start is not None]
            self._x_range_cache = (0.0, max(epochs) if epochs else 1.0)
            start = model.first_start()  # it looks through every trial: once per update too
            self._metric = start["metric"] if start else None
            self._baseline = model.majority_baseline
        return self._x_range_cache

    def _background_for(
        self, kind: str, px_w: int, px_h: int, x_range: tuple[float, float]
    ) -> tuple[np.ndarray, tuple[float, float]]:
        """The faint mask and y range of every trial's curve, rebuilt at most once a second
        (and whenever the plot's size changes)."""
        assert self.model is not None
        cached = self._background.get(kind)
        size_key = (px_w, px_h, x_range)
        if cached is not None and cached[0] == size_key:
            stale = cached[1] != self._data_version
            age = time.monotonic() - cached[2]
            if stale and age < BACKGROUND_REFRESH_SECONDS:
                self._refresh_background_later(BACKGROUND_REFRESH_SECONDS - age)
            if not stale or age < BACKGROUND_REFRESH_SECONDS:
                return cached[3], cached[4]
        trials = list(self.model.trials.values())
        if kind == "score":  # every trial's evaluations end to end, drawn at once
            xs, ys, lengths = score_curves([t for t in trials if t.eval_scores])
            self._x_range(self.model)
            baseline = self._baseline
            extra = [np.array([baseline])] if baseline is not None else []
            y_range = value_range([ys, *extra])
            mask = rasterize_many(xs, ys, lengths, x_range, y_range, px_w, px_h)
        else:
            curves = self._faint_loss_curves([t for t in trials if t.train_losses], px_w)
            y_range = _robust_range([c[1] for c in curves])
            mask = rasterize(curves, x_range, y_range, px_w, px_h)
        self._background[kind] = (size_key, self._data_version, time.monotonic(), mask, y_range)
        return mask, y_range

    def _refresh_background_later(self, seconds: float) -> None:
        """Draw again once the faint curves may be rebuilt: data that stops arriving (a replay
        jumped to its end, a finished sweep) must not leave them showing an older state."""
        if self._background_timer is None:
            self._background_timer = self.set_timer(seconds + 0.01, self._background_due)

    def _background_due(self) -> None:
        self._background_timer = None
        self._lines_key = None  # the lines are built again, with the faint curves rebuilt
        self.refresh()

    def _faint_loss_curves(self, states: Sequence[TrialState], points: int) -> list[Curve]:
        """``loss_curve`` of each faint trial, kept until its loss grows or the plot's width
        changes (converting 625 trials' 500 losses to arrays was most of redrawing the faint
        curves); those not kept are built together (``loss_curves``)."""
        curves: list[Curve | None] = []
        missing: list[tuple[int, tuple[object, ...]]] = []
        for state in states:
            key: tuple[object, ...] = (
                len(state.train_losses), state.train_steps[-1] if state.train_steps else None,
                state.start is not None and state.start.get("steps_per_epoch"), points)
            cached = self._loss_curves.get(state.trial_id)
            # the list itself, not only its length: a log read again from the start (a re-run)
            # gets a new list (TrialState.reset)
            if cached is not None and cached[0] is state.train_losses and cached[1] == key:
                curves.append(cached[2])
            else:
                missing.append((len(curves), key))
                curves.append(None)
        built = loss_curves([states[index] for index, _ in missing], points)
        for (index, key), curve in zip(missing, built, strict=True):
            self._loss_curves[states[index].trial_id] = (states[index].train_losses, key, curve)
            curves[index] = curve
        return [curve for curve in curves if curve is not None]

    def _spec(self, kind: str, state: TrialState | None, width: int, height: int) -> PlotSpec:
        assert self.model is not None
        x_range = self._x_range(self.model)
        px_w, px_h = max(1, width - GUTTER) * 2, max(1, height - 2) * 4
        mask, y_range = self._background_for(kind, px_w, px_h, x_range)
        stop_x = None
        stop_label = ""
        if state is not None and state.status == "stopped" and state.end_step is not None and state.start:
            stop_x = float(epochs_of_steps(state, [state.end_step])[0])
            stop_label = f"stopped by {state.stopped_by or '?'} at {state.progress:.0%}"
        if kind == "score":
            curve = score_curve(state) if state is not None and state.eval_scores else None
            title = f"validation {self._metric or 'score'}"
            return PlotSpec(
                title,
                x_range,
                y_range,
                mask,
                curve,
                points=curve,
                stop_x=stop_x,
                stop_label=stop_label,
                color="green",
            )
        curve = loss_curve(state, px_w) if state is not None and state.train_losses else None
        return PlotSpec("training loss", x_range, y_range, mask, curve, stop_x=stop_x, color="yellow")

    # --- drawing, line by line -------------------------------------------------------------------
    def _current_lines(self) -> list[Text]:
        """The pane's lines, built again only when what they show changed."""
        key = (self.content_size, self.selected_trial, self._data_version,
               self.node_labels.get(self.selected_trial or ""))
        if key != self._lines_key or self._lines is None:
            rendered = self.render()
            width = self.content_size.width
            self._lines = rendered.lines(width) if isinstance(rendered, CurvesRenderable) else [rendered]
            self._lines_key = key
        return self._lines

    def render_lines(self, crop: Region) -> list[Strip]:
        # each line is converted to a strip unless an identical line was drawn before
        self._current_lines()
        self._base_style = self.rich_style
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width, lines = self.content_size.width, self._lines or []
        if y >= len(lines):
            return Strip.blank(width, self._base_style)
        # below the heading every character of a plot line is one cell wide
        return self._strips.strip(lines[y], width, self._base_style, self.app.console, single_cell=y > 0)

    def render(self) -> CurvesRenderable | Text:
        model = self.model
        if model is None or not model.trials:
            return Text("no trials yet", style="dim")
        width, height = self.content_size.width, self.content_size.height
        state = model.trials.get(self.selected_trial) if self.selected_trial else None
        heading = Text()
        if state is not None:
            heading.append(state.trial_id, "bold")
            heading.append(f" {state.status}", STATUS_STYLES.get(state.status, ""))
            node = self.node_labels.get(state.trial_id)
            if node is not None:
                heading.append(f" on {node}", "cyan")
            best = state.best_score()
            heading.append("  best " + ("-" if best is None else f"{best:.4f}"))
        heading.append(f"   others faint ({len(model.trials) - (1 if state else 0)})", "dim")
        heights = split_height(height - 1, 2)
        specs = [
            self._spec(kind, state, width, h) for kind, h in zip(("score", "loss"), heights, strict=True)
        ]
        return CurvesRenderable(specs, heading=heading, plot_heights=heights)


def _robust_range(arrays: list[np.ndarray]) -> tuple[float, float]:
    """The 1st to 99th percentile of finite values, so one diverged loss does not flatten the rest."""
    values = np.concatenate(arrays) if arrays else np.empty(0)  # 625 curves: one array, one pass
    values = values[np.isfinite(values)]
    if not values.size:
        return (0.0, 1.0)
    low, high = np.percentile(values, [1, 99])
    return value_range([np.array([low, high])])
