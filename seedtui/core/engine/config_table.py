"""A TOML table being validated: typed getters whose errors name the dotted key, and a check
that every key was read (so a misspelt key is an error, not silently ignored)."""

from __future__ import annotations

from typing import Any


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
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(self.key(name), f"must be an integer, not {kind_of(value)}")
        if minimum is not None and value < minimum:
            raise ConfigError(self.key(name), f"must be at least {minimum}, not {value}")
        return value

    def number(self, name: str, default: float | None, *, low: float | None = None,
               high: float | None = None, low_open: bool = False) -> float | None:
        value = self.get(name, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(self.key(name), f"must be a number, not {kind_of(value)}")
        if low is not None and (value <= low if low_open else value < low):
            raise ConfigError(self.key(name), f"must be {'>' if low_open else '>='} {low}, not {value}")
        if high is not None and value > high:
            raise ConfigError(self.key(name), f"must be <= {high}, not {value}")
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
