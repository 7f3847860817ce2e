"""Number formatting in the report's tables."""

from __future__ import annotations

import math

from seedtui.report.tables import fmt, fmt_p, fmt_significant


def test_fmt() -> None:
    assert fmt(None) == "–" and fmt(math.nan) == "–" and fmt(math.inf) == "–"
    assert fmt(0.71234) == "0.7123"
    assert fmt(3) == "3" and fmt(True) == "yes"
    assert fmt(3.2e-7) == "3.20e-07"
    assert fmt([0.1, None]) == "[0.1000, –]"


def test_fmt_p_shows_an_underflowed_p_value_as_a_bound() -> None:
    assert fmt_p(0.0) == "< 1e-300"
    assert fmt_p(0.0123) == "0.0123"
    assert fmt_p(None) == "–"


def test_fmt_significant() -> None:
    assert fmt_significant(0.000476543) == "0.000477"
    assert fmt_significant([1.49e-4, 0.00123]) == "[0.000149, 0.00123]"
    assert fmt_significant(None) == "–"
