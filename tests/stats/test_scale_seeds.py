"""Seed ranges are read by one linear reader, shared by the config's seeds and ``plan --budgets``.

The old reader counted each seed in the whole list to find duplicates (100k seeds: 156 s); these
tests pin what the linear one returns and which duplicate it names, as the old one did.
"""

from __future__ import annotations

import numpy as np
import pytest

from seedtui.cli.stats_cmd import parse_budgets
from seedtui.core.engine.config import ConfigError, parse_int_ranges, parse_seeds


def test_a_hundred_thousand_seeds_in_a_range() -> None:
    assert parse_seeds("1-100000", "wi_seeds") == tuple(range(1, 100_001))


def test_large_mixed_lists_keep_their_order() -> None:
    value = ["50001-100000", 7, "1-6, 8-50000"]
    expected = tuple(range(50_001, 100_001)) + (7,) + tuple(range(1, 7)) + tuple(range(8, 50_001))
    assert parse_seeds(value, "do_seeds") == expected


@pytest.mark.parametrize(("value", "named"), [
    ("1-100000, 99999", 99999),  # the duplicate after a long range
    ([5, "1-10", 3], 3),  # the smallest duplicate, as the old reader said
    ("-3--1, -2", -2),
])
def test_the_smallest_duplicate_is_named(value: object, named: int) -> None:
    with pytest.raises(ConfigError) as error:
        parse_seeds(value, "wi_seeds")
    assert error.value.key == "wi_seeds"
    assert str(error.value) == f"wi_seeds: seed {named} is listed twice"


def test_budgets_and_seeds_read_ranges_alike() -> None:
    text = "4-6, 1, 9-10"
    assert parse_int_ranges(text, "--budgets") == [4, 5, 6, 1, 9, 10]
    assert list(parse_seeds(text, "wi_seeds")) == parse_int_ranges(text, "wi_seeds")
    assert parse_budgets(text) == [1, 4, 5, 6, 9, 10]  # budgets are sorted and deduplicated
    for bad in ("x", "3-1", ""):
        with pytest.raises(ConfigError) as seeds_error:
            parse_seeds(bad, "wi_seeds")
        with pytest.raises(ValueError) as budgets_error:
            parse_budgets(bad)
        assert str(budgets_error.value).replace("--budgets", "wi_seeds") == str(seeds_error.value)


@pytest.mark.parametrize("text", ["0-4294967295", "1-600000, 700000-1200000"])
def test_a_range_too_large_for_any_sweep_is_refused_before_it_is_expanded(text: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_seeds(text, "wi_seeds")
    assert error.value.key == "wi_seeds" and "more than 1,000,000 numbers" in str(error.value)
    with pytest.raises(ValueError, match="--budgets: range"):
        parse_budgets(text)


def _reference_parse(parts: list[object]) -> tuple[int, ...] | str:
    """The old reader's answer on small inputs: every seed expanded, duplicates counted."""
    seeds: list[int] = []
    for part in parts:
        if isinstance(part, int):
            seeds.append(part)
            continue
        for piece in str(part).split(","):
            low, _, high = piece.strip().partition("~")
            seeds.extend(range(int(low), int(high or low) + 1))
    duplicates = sorted({s for s in seeds if seeds.count(s) > 1})
    return f"seed {duplicates[0]} is listed twice" if duplicates else tuple(seeds)


def test_random_lists_read_as_the_old_reader_read_them() -> None:
    rng = np.random.default_rng(4)
    for _ in range(400):
        parts: list[object] = []
        for _ in range(int(rng.integers(1, 5))):
            if rng.random() < 0.4:
                parts.append(int(rng.integers(-5, 40)))
                continue
            pieces = []
            for _ in range(int(rng.integers(1, 4))):
                low = int(rng.integers(-5, 40))
                pieces.append(f"{low}~{low + int(rng.integers(0, 6))}" if rng.random() < 0.6 else str(low))
            parts.append(", ".join(pieces))
        expected = _reference_parse(parts)
        value = [p.replace("~", "-") if isinstance(p, str) else p for p in parts]
        if isinstance(expected, str):
            with pytest.raises(ConfigError, match=expected):
                parse_seeds(value, "wi_seeds")
        else:
            assert parse_seeds(value, "wi_seeds") == expected
