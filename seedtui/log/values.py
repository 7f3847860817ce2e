"""The value rules every door of the contract checks: finite numbers in range, integers, seeds, local
model paths. The sweep config's getters (``seedtui.core.engine.config_table``), the trainer's flags
(``trainers.config``), the CLI's options and the control commands each add only the name of the key
or flag. Here, in the log contract, because the trainer may import nothing else of seedtui but the log
and the policy (``tests/test_import_hygiene.py``). Imports neither torch nor Textual."""

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
