"""The trials table: its columns, how each sorts, and which rows a status filter keeps."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from seedtui.state import STATUSES, TrialState

# Column name -> how rows sort on it; None marks a missing value, which sorts last whatever the
# direction. Numbers sort as numbers, not as their text.
SortKey = Callable[[TrialState], Any]


def _number(value: float | int | None) -> float | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return float(value)


SORT_KEYS: dict[str, SortKey] = {
    "trial": lambda t: (t.wi_seed if t.wi_seed is not None else 1 << 30, t.do_seed or 0, t.trial_id),
    "wi": lambda t: _number(t.wi_seed),
    "do": lambda t: _number(t.do_seed),
    "status": lambda t: STATUSES.index(t.status) if t.status in STATUSES else len(STATUSES),
    "progress": lambda t: t.progress,
    "step": lambda t: t.last_step,
    "loss": lambda t: _number(t.last_loss()),
    "last": lambda t: _number(t.last_score()),
    "best": lambda t: _number(t.best_score()),
}
SORT_COLUMNS = tuple(SORT_KEYS)

STATUS_FILTERS: tuple[str | None, ...] = (None, *STATUSES)
"""Filter choices in the order a key cycles through them; None shows every trial."""


def visible_rows(
    trials: Mapping[str, TrialState] | Iterable[TrialState],
    *,
    sort_column: str = "trial",
    descending: bool = False,
    status_filter: str | None = None,
) -> list[str]:
    """Trial ids to show, filtered by status and sorted on ``sort_column``.

    Trials missing the sorted value stay at the bottom in both directions; ties keep trial order.
    """
    states = list(trials.values()) if isinstance(trials, Mapping) else list(trials)
    if status_filter is not None:
        states = [t for t in states if t.status == status_filter]
    states.sort(key=SORT_KEYS["trial"])
    key = SORT_KEYS[sort_column]
    keyed = [(key(t), t.trial_id) for t in states]
    present = [item for item in keyed if item[0] is not None]
    missing = [item for item in keyed if item[0] is None]
    present.sort(key=lambda item: item[0], reverse=descending)
    return [trial for _, trial in present] + [trial for _, trial in missing]


def next_in_cycle(options: tuple[Any, ...], current: Any) -> Any:
    """The option after ``current`` (wrapping); the first when ``current`` is not an option."""
    try:
        return options[(options.index(current) + 1) % len(options)]
    except ValueError:
        return options[0]
