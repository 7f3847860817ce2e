"""Where a person asks a replay to go (``seek``): a share of the replay or an evaluation, as typed
in the TUI's seek prompt. Pure; the timeline does the moving (``ReplayTimeline.seek``)."""

from __future__ import annotations

from dataclasses import dataclass

from seedtui.core.replay import ReplayTimeline


@dataclass(frozen=True)
class SeekTarget:
    """Where a person asked the replay to go: a fraction of its duration or an evaluation."""

    fraction: float | None = None
    eval_number: int | None = None
    """1-based: the moment the first trial records evaluation ``eval_number``."""

    def position(self, timeline: ReplayTimeline) -> float | None:
        if self.fraction is not None:
            return self.fraction * timeline.end_position()
        return None if self.eval_number is None else timeline.eval_position(self.eval_number)


class SeekError(ValueError):
    """A seek target that cannot be read; the message says what to type."""


def parse_seek(text: str) -> SeekTarget:
    """A seek target as typed: ``50%`` or ``0.5`` (a fraction of the replay), ``e7`` or ``eval 7``
    (when the first trial records its 7th evaluation)."""
    cleaned = text.strip().lower()
    try:
        if cleaned.startswith(("e", "eval")):
            number = int(cleaned.removeprefix("eval").removeprefix("e").strip())
            if number < 1:
                raise SeekError("evaluations count from 1: type e1 for the first")
            return SeekTarget(eval_number=number)
        fraction = float(cleaned[:-1]) / 100 if cleaned.endswith("%") else float(cleaned)
    except ValueError as error:
        if isinstance(error, SeekError):
            raise
        raise SeekError(
            f"type a share of the replay (50% or 0.5) or an evaluation (e7), not {text.strip()!r}"
        ) from None
    if not 0.0 <= fraction <= 1.0:
        raise SeekError(f"a share of the replay is between 0 and 1 (0% and 100%), not {text.strip()}")
    return SeekTarget(fraction=fraction)
