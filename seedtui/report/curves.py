"""Figure 4: validation curves of up to 20 trials drawn at random (with a fixed seed)."""

from __future__ import annotations

import matplotlib

from seedtui.report.arrays import sample_indices
from seedtui.report.figure import CannotDraw, Drawn, FigureSpec, majority_baseline, metric_label, require_grid
from seedtui.report.inputs import ReportInputs
from seedtui.report.render import new_figure

CURVES_SHOWN = 20


def draw(inputs: ReportInputs) -> Drawn:
    grid = require_grid(inputs)
    trials = inputs.trials_by_id
    candidates = [trials[i] for i in grid.trial_ids if i in trials and trials[i].eval_scores]
    if not candidates:
        raise CannotDraw("No trial has an evaluation yet.")
    chosen = [candidates[i] for i in sample_indices(len(candidates), CURVES_SHOWN, inputs.seed)]
    figure = new_figure(6.4, 4.0)
    axes = figure.add_subplot()
    colours = _colours(len(chosen))
    for colour, trial in zip(colours, chosen, strict=True):
        axes.plot(trial.eval_epochs, trial.eval_scores, color=colour, linewidth=1.1, alpha=0.85,
                  marker="o" if len(trial.eval_scores) == 1 else None, markersize=3)
    baseline = majority_baseline(inputs)
    if baseline is not None:
        axes.axhline(baseline, color="#777777", linewidth=0.9, linestyle=":", label="majority baseline")
        axes.legend(loc="best")
    axes.set_xlabel("epoch")
    axes.set_ylabel(metric_label(inputs))
    note = f"{len(chosen)} of {len(candidates)} trials, drawn with seed {inputs.seed}."
    return Drawn(figure, note=note)


def _colours(count: int) -> list[tuple[float, float, float, float]]:
    colour_map = matplotlib.colormaps["tab20"]
    return [colour_map(i % 20) for i in range(count)] if count else []


SPEC = FigureSpec(
    key="fig-curves",
    title="Validation curves",
    paper_figure="Figure 4",
    caption=(
        "The score at each evaluation during training, for trials drawn at random without "
        "replacement (numpy default_rng with the report's seed) from the trials the statistics use. "
        "Curves that cross show why stopping on early scores can discard eventually good trials."
    ),
    draw=draw,
)
