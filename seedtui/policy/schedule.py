"""When a trial evaluates: ``evals_per_epoch`` evaluations per epoch, placed by the trainer's protocol.

The trainer evaluates exactly at these steps, and every reader that needs to know how many
evaluations a trial will make (the t/f/p milestone, the planner) derives it from the same function
and the ``start`` event's fields (the protocol is the ``protocol`` of its ``config``), never from its
own arithmetic. The protocols (docs/protocol.md):

- ``default``: evenly spaced, the last exactly at the epoch's end;
- ``dodge2020``: where the authors' code of Dodge et al. (2020) evaluated, the first after one step.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PROTOCOLS = ("default", "dodge2020")
"""The trainer's protocols (``--protocol``, ``[trainer] protocol``): docs/protocol.md."""


@dataclass(frozen=True)
class ScheduledEval:
    step: int
    """Optimizer steps done when this evaluation runs."""
    index: int
    """0-based position in the trial's schedule (the ``eval_index`` of the eval event)."""
    epoch_end: bool


def steps_per_epoch(train_size: int, batch_size: int) -> int:
    """Batches per epoch; the last batch of an epoch may be smaller (it is kept, as in HF's loaders)."""
    return math.ceil(train_size / batch_size)


def eval_schedule(steps_in_epoch: int, evals_per_epoch: int, epochs: int, *,
                  protocol: str) -> list[ScheduledEval]:
    """The trial's evaluations: ``evals_per_epoch`` per epoch, at the offsets ``protocol`` puts them.

    ``default``: evaluation k (1-based) of an epoch runs after ``floor(k * steps_in_epoch /
    evals_per_epoch)`` of its steps, so the last is exactly at the epoch's end.

    ``dodge2020``: evaluation j (0-based) of an epoch runs after ``1 + j * (steps_in_epoch //
    evals_per_epoch)`` of its steps: the authors evaluated after the batches whose 0-based index in the
    epoch is a multiple of ``len(loader) // 10`` (their 10 evaluations per epoch), so the first comes
    after one step and the epoch's last steps are not evaluated.

    Under both, an epoch with fewer steps than evaluations evaluates once per step. ``epoch_end`` marks
    the last evaluation of each epoch. Raises ValueError for a protocol not in ``PROTOCOLS``.
    """
    if protocol == "default":
        ends = {(k * steps_in_epoch) // evals_per_epoch for k in range(1, evals_per_epoch + 1)}
        offsets = sorted(ends - {0})
    elif protocol == "dodge2020":
        spacing = max(1, steps_in_epoch // evals_per_epoch)
        offsets = [1 + j * spacing for j in range(min(evals_per_epoch, steps_in_epoch))]
    else:
        raise ValueError(f"unknown protocol {protocol!r} (known: {', '.join(PROTOCOLS)})")
    schedule: list[ScheduledEval] = []
    for epoch in range(epochs):
        for offset in offsets:
            schedule.append(ScheduledEval(step=epoch * steps_in_epoch + offset, index=len(schedule),
                                          epoch_end=offset == offsets[-1]))
    return schedule


def planned_eval_count(evals_per_epoch: int, epochs: int, *, protocol: str,
                       steps_in_epoch: int | None = None) -> int:
    """Evaluations of a full training under ``protocol``, before the data (and so ``steps_in_epoch``)
    is known: ``evals_per_epoch * epochs``, which both protocols make whenever an epoch has at least
    ``evals_per_epoch`` steps (the engine's count for t/f/p; the trainer snaps to its own schedule when
    an epoch is shorter). With ``steps_in_epoch``, the exact length of :func:`eval_schedule`."""
    if steps_in_epoch is not None:
        return _schedule_length(steps_in_epoch, evals_per_epoch, epochs, protocol)
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r} (known: {', '.join(PROTOCOLS)})")
    return evals_per_epoch * epochs


@functools.lru_cache(maxsize=256)
def _schedule_length(steps_in_epoch: int, evals_per_epoch: int, epochs: int, protocol: str) -> int:
    # readers ask for every trial's count on every refresh: the few distinct shapes are counted once
    return len(eval_schedule(steps_in_epoch, evals_per_epoch, epochs, protocol=protocol))


def start_protocol(start: Mapping[str, Any]) -> str:
    """The protocol of the trial of this ``start`` event: its config's ``protocol``; ``default`` for
    logs written before protocols existed and for trainers that do not say."""
    config = start.get("config")
    protocol = config.get("protocol") if isinstance(config, Mapping) else None
    return protocol if isinstance(protocol, str) else "default"


def scheduled_eval_count(start: Mapping[str, Any]) -> int | None:
    """How many evaluations the trial of this ``start`` event makes when it trains to the end.

    A ``start`` event may say so itself (``evals``, written by trainers whose schedule is their own);
    otherwise it is the length of :func:`eval_schedule` over its ``steps_per_epoch``,
    ``evals_per_epoch``, ``epochs`` and protocol (:func:`start_protocol`). None when the fields do not
    describe a schedule."""
    given = start.get("evals")
    if isinstance(given, int) and not isinstance(given, bool) and given > 0:
        return given
    try:
        steps = int(start["steps_per_epoch"])
        per_epoch = int(start["evals_per_epoch"])
        epochs = float(start["epochs"])
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    if steps < 1 or per_epoch < 1 or not math.isfinite(epochs) or epochs < 1 or epochs != int(epochs):
        return None
    try:
        return planned_eval_count(per_epoch, int(epochs), protocol=start_protocol(start),
                                  steps_in_epoch=steps)
    except ValueError:  # a protocol this version does not know
        return None
