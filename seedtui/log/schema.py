"""The one field check behind every validator of the log package: required fields present, and
every known field of the type the schema gives it. Readers accept unknown fields (fields may be
added to a file kind; they are never renamed or removed); the writers of the engine's state files
refuse them, so every field they write is in the schema, and so in docs/log-format.md (a test
checks the document against the schemas)."""

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
                   optional: FieldTypes | None = None, *, only_known: bool = False) -> list[str]:
    """Problems with the fields of one decoded record of ``kind`` (empty when valid). ``only_known``
    (for writers of files whose every field is documented) also refuses fields the schema lacks."""
    problems = [f"{kind}: missing field '{key}'" for key in required if key not in record]
    if only_known:
        known = {**required, **(optional or {})}
        problems += [f"{kind}: unknown field '{key}' (add it to the schema and docs/log-format.md)"
                     for key in record if key not in known]
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
