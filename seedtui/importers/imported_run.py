"""One run read by an importer, before it is written as a trial's event log."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from seedtui.log import is_finite_number

# Substrings of metric names whose smaller values are better (losses, error rates, perplexity):
# the default direction when the person importing does not give one.
_LOWER_IS_BETTER_MARKERS = ("loss", "perplexity", "error", "wer", "cer", "mse", "mae", "rmse")


class ImportInputError(ValueError):
    """Input an importer cannot turn into a sweep; the message says what and where."""


@dataclass(frozen=True)
class EvalPoint:
    """One evaluation: its step, epoch (step / steps per epoch), primary score and every metric."""

    step: int
    epoch: float
    score: float
    metrics: dict[str, float]


@dataclass(frozen=True)
class TrainPoint:
    """One logged training loss (as the run logged it: HF averages it over ``logging_steps``)."""

    step: int
    epoch: float
    loss: float
    lr: float


@dataclass
class ImportedRun:
    """What the event log of one imported trial needs; unknown sizes are 0 and an unknown learning
    rate or majority baseline is NaN (docs/log-format.md, "Imported sweeps")."""

    source: str
    """The file or directory it was read from (``imported_from`` in its start event)."""
    metric: str
    greater_is_better: bool
    evals: list[EvalPoint]
    trains: list[TrainPoint]
    total_steps: int
    steps_per_epoch: int
    evals_per_epoch: int
    completed: bool
    """Whether it trained all ``total_steps``; otherwise it is imported as ``stopped``."""
    wi_seed: int = 0
    do_seed: int = 0
    batch_size: int = 0
    lr: float = math.nan
    seconds_per_step: float = 1.0
    end_time: float = 0.0
    """Unix time of its last step (the file's modification time); replay timing is rebuilt from it."""
    model: str = "unknown"
    details: dict[str, Any] = field(default_factory=dict)
    """Scalar facts of the source kept in the start event's ``config`` (e.g. HF's ``best_metric``)."""

    @property
    def last_step(self) -> int:
        return max([point.step for point in self.evals] + [point.step for point in self.trains])

    @property
    def planned_evals(self) -> int:
        """Evaluations of a full training (the start event's ``evals``, which the t/f/p rule counts
        milestones in): those logged, scaled up for a run that ended early."""
        if self.completed:
            return len(self.evals)
        return max(len(self.evals), round(len(self.evals) * self.total_steps / max(1, self.last_step)))

    @property
    def epochs(self) -> float:
        return self.total_steps / self.steps_per_epoch


def default_greater_is_better(metric: str) -> bool:
    """The direction of a metric known only by its name: lower for losses and error rates."""
    name = metric.lower()
    return not any(marker in name for marker in _LOWER_IS_BETTER_MARKERS)


def finite_float(value: Any) -> float | None:
    """``value`` as a float when it is a finite number (by the log's one rule), else None."""
    return float(value) if is_finite_number(value) else None


def is_number(value: Any) -> bool:
    """A JSON number, NaN and infinities included (a diverged run's score), but not a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)
