"""Figures rendered to SVG for inlining: deterministic, namespaced ids, nothing external."""

from __future__ import annotations

import re

import pytest

from seedtui.report.render import new_figure, plain_text, png_bytes, report_style, svg_markup


def draw(title: str = "a title"):
    with report_style():
        figure = new_figure(3, 2)
        axes = figure.add_subplot()
        axes.plot([0, 1, 2], [1, 0, 2])
        axes.set_title(title)
    return figure


def test_svg_is_the_same_for_the_same_figure() -> None:
    assert svg_markup(draw(), "a") == svg_markup(draw(), "a")
    assert png_bytes(draw()) == png_bytes(draw())


def test_svg_ids_carry_the_prefix_and_references_follow() -> None:
    markup = svg_markup(draw(), "fig3")
    ids = re.findall(r'\bid="([^"]+)"', markup)
    assert ids and all(i.startswith("fig3-") for i in ids)
    references = re.findall(r'href="#([^"]+)"', markup) + re.findall(r"url\(#([^)]+)\)", markup)
    assert references and set(references) <= set(ids)


def test_svg_has_no_prolog_metadata_or_namespace_urls() -> None:
    markup = svg_markup(draw(), "x")
    assert markup.startswith("<svg ") and markup.endswith("</svg>")
    assert "<metadata" not in markup and "<!--" not in markup and "http" not in markup


def test_a_dollar_sign_from_a_log_is_not_mathtext() -> None:
    # Unescaped, a pair of "$" starts mathtext, and this one does not parse.
    name = "acc$\\frac$"
    with pytest.raises(ValueError):
        svg_markup(draw(name), "x")
    assert svg_markup(draw(plain_text(name)), "x").startswith("<svg")
