"""The HTML report built from small generated sweeps: every figure and table is there, the file
stands alone, and sweeps too small or incomplete for some statistics say so."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from seedtui.report.build import FIGURES, ReportOptions, write_html
from tests.report.conftest import write_sweep, write_trial

TABLE_IDS = ("table-best", "table-evp", "table-seed-sd", "table-anova", "table-variance")
QUIET = ReportOptions(show_progress=False)


@pytest.fixture(scope="module")
def small_report(small_sweep: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = write_html(small_sweep, tmp_path_factory.mktemp("html") / "report.html", QUIET)
    return out.read_text(encoding="utf-8")


def figure_block(page: str, key: str) -> str:
    match = re.search(rf'<figure id="{key}">(.*?)</figure>', page, re.DOTALL)
    assert match is not None, f"figure {key} is missing"
    return match.group(1)


def table_block(page: str, key: str) -> str:
    match = re.search(rf'<div class="table-block" id="{key}">(.*?)</div>', page, re.DOTALL)
    assert match is not None, f"table {key} is missing"
    return match.group(1)


class AttributeCollector(HTMLParser):
    """Every tag name and every (attribute, value) in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)


def test_every_figure_is_drawn_with_its_caption(small_report: str) -> None:
    for number, spec in enumerate(FIGURES, start=1):
        block = figure_block(small_report, spec.key)
        assert "<svg" in block and "<path" in block, spec.key
        assert "Not drawn" not in block, spec.key
        assert f"<strong>Figure {number}</strong>" in block
        assert spec.caption.split(".")[0].replace("'", "&#x27;") in block


def test_every_table_has_rows(small_report: str) -> None:
    for key in TABLE_IDS:
        block = table_block(small_report, key)
        assert "Not computed" not in block, key
        assert block.count("<tr>") >= 2, key
    best = table_block(small_report, "table-best")
    assert "majority baseline" in best and "0.5000" in best
    anova = table_block(small_report, "table-anova")
    assert ">WI<" in anova and ">DO<" in anova


def test_the_configuration_is_shown_literally_and_escaped(small_report: str) -> None:
    assert '<section id="configuration">' in small_report
    assert 'model = &quot;tiny &lt;bert&gt; &amp; co&quot;' in small_report
    assert "tiny <bert>" not in small_report


def test_the_page_references_nothing_outside_itself(small_report: str) -> None:
    collector = AttributeCollector()
    collector.feed(small_report)
    assert "script" not in collector.tags and "link" not in collector.tags
    assert "img" not in collector.tags and "iframe" not in collector.tags
    for name, value in collector.attributes:
        if name in ("href", "xlink:href", "src"):
            # In-page anchors, and the heatmaps' pixels that matplotlib embeds as data URIs.
            assert value.startswith(("#", "data:image/png;base64,")), (name, value[:60])
    text = re.sub(r'"data:image/png;base64,[A-Za-z0-9+/=\s]*"', '""', small_report)
    assert "http:" not in text and "https:" not in text and "//" not in text
    assert "@import" not in text and "url(" not in re.sub(r"url\(#[^)]+\)", "", text)


def test_ids_are_unique_across_the_inline_figures(small_report: str) -> None:
    ids = re.findall(r'\bid="([^"]+)"', small_report)
    assert len(ids) == len(set(ids))
    for reference in re.findall(r'href="#([^"]+)"|url\(#([^)]+)\)', small_report):
        target = reference[0] or reference[1]
        assert target in ids, target


def test_the_same_sweep_gives_the_same_file(small_sweep: Path, small_report: str, tmp_path: Path) -> None:
    again = write_html(small_sweep, tmp_path / "again.html", QUIET).read_text(encoding="utf-8")
    assert again == small_report


def test_an_incomplete_sweep_says_what_is_missing(incomplete_sweep: Path, tmp_path: Path) -> None:
    page = write_html(incomplete_sweep, tmp_path / "partial.html", QUIET).read_text(encoding="utf-8")
    data = page[page.index('<section id="data">'): page.index('<section id="figures">')]
    assert "wi2-do3" in data  # the trial that never ended is named as left out ...
    assert "wi3-do1" in data  # ... and the cell with no trial as missing
    assert "1 running" in data
    heatmap = figure_block(page, "fig-heatmap")
    assert "<svg" in heatmap and "Grey cells (2)" in heatmap
    for spec in FIGURES:
        assert "<svg" in figure_block(page, spec.key), spec.key


def test_a_one_trial_sweep_says_what_cannot_be_computed(one_trial_sweep: Path, tmp_path: Path) -> None:
    page = write_html(one_trial_sweep, tmp_path / "one.html", QUIET).read_text(encoding="utf-8")
    assert "Only one trial" in page
    assert "<svg" in figure_block(page, "fig-curves")  # one curve is still a curve
    for key in ("fig-evp", "fig-heatmap", "fig-densities", "fig-seed-sd", "fig-spearman", "fig-pearson"):
        block = figure_block(page, key)
        assert "<svg" not in block and "Not drawn: " in block, key
    assert "wi7-do12" in table_block(page, "table-best")
    for key in ("table-seed-sd", "table-anova", "table-variance"):
        assert "Not computed: " in table_block(page, key), key
    assert "This directory has no sweep.toml." in page


def test_text_from_the_logs_is_escaped(tmp_path: Path) -> None:
    sweep = write_sweep(tmp_path / "sweep", [1, 2], [1, 2], sweep_toml="<script>alert(1)</script>\n")
    write_trial(sweep, 3, 3, [0.5, 0.6], evals_per_epoch=1, model="<img src=x onerror=alert(1)>")
    page = write_html(sweep, tmp_path / "r.html", QUIET).read_text(encoding="utf-8")
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_include_incomplete_and_bootstrap(incomplete_sweep: Path, tmp_path: Path) -> None:
    options = ReportOptions(include_incomplete=True, bootstrap=20, show_progress=False)
    page = write_html(incomplete_sweep, tmp_path / "all.html", options).read_text(encoding="utf-8")
    data = page[page.index('<section id="data">'): page.index('<section id="figures">')]
    assert "The statistics use 11 of them (all trials with evaluations)" in data
    assert "Left out" not in data
    variance = table_block(page, "table-variance")
    assert re.search(r"<td>\[[0-9.e-]+, [0-9.e-]+\]</td>", variance)  # bootstrap intervals


def test_a_lower_is_better_metric(tmp_path: Path) -> None:
    sweep = write_sweep(tmp_path / "sweep", range(1, 4), range(1, 4), greater_is_better=False)
    page = write_html(sweep, tmp_path / "r.html", QUIET).read_text(encoding="utf-8")
    assert "metric error (lower is better)" in page
    for spec in FIGURES:
        assert "<svg" in figure_block(page, spec.key), spec.key
    best = table_block(page, "table-best")
    best_score = float(re.search(r"best found</td><td[^>]*>([0-9.]+)<", best).group(1))
    one_trial = float(re.search(r"expected score of one trial</td><td[^>]*>([0-9.]+)<", best).group(1))
    assert best_score < one_trial  # the best error is the smallest
