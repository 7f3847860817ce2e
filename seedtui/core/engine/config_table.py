"""A TOML table being validated: typed getters whose errors name the dotted key, and a check
that every key was read (so a misspelt key is an error, not silently ignored).

The value rules themselves (``number_problem``, ``integer_problem``, ``seed_problem``) are the one
set every door uses: the sweep config's getters here, the trainer's flags (``trainers.config``)
and the CLI's options (``seedtui.cli.checks``); each door adds only the name of the key or flag."""

from __future__ import annotations

import math
import os
from typing import Any

MAX_SEED = 2**32 - 1
"""The largest seed every random stream of a trial accepts (NumPy's legacy seeding, which the
trainer and Hugging Face's ``set_seed`` use, takes 32 bits); seeds are 0 to this."""


def number_problem(value: Any, *, low: float | None = None, high: float | None = None,
                   low_open: bool = False) -> str | None:
    """What is wrong with ``value`` as a finite number in [low, high] (``low_open``: (low, high]),
    or None. NaN and infinities are never accepted."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a number, not {kind_of(value)}"
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an int beyond any float
        finite = False
    if not finite:
        return f"must be a finite number, not {_shown(value)}"
    if low is not None and (value <= low if low_open else value < low):
        return f"must be {'>' if low_open else '>='} {low:g}, not {_shown(value)}"
    if high is not None and value > high:
        return f"must be <= {high:g}, not {_shown(value)}"
    return None


def integer_problem(value: Any, *, minimum: int | None = None, maximum: int | None = None) -> str | None:
    """What is wrong with ``value`` as an integer in [minimum, maximum], or None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return f"must be an integer, not {kind_of(value)}"
    if minimum is not None and value < minimum:
        return f"must be at least {minimum}, not {_shown(value)}"
    if maximum is not None and value > maximum:
        return f"must be at most {maximum}, not {_shown(value)}"
    return None


def seed_problem(value: Any) -> str | None:
    """What is wrong with ``value`` as a seed (an integer from 0 to ``MAX_SEED``), or None."""
    problem = integer_problem(value, minimum=0, maximum=MAX_SEED)
    return None if problem is None else f"{problem} (a seed is 0 to 2^32 - 1)"


def looks_like_local_path(model: str) -> bool:
    """A model named by a path rather than a hub id (``org/name``): it starts with ``/``, ``.`` or
    ``~``."""
    return model.startswith((".", "/", "~"))


def model_path_problem(model: str) -> str | None:
    """What is wrong with a model named by a local path (it does not exist), or None (a hub id is
    checked where it is downloaded)."""
    if looks_like_local_path(model) and not os.path.exists(os.path.expanduser(model)):
        return f"{model} does not exist (a hub id has no leading '.', '/' or '~')"
    return None


def _shown(value: Any) -> str:
    """A number as a message quotes it: never hundreds of digits."""
    text = repr(value)
    return text if len(text) <= 24 else f"{text[:10]}...({len(text)} digits)"


class ConfigError(ValueError):
    """A sweep configuration that cannot be run: ``key`` names the offending setting."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}" if key else problem)
        self.key = key
        self.problem = problem


class Table:
    """A TOML table that remembers its dotted name and which keys were read (to reject typos)."""

    def __init__(self, data: dict[str, Any], prefix: str) -> None:
        self.data = data
        self.prefix = prefix
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def get(self, name: str, default: Any = None) -> Any:
        self.used.add(name)
        return self.data.get(name, default)

    def has(self, name: str) -> bool:
        return name in self.data

    def table(self, name: str) -> Table:
        value = self.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(self.key(name), f"must be a table, not {kind_of(value)}")
        return Table(value, self.key(name))

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise ConfigError(self.key(unknown[0]), "unknown key (check its spelling and table)")

    # typed getters: each names the key in its error
    def string(self, name: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self.get(name, default)
        if value is None:
            if required:
                raise ConfigError(self.key(name), "is required")
            return None
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(self.key(name), f"must be a non-empty string, not {kind_of(value)}")
        return value

    def integer(self, name: str, default: int | None, *, minimum: int | None = None) -> int | None:
        value = self.get(name, default)
        if value is None:
            return None
        problem = integer_problem(value, minimum=minimum)
        if problem is not None:
            raise ConfigError(self.key(name), problem)
        return int(value)

    def number(self, name: str, default: float | None, *, low: float | None = None,
               high: float | None = None, low_open: bool = False) -> float | None:
        value = self.get(name, default)
        if value is None:
            return None
        problem = number_problem(value, low=low, high=high, low_open=low_open)
        if problem is not None:
            raise ConfigError(self.key(name), problem)
        return float(value)


def kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"
