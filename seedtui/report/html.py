"""Assemble the report as one HTML file: inline CSS, inline SVG, no scripts, no links out.

Every string that comes from a log or the sweep's configuration passes through ``escape``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from seedtui.report.figure import ReportFigure
from seedtui.report.tables import Table

CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       max-width: 1000px; margin: 2rem auto; padding: 0 1.25rem; color: #1d1d1f; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
h3 { font-size: 1.05rem; margin: 0 0 0.4rem; }
.meta { color: #555; margin-top: 0; }
nav ol { columns: 2; padding-left: 1.2rem; }
nav a { color: #0b5cad; text-decoration: none; }
figure { margin: 1.6rem 0; padding: 0.8rem 1rem; border: 1px solid #e4e4e4; border-radius: 6px; }
figure svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { font-size: 0.92rem; color: #333; margin-top: 0.5rem; }
.unavailable, .notice { background: #fff8e6; border-left: 4px solid #e0a100; padding: 0.5rem 0.8rem;
                        font-size: 0.95rem; }
table { border-collapse: collapse; margin: 0.4rem 0 0.6rem; font-size: 0.92rem; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 0.25rem 0.7rem; text-align: left; }
th { background: #f5f5f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.table-block { margin: 1.4rem 0; }
.table-block p { font-size: 0.92rem; color: #333; margin: 0.2rem 0; }
pre { background: #f5f5f7; padding: 0.8rem; overflow-x: auto; font-size: 0.85rem; }
footer { margin: 3rem 0 1rem; color: #777; font-size: 0.85rem; }
"""


@dataclass(frozen=True)
class PageFigure:
    """A figure with its number in this report and its inline SVG (None when not drawn)."""

    number: int
    figure: ReportFigure
    svg: str | None


def render_page(*, title: str, meta: str, notices: Sequence[str], figures: Sequence[PageFigure],
                tables: Sequence[Table], config_text: str | None, footer: str) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(meta)}</p>',
        "</header>",
        _contents(figures, tables),
        '<section id="data">',
        "<h2>What the report rests on</h2>",
        *[f'<p class="notice">{escape(notice)}</p>' for notice in notices],
        "</section>",
        '<section id="figures">',
        "<h2>Figures</h2>",
        *[_figure(item) for item in figures],
        "</section>",
        '<section id="tables">',
        "<h2>Tables</h2>",
        *[_table(table) for table in tables],
        "</section>",
        _configuration(config_text),
        f"<footer>{escape(footer)}</footer>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)


def _contents(figures: Sequence[PageFigure], tables: Sequence[Table]) -> str:
    items = [f'<li><a href="#{f.figure.spec.key}">Figure {f.number}: {escape(f.figure.spec.title)}</a></li>'
             for f in figures]
    items += [f'<li><a href="#{t.key}">{escape(t.title)}</a></li>' for t in tables]
    items.append('<li><a href="#configuration">Sweep configuration</a></li>')
    return '<nav id="contents"><h2>Contents</h2><ol>' + "".join(items) + "</ol></nav>"


def _figure(item: PageFigure) -> str:
    spec = item.figure.spec
    heading = f"Figure {item.number}: {escape(spec.title)}"
    if item.svg is None:
        body = f'<p class="unavailable">Not drawn: {escape(item.figure.missing or "no data")}</p>'
    else:
        body = item.svg
    return (
        f'<figure id="{spec.key}">\n<h3>{heading}</h3>\n{body}\n'
        f"<figcaption><strong>Figure {item.number}</strong> (after the paper's {escape(spec.paper_figure)}). "
        f"{escape(item.figure.caption)}</figcaption>\n</figure>"
    )


def _table(table: Table) -> str:
    lines = [f'<div class="table-block" id="{table.key}">', f"<h3>{escape(table.title)}</h3>"]
    if table.caption:
        lines.append(f"<p>{escape(table.caption)}</p>")
    if table.missing is not None:
        lines.append(f'<p class="unavailable">Not computed: {escape(table.missing)}</p>')
    if table.rows:
        lines.append("<table>")
        lines.append("<tr>" + "".join(f"<th>{escape(h)}</th>" for h in table.header) + "</tr>")
        for row in table.rows:
            cells = "".join(_cell(cell) for cell in row)
            lines.append(f"<tr>{cells}</tr>")
        lines.append("</table>")
    lines.append("</div>")
    return "\n".join(lines)


def _cell(text: str) -> str:
    css_class = ' class="num"' if _numeric(text) else ""
    return f"<td{css_class}>{escape(text)}</td>"


def _numeric(cell: str) -> bool:
    text = cell.strip().lstrip("[").rstrip("]").replace(",", "").replace("e-", "").replace("-", "")
    return text.replace(".", "", 1).replace(" ", "").isdigit()


def _configuration(config_text: str | None) -> str:
    if config_text is None:
        return (
            '<section id="configuration"><h2>Sweep configuration</h2>'
            '<p class="notice">This directory has no sweep.toml.</p></section>'
        )
    return (
        '<section id="configuration"><h2>Sweep configuration</h2>'
        "<p>sweep.toml, as written by the sweep engine:</p>"
        f"<pre>{escape(config_text)}</pre></section>"
    )
