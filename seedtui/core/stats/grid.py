"""The WI x DO grid of a sweep: which trials the statistics use, and their scores.

Trials are folded from logs by ``seedtui.state``; this module only chooses and arranges
them. By default only completed trials are used; trials with another task or metric than the
majority, trials with no start event or no finite eval, and second logs of an already-used
(WI, DO) cell are left out, each with a reason.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from seedtui.core.direction import best_score
from seedtui.log.events import known_majority_baseline
from seedtui.state import TrialState

# Two eval positions (in epochs) closer than this are the same point in training.
_EPOCH_TOLERANCE = 1e-9


@dataclass
class SeedGrid:
    """The used trials of a sweep, as a WI x DO grid of best-found scores plus their curves."""

    metric: str
    greater_is_better: bool
    wi_seeds: list[int]
    do_seeds: list[int]
    scores: np.ndarray
    """(W, D) best-found score per cell in the metric's direction; NaN for missing cells."""
    trial_ids: list[str]
    """The used trials, in the order of the rows of ``curves``."""
    curves: np.ndarray
    """(N_used, E) eval scores in eval order, NaN-padded when trials have fewer evals."""
    epoch_end_mask: np.ndarray
    """(E,) True for the evals that end an epoch (the last eval always does)."""
    eval_steps: list[int]
    excluded: list[tuple[str, str]]
    """(trial id, reason) for every trial that was left out."""
    missing_cells: list[tuple[int, int]]
    """(WI seed, DO seed) pairs of the grid with no used trial (or no finite score)."""
    majority_baseline: float | None
    task: str | None = None
    cells: list[tuple[int, int]] = field(default_factory=list)
    """(row, column) of each used trial in ``scores``, in the order of ``trial_ids``."""

    @property
    def n_trials(self) -> int:
        return len(self.trial_ids)

    def cell_grid(self, per_trial: np.ndarray) -> np.ndarray:
        """Arrange one value per used trial into a (W, D) grid, NaN where no trial is."""
        out = np.full((len(self.wi_seeds), len(self.do_seeds)), np.nan)
        for (row, col), value in zip(self.cells, per_trial, strict=True):
            out[row, col] = value
        return out


def _epoch_end_mask(epochs: list[float]) -> np.ndarray:
    """An eval ends an epoch when it is the last eval at or before an epoch boundary.

    Eval i belongs to epoch ceil(epoch_i); it ends that epoch when the next eval belongs to a
    later one (or there is no next eval)."""
    if not epochs:
        return np.zeros(0, dtype=bool)
    owner = np.ceil(np.asarray(epochs, dtype=float) - _EPOCH_TOLERANCE)
    return np.append(owner[1:] > owner[:-1], True)


def build_grid(trials: list[TrialState], *, include_incomplete: bool = False) -> SeedGrid:
    """Choose the usable trials and arrange them by (WI, DO) seed.

    Used: trials whose status is ``completed`` (with ``include_incomplete``: any status) that
    have a start event, the majority (task, metric), seeds, and at least one finite eval. The
    first log of a (WI, DO) cell wins; later duplicates are excluded."""
    excluded: list[tuple[str, str]] = []
    started = []
    for trial in trials:
        if trial.start is None:
            excluded.append((trial.trial_id, "no start event"))
        else:
            started.append(trial)
    kinds = Counter((str(t.start.get("task")), str(t.metric)) for t in started if t.start is not None)
    majority_kind = kinds.most_common(1)[0][0] if kinds else (None, None)
    used: list[TrialState] = []
    seen: set[tuple[int, int]] = set()
    for trial in started:
        assert trial.start is not None
        kind = (str(trial.start.get("task")), str(trial.metric))
        if kind != majority_kind:
            excluded.append(
                (
                    trial.trial_id,
                    f"task/metric {kind[0]}/{kind[1]} differs from the majority "
                    f"{majority_kind[0]}/{majority_kind[1]}",
                )
            )
        elif trial.status != "completed" and not include_incomplete:
            excluded.append(
                (trial.trial_id, f"status {trial.status} (not completed; see --include-incomplete)")
            )
        elif trial.wi_seed is None or trial.do_seed is None:
            excluded.append((trial.trial_id, "no WI/DO seeds"))
        elif not any(math.isfinite(s) for s in trial.eval_scores):
            excluded.append((trial.trial_id, "no finite eval score"))
        elif (trial.wi_seed, trial.do_seed) in seen:
            excluded.append(
                (
                    trial.trial_id,
                    f"duplicate of cell wi{trial.wi_seed}-do{trial.do_seed} "
                    f"(first log used: {trial.log_path})",
                )
            )
        else:
            seen.add((trial.wi_seed, trial.do_seed))
            used.append(trial)
    greater_is_better = used[0].greater_is_better if used else True
    metric = majority_kind[1] or ""
    wi_seeds = sorted({int(t.wi_seed) for t in used if t.wi_seed is not None})
    do_seeds = sorted({int(t.do_seed) for t in used if t.do_seed is not None})
    wi_row = {seed: i for i, seed in enumerate(wi_seeds)}
    do_col = {seed: j for j, seed in enumerate(do_seeds)}
    scores = np.full((len(wi_seeds), len(do_seeds)), np.nan)
    cells = []
    for trial in used:
        cell = (wi_row[int(trial.wi_seed)], do_col[int(trial.do_seed)])  # type: ignore[arg-type]
        best = best_score(trial.eval_scores, greater_is_better)
        scores[cell] = math.nan if best is None else best
        cells.append(cell)
    evals = max((len(t.eval_scores) for t in used), default=0)
    curves = np.full((len(used), evals), np.nan)
    for row, trial in enumerate(used):
        curves[row, : len(trial.eval_scores)] = trial.eval_scores
    longest = max(used, key=lambda t: len(t.eval_scores), default=None)
    baselines = [baseline for t in used if t.start is not None
                 and (baseline := known_majority_baseline(t.start)) is not None]
    return SeedGrid(
        metric=metric,
        greater_is_better=greater_is_better,
        wi_seeds=wi_seeds,
        do_seeds=do_seeds,
        scores=scores,
        trial_ids=[t.trial_id for t in used],
        curves=curves,
        epoch_end_mask=_epoch_end_mask(longest.eval_epochs) if longest else np.zeros(0, dtype=bool),
        eval_steps=list(longest.eval_steps) if longest else [],
        excluded=excluded,
        missing_cells=[
            (wi, do)
            for i, wi in enumerate(wi_seeds)
            for j, do in enumerate(do_seeds)
            if not math.isfinite(scores[i, j])
        ],
        majority_baseline=Counter(baselines).most_common(1)[0][0] if baselines else None,
        task=majority_kind[0],
        cells=cells,
    )
