"""A TOML table being validated: typed getters whose errors name the dotted key, and a check
that every key was read (so a misspelt key is an error, not silently ignored).

The value rules themselves (``number_problem``, ``integer_problem``, ``seed_problem``) live in
``seedtui.log.values``, the one set every door uses: the sweep config's getters here, the trainer's
flags (``trainers.config``) and the CLI's options; each door adds only the name of the key or flag."""

from __future__ import annotations

from typing import Any

from seedtui.log.values import (  # noqa: F401  (the rules, re-exported for the config's callers)
    MAX_SEED,
    integer_problem,
    kind_of,
    looks_like_local_path,
    model_path_problem,
    number_problem,
    seed_problem,
)


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
