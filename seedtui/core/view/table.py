"""The trials table: its columns, how each sorts, and which rows a status filter keeps."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from seedtui.state import STATUSES, TrialState, count_by_status

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
    search: str = "",
) -> list[str]:
    """Trial ids to show, filtered by status and by ``search`` (a case-insensitive part of the trial
    id, e.g. ``do3``), sorted on ``sort_column``.

    Trials missing the sorted value stay at the bottom in both directions; ties keep trial order.
    """
    states = list(trials.values()) if isinstance(trials, Mapping) else list(trials)
    if status_filter is not None:
        states = [t for t in states if t.status == status_filter]
    if search:
        states = [t for t in states if search.lower() in t.trial_id.lower()]
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


def next_status_filter(trials: Iterable[TrialState], current: str | None) -> str | None:
    """The filter after ``current`` among "all" (None) and the statuses some trial has now: a status
    with no trial would only show an empty table."""
    present = {status for status, n in count_by_status(trials).items() if n}
    options = tuple(f for f in STATUS_FILTERS if f is None or f in present)
    return next_in_cycle(options, current)


def table_title(count: int, total: int, *, sort_column: str, descending: bool,
                status_filter: str | None, search: str) -> str:
    """The table's title: how many trials it shows, and the active sort, filter and search."""
    parts = [f"trials {count}" if count == total else f"trials {count} of {total}",
             f"sort {sort_column} {'↓' if descending else '↑'}"]
    if status_filter is not None:
        parts.append(f"status {status_filter}")
    if search:
        parts.append(f"search '{search}'")
    return " · ".join(parts)


def empty_table_reason(total: int, *, status_filter: str | None, search: str) -> str:
    """Why the table shows no row, and the key that changes it."""
    if total == 0:
        return "No trial yet: waiting for the sweep's first trial."
    if search and status_filter is not None:
        return f"No {status_filter} trial matches '{search}' (/ or f to change)."
    if search:
        return f"No trial matches '{search}' (/ then enter clears the search)."
    return f"No {status_filter} trial now (f shows the next status)."


def score_range(trials: Iterable[TrialState]) -> tuple[float, float] | None:
    """The lowest and highest finite validation score of any trial: the shared sparkline scale."""
    finite = [v for t in trials for v in t.eval_scores if math.isfinite(v)]
    return (min(finite), max(finite)) if finite else None
