"""The WI and DO seeds of imported runs: from their directory names by a pattern, or from a mapping file.

Runs made outside seedtui carry their seeds in their names (``runs/seed3_data7``) or in a list the
person keeps; both end here as ``{run path: (wi_seed, do_seed)}``, or as an ImportInputError that
names the runs it could not place.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from seedtui.importers.imported_run import ImportInputError

Seeds = tuple[int, int]


def _compile(option: str, pattern: str) -> re.Pattern[str]:
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        raise ImportInputError(f"{option} {pattern!r} is not a regular expression ({error})") from None
    if compiled.groups < 1:
        raise ImportInputError(f"{option} {pattern!r} needs a group around the seed, e.g. 'seed(\\d+)'")
    return compiled


def _search(pattern: re.Pattern[str], path: Path) -> int | None:
    """The seed in the deepest component of ``path`` that the pattern matches (a run's own name
    before its parents'), or None."""
    for part in reversed(path.parts):
        match = pattern.search(part)
        if match is not None:
            try:
                return int(match.group(1))
            except ValueError:
                return None
    return None


def seeds_from_patterns(paths: Sequence[Path], wi_pattern: str, do_pattern: str) -> dict[Path, Seeds]:
    """Each run's (WI, DO) seeds from the first group of ``--wi`` and ``--do`` in its path."""
    seeds_by_option: list[dict[Path, int]] = []
    for option, text in (("--wi", wi_pattern), ("--do", do_pattern)):
        pattern = _compile(option, text)
        seeds = {path: _search(pattern, path) for path in paths}
        missed = [str(path) for path, seed in seeds.items() if seed is None]
        if len(missed) == len(paths):
            raise ImportInputError(f"{option} {text!r} matches none of the {len(paths)} run paths "
                                   f"(e.g. {paths[0]})")
        if missed:
            raise ImportInputError(f"{option} {text!r} matches nothing in: {', '.join(missed)}")
        seeds_by_option.append({path: seed for path, seed in seeds.items() if seed is not None})
    wi_seeds, do_seeds = seeds_by_option
    return {path: (wi_seeds[path], do_seeds[path]) for path in paths}


def _seed_fields(value: Any) -> dict[str, Any]:
    """``{"wi": .., "do": ..}`` of a JSON mapping's value: that object, or a ``[wi, do]`` list."""
    if isinstance(value, dict):
        return value
    if isinstance(value, list) and len(value) == 2:
        return {"wi": value[0], "do": value[1]}
    return {}


def _mapping_rows(mapping_file: Path) -> list[dict[str, Any]]:
    """Rows {path, wi, do} of a CSV (header ``path,wi,do``) or JSON mapping file (an object
    ``{path: {"wi": .., "do": ..}}`` or ``{path: [wi, do]}``, or a list of row objects)."""
    try:
        text = mapping_file.read_text(encoding="utf-8")
    except OSError as error:
        raise ImportInputError(f"cannot read the mapping file {mapping_file} ({error})") from None
    if mapping_file.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except ValueError as error:
            raise ImportInputError(f"{mapping_file}: not JSON ({error})") from None
        if isinstance(data, dict):
            return [{"path": key, **_seed_fields(value)} for key, value in data.items()]
        if isinstance(data, list) and all(isinstance(row, dict) for row in data):
            return data
        raise ImportInputError(f"{mapping_file}: expected an object {{path: {{wi, do}}}} or a list of rows")
    rows = list(csv.DictReader(text.splitlines()))
    if rows and not {"path", "wi", "do"} <= set(rows[0]):
        raise ImportInputError(f"{mapping_file}: a CSV mapping needs the columns path, wi, do")
    return rows


def seeds_from_mapping(paths: Sequence[Path], mapping_file: Path) -> dict[Path, Seeds]:
    """Each run's seeds from the mapping file; its relative paths are relative to the file's folder."""
    mapping: dict[Path, Seeds] = {}
    for number, row in enumerate(_mapping_rows(mapping_file), start=1):
        try:
            seeds = (int(row["wi"]), int(row["do"]))
            where = Path(str(row["path"]))
        except (KeyError, TypeError, ValueError):
            raise ImportInputError(
                f"{mapping_file}: row {number} needs a path and whole-number wi and do") from None
        mapping[(mapping_file.parent / where).resolve()] = seeds
    found = {path: mapping.get(path.resolve()) for path in paths}
    missing = [str(path) for path, seeds in found.items() if seeds is None]
    if missing:
        raise ImportInputError(f"{mapping_file} has no seeds for: {', '.join(missing)}")
    return {path: seeds for path, seeds in found.items() if seeds is not None}
