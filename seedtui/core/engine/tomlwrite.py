"""A small TOML writer for the resolved sweep configuration (tomllib only reads).

Handles what ``sweep.toml`` holds: nested tables of strings, booleans, integers, finite floats and
flat lists of those. Anything else is a programming error and raises TypeError.
"""

from __future__ import annotations

import json
import math
from typing import Any


def dumps_toml(document: dict[str, Any]) -> str:
    lines: list[str] = []
    _write_table(document, [], lines)
    return "\n".join(lines).strip() + "\n"


def _write_table(table: dict[str, Any], path: list[str], lines: list[str]) -> None:
    scalars = {k: v for k, v in table.items() if not isinstance(v, dict)}
    subtables = {k: v for k, v in table.items() if isinstance(v, dict)}
    if path and (scalars or not subtables):
        lines.append("")
        lines.append(f"[{'.'.join(_key(p) for p in path)}]")
    for key, value in scalars.items():
        lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in subtables.items():
        _write_table(value, [*path, key], lines)


def _key(key: str) -> str:
    if key and all(c.isalnum() or c in "_-" for c in key):
        return key
    return json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"cannot write the non-finite float {value} to TOML")
        return repr(value)
    if isinstance(value, str):
        # JSON string escapes are valid TOML basic-string escapes for everything json emits.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")
