"""Enter: one trial full screen. Its validation curve with a value cursor (left/right), its training
loss raw (faint) and smoothed, its configuration (the start event) and a live tail of its stderr.
Trials marked with ``m`` in the table are drawn faint behind its validation curve, to compare."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from seedtui.core.view.curves import downsample_mean, epochs_of_steps, rasterize, smooth_ema, value_range
from seedtui.log.files import STDERR_FILE
from seedtui.log.text_tail import read_text_tail
from seedtui.state import TrialState
from seedtui.text.terminal import printable
from seedtui.tui.renderables.curves import GUTTER, CurvesRenderable, PlotSpec, split_height
from seedtui.tui.renderables.palette import STATUS_STYLES
from seedtui.tui.widgets.footer import FittedFooter

REFRESH_SECONDS = 1.0
"""How often the open trial's curves and stderr are read again (a live trial keeps logging)."""
STDERR_LINES = 200
CONFIG_FIELDS = ("task", "model", "metric", "wi_seed", "do_seed", "epochs", "steps_per_epoch",
                 "evals_per_epoch", "batch_size", "lr", "train_size", "eval_size", "majority_baseline",
                 "host", "device")


def config_text(state: TrialState) -> Text:
    """The trial's configuration as its start event records it, one ``name value`` per line."""
    text = Text("configuration\n", style="bold", no_wrap=True, overflow="ellipsis")
    start = state.start
    if start is None:
        return text.append("(no start event yet: the trial has not started)", "dim")
    for name in CONFIG_FIELDS:
        if name in start:
            text.append(f"{name:<18}", "dim")
            text.append(f"{start[name]}\n")
    extra = start.get("config")
    if isinstance(extra, Mapping):
        for name, value in extra.items():
            text.append(f"{str(name):<18}", "dim")
            text.append(f"{value}\n")
    return text


def cursor_readout(state: TrialState, index: int) -> Text:
    """What the value cursor points at: evaluation ``index``'s step, epoch and score."""
    if not state.eval_scores:
        return Text("no evaluation yet", style="dim")
    metric = state.start["metric"] if state.start else "score"
    step = state.eval_steps[index] if index < len(state.eval_steps) else "?"
    epoch = state.eval_epochs[index] if index < len(state.eval_epochs) else float("nan")
    text = Text(f"eval {index + 1}/{len(state.eval_scores)}", style="bold")
    text.append(f"  step {step}  epoch {epoch:.2f}  {metric} ")
    text.append(f"{state.eval_scores[index]:.4f}", "bold green")
    text.append("   (←/→, home/end)", "dim")
    return text


class TrialDetailScreen(Screen[None]):
    """``trial_id`` read from ``trials`` (the app's live model) on every refresh."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("left,h", "move_cursor(-1)", "Previous eval"),
        Binding("right,l", "move_cursor(1)", "Next eval"),
        Binding("home", "cursor_to(0)", "First eval", show=False),
        Binding("end", "cursor_to(-1)", "Last eval", show=False),
    ]

    def __init__(self, trial_id: str, trials: Callable[[], Mapping[str, TrialState]],
                 marked: list[str] | None = None) -> None:
        super().__init__()
        self.trial_id = trial_id
        self.trials = trials
        self.marked = [t for t in (marked or []) if t != trial_id]
        self.cursor: int | None = None
        """Index of the evaluation under the value cursor; None follows the latest."""

    def compose(self) -> ComposeResult:
        with Vertical(id="detail"):
            yield Static(id="detail-title")
            yield Static(id="detail-curves")
            yield Static(id="detail-readout")
            with Horizontal(id="detail-bottom"):
                yield Static(id="detail-config")
                yield Static(id="detail-stderr")
        yield FittedFooter()

    def on_mount(self) -> None:
        self.refresh_view()
        self.set_interval(REFRESH_SECONDS, self.refresh_view)

    @property
    def state(self) -> TrialState | None:
        return self.trials().get(self.trial_id)

    def cursor_index(self) -> int:
        state = self.state
        count = len(state.eval_scores) if state is not None else 0
        if count == 0:
            return 0
        return count - 1 if self.cursor is None else min(max(0, self.cursor), count - 1)

    def action_move_cursor(self, delta: int) -> None:
        self.cursor = self.cursor_index() + delta
        self.refresh_view()

    def action_cursor_to(self, index: int) -> None:
        self.cursor = None if index < 0 else index
        self.refresh_view()

    def on_resize(self) -> None:
        self.refresh_view()

    def refresh_view(self) -> None:
        state = self.state
        if state is None:
            self.query_one("#detail-title", Static).update(Text(f"{self.trial_id}: no such trial", "red"))
            return
        title = Text(state.trial_id, style="bold")
        title.append(f"  {state.status}", STATUS_STYLES.get(state.status, ""))
        best = state.best_score()
        title.append(f"  {state.progress:.0%} done  best {'-' if best is None else f'{best:.4f}'}")
        if self.marked:
            title.append("   compared with (faint): " + ", ".join(self.marked), "dim")
        title.append("   esc: back", "dim")
        self.query_one("#detail-title", Static).update(title)
        self.query_one("#detail-curves", Static).update(self._curves(state))
        self.query_one("#detail-readout", Static).update(cursor_readout(state, self.cursor_index()))
        self.query_one("#detail-config", Static).update(config_text(state))
        self.query_one("#detail-stderr", Static).update(self._stderr(state))

    def _stderr(self, state: TrialState) -> Text:
        text = Text("stderr (live tail)\n", style="bold", no_wrap=True, overflow="ellipsis")
        if state.log_path is None:
            return text.append("(no log yet)", "dim")
        tail = read_text_tail(Path(state.log_path).parent / STDERR_FILE, max_lines=STDERR_LINES)
        lines = printable(tail, multiline=True).splitlines()[-max(1, self.size.height // 3):]
        return text.append("\n".join(lines) if lines else "(empty)", "" if lines else "dim")

    def _curves(self, state: TrialState) -> CurvesRenderable | Text:
        widget = self.query_one("#detail-curves", Static)
        width, height = widget.content_size.width, widget.content_size.height
        if width < GUTTER + 10 or height < 8:
            return Text("(too small to plot)", style="dim")
        epochs = float(state.start["epochs"]) if state.start else 1.0
        x_range = (0.0, epochs)
        heights = split_height(height, 2)
        return CurvesRenderable([self._score_spec(state, x_range, width, heights[0]),
                                 self._loss_spec(state, x_range, width, heights[1])], plot_heights=heights)

    def _score_spec(self, state: TrialState, x_range: tuple[float, float], width: int,
                    height: int) -> PlotSpec:
        px_w, px_h = max(1, width - GUTTER) * 2, max(1, height - 2) * 4
        curve = (np.asarray(state.eval_epochs, dtype=float), np.asarray(state.eval_scores, dtype=float))
        trials = self.trials()
        others = [trials[t] for t in self.marked if t in trials and trials[t].eval_scores]
        other_curves = [(np.asarray(o.eval_epochs, dtype=float), np.asarray(o.eval_scores, dtype=float))
                        for o in others]
        y_range = value_range([curve[1], *(c[1] for c in other_curves)])
        mask = rasterize(other_curves, x_range, y_range, px_w, px_h)
        index = self.cursor_index()
        cursor_x = float(curve[0][index]) if curve[0].size else None
        metric = state.start["metric"] if state.start else "score"
        return PlotSpec(f"validation {metric}", x_range, y_range, mask, curve if curve[0].size else None,
                        points=curve if curve[0].size else None, stop_x=cursor_x,
                        stop_label=f"cursor: eval {index + 1}" if cursor_x is not None else "", color="green")

    def _loss_spec(self, state: TrialState, x_range: tuple[float, float], width: int,
                   height: int) -> PlotSpec:
        px_w, px_h = max(1, width - GUTTER) * 2, max(1, height - 2) * 4
        xs = epochs_of_steps(state, state.train_steps)
        raw = np.asarray(state.train_losses, dtype=float)
        smoothed = smooth_ema(raw)
        raw_curve = (downsample_mean(xs, px_w), downsample_mean(raw, px_w))
        finite = raw[np.isfinite(raw)]
        y_range = value_range([np.percentile(finite, [1, 99])]) if finite.size else (0.0, 1.0)
        mask = rasterize([raw_curve] if raw.size else [], x_range, y_range, px_w, px_h)
        curve = (downsample_mean(xs, px_w), downsample_mean(smoothed, px_w)) if raw.size else None
        return PlotSpec("training loss (smoothed; raw faint)", x_range, y_range, mask, curve, color="yellow")

