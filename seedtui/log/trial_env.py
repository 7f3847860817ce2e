"""What a command-template trial is told about itself: environment variables and placeholders.

A sweep whose ``[trainer]`` has a ``command`` runs any training script as a trial. The engine tells
the script which trial it is in two ways that always agree, because both come from one
:class:`TrialEnvironment`: placeholders in the command (``{wi}``, ``{trial_dir}``, ...) and
environment variables (``SEEDTUI_WI_SEED``, ``SEEDTUI_TRIAL_DIR``, ...). The engine writes them
(``seedtui.core.engine.command_trial``, which fills the template with :func:`expand_command`; the
config checks it with :func:`command_problem`) and the logging client reads them
(``seedtui.client``); neither spells a name this module does not define. Documented in
docs/byo-trainer.md.
"""

from __future__ import annotations

import os
import string
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedtui.log.files import CHECKPOINT_DIR, trial_id

ENV_TRIAL_DIR = "SEEDTUI_TRIAL_DIR"
ENV_TRIAL = "SEEDTUI_TRIAL"
ENV_WI_SEED = "SEEDTUI_WI_SEED"
ENV_DO_SEED = "SEEDTUI_DO_SEED"
ENV_DEVICE = "SEEDTUI_DEVICE"
ENV_STOP_AT_FRACTION = "SEEDTUI_STOP_AT_FRACTION"
"""The t/f/p milestone as a fraction of training; empty when the trial trains to its end."""
ENV_RESUME = "SEEDTUI_RESUME"
"""``1`` when the trial continues from the checkpoint of its suspended run, else ``0``."""
ENV_CHECKPOINT_DIR = "SEEDTUI_CHECKPOINT_DIR"
"""Where the trial keeps its suspend/resume checkpoint; deleted once its fate is final."""
ENV_PYTHON = "SEEDTUI_PYTHON"
"""The interpreter seedtui runs in (``{python}``: a script run with it finds seedtui's client)."""

# placeholder name in ``[trainer] command`` -> the environment variable with the same value
PLACEHOLDER_ENV = {
    "wi": ENV_WI_SEED, "do": ENV_DO_SEED, "trial": ENV_TRIAL, "trial_dir": ENV_TRIAL_DIR,
    "device": ENV_DEVICE, "stop_at_fraction": ENV_STOP_AT_FRACTION, "resume": ENV_RESUME,
    "checkpoint_dir": ENV_CHECKPOINT_DIR, "python": ENV_PYTHON,
}
PLACEHOLDERS = tuple(PLACEHOLDER_ENV)

LAUNCHER = "launcher"
"""The ``written_by`` of the ``start``/``resume`` the engine writes for a command's process before
the command runs: a start with no metric or schedule yet, which the script's own start replaces."""


def is_launcher_start(start: Mapping[str, Any]) -> bool:
    """Whether a ``start`` event is the engine's stand-in, not a trainer's (no metric, no schedule)."""
    return start.get("written_by") == LAUNCHER


@dataclass(frozen=True)
class TrialEnvironment:
    """One run of one trial, as the engine launches it."""

    trial_dir: Path
    wi_seed: int
    do_seed: int
    device: str
    stop_at_fraction: float | None = None
    resume: bool = False

    @property
    def trial(self) -> str:
        return trial_id(self.wi_seed, self.do_seed)

    @property
    def checkpoint_dir(self) -> Path:
        """``TRIAL_DIR/checkpoint``: the directory the supervisor deletes when the trial is stopped."""
        return self.trial_dir / CHECKPOINT_DIR

    def placeholders(self) -> dict[str, str]:
        """Placeholder name -> its text (``stop_at_fraction`` is empty when there is none)."""
        return {
            "wi": str(self.wi_seed), "do": str(self.do_seed), "trial": self.trial,
            "trial_dir": str(self.trial_dir), "device": self.device,
            "stop_at_fraction": "" if self.stop_at_fraction is None else repr(self.stop_at_fraction),
            "resume": "1" if self.resume else "0", "checkpoint_dir": str(self.checkpoint_dir),
            "python": sys.executable,
        }

    def to_env(self) -> dict[str, str]:
        """The environment variables of the trial's process."""
        return {PLACEHOLDER_ENV[name]: text for name, text in self.placeholders().items()}

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> TrialEnvironment | None:
        """The trial this process runs as, or None outside a sweep (no ``SEEDTUI_TRIAL_DIR``)."""
        values = os.environ if env is None else env
        directory = values.get(ENV_TRIAL_DIR)
        if not directory:
            return None
        fraction = values.get(ENV_STOP_AT_FRACTION, "")
        return cls(
            trial_dir=Path(directory), wi_seed=int(values[ENV_WI_SEED]), do_seed=int(values[ENV_DO_SEED]),
            device=values.get(ENV_DEVICE, "cpu"), stop_at_fraction=float(fraction) if fraction else None,
            resume=values.get(ENV_RESUME) == "1",
        )


# --- the command template ------------------------------------------------------------------------


def command_placeholders(template: Sequence[str]) -> list[str]:
    """The placeholder names used in ``template`` (``{{`` and ``}}`` are literal braces);
    raises ValueError for a malformed one (an unclosed brace)."""
    names = []
    for argument in template:
        for _text, name, spec, conversion in string.Formatter().parse(argument):
            if name is not None:
                if spec or conversion:
                    raise ValueError(f"{{{name}}} takes no format spec or conversion")
                names.append(name)
    return names


def command_problem(template: Sequence[str]) -> str | None:
    """Why ``template`` cannot be a trial's command, or None."""
    if not template:
        return "must name the program to run (a non-empty list of strings)"
    try:
        names = command_placeholders(template)
    except ValueError as error:
        return f"has a malformed placeholder: {error}"
    unknown = [name for name in names if name not in PLACEHOLDERS]
    if unknown:
        known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        return f"{{{unknown[0]}}} is not a placeholder (known: {known})"
    return None


def expand_command(template: Sequence[str], trial: TrialEnvironment) -> list[str]:
    """The template with the trial's values; an argument whose placeholders are all empty
    (``{stop_at_fraction}`` without a milestone) is left out, so ``--stop={stop_at_fraction}``
    is passed only when there is a milestone."""
    values = trial.placeholders()
    argv = []
    for argument in template:
        names = command_placeholders([argument])
        if names and not any(values[name] for name in names):
            continue
        argv.append(argument.format(**values))
    return argv
