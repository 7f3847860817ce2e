"""The one field check behind every validator of the log package: required fields present, and
every known field of the type the schema gives it. Unknown fields are always valid (fields may be
added to a file kind; they are never renamed or removed)."""

from __future__ import annotations

from typing import Any

NUMBER: tuple[type, ...] = (int, float)
FieldTypes = dict[str, tuple[type, ...]]
"""Field name -> the Python types a decoded value may have."""


def type_names(types: tuple[type, ...]) -> str:
    """``number``, ``str``, ``null``... joined with ``or``: how a schema's types read in a message."""
    def name(t: type) -> str:
        return "number" if t in NUMBER else "null" if t is type(None) else t.__name__

    return " or ".join(sorted({name(t) for t in types}))


def field_problems(kind: str, record: dict[str, Any], required: FieldTypes,
                   optional: FieldTypes | None = None) -> list[str]:
    """Problems with the fields of one decoded record of ``kind`` (empty when valid)."""
    problems = [f"{kind}: missing field '{key}'" for key in required if key not in record]
    for key, types in {**required, **(optional or {})}.items():
        if key not in record:
            continue
        value = record[key]
        # bool is a subclass of int: only accept it where bool is what the schema asks for.
        if isinstance(value, bool) and bool not in types:
            problems.append(f"{kind}: field '{key}' must be {type_names(types)}, not bool")
        elif not isinstance(value, types):
            problems.append(f"{kind}: field '{key}' must be {type_names(types)}, not {type(value).__name__}")
    return problems
