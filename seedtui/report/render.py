"""Turn a matplotlib figure into bytes that are the same for the same input.

Figures are drawn on plain ``matplotlib.figure.Figure`` objects with the Agg canvas (no pyplot,
no global backend), inside ``report_style()`` so the rest of the process keeps its rcParams.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

# svg.hashsalt fixes the ids matplotlib derives from hashes. Mathtext stays on (log-axis tick
# labels use it): text from logs goes through ``plain_text`` instead.
REPORT_RC: dict[str, Any] = {
    "svg.hashsalt": "seedtui-report",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.labelsize": 9.0,
    "legend.fontsize": 8.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "figure.dpi": 100,
}

PNG_DPI = 200

_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_ID = re.compile(r'\bid="([^"]+)"')
_HREF = re.compile(r'((?:xlink:)?href)="#([^"]+)"')
_URL = re.compile(r"url\(#([^)]+)\)")
_COMMENT = re.compile(r"<!--.*?-->\s*", re.DOTALL)


def plain_text(text: str) -> str:
    """Text from a log (a metric name, a trial id) for a matplotlib label: a "$" is drawn as a
    dollar sign instead of starting mathtext (an unbalanced one would raise)."""
    return text.replace("$", r"\$")


@contextmanager
def report_style() -> Iterator[None]:
    """Matplotlib settings for drawing and saving report figures, restored on exit."""
    with matplotlib.rc_context(REPORT_RC):  # type: ignore[arg-type]  # keys typed as Literal
        yield


def new_figure(width_in: float, height_in: float) -> Figure:
    """A figure on the Agg canvas, laid out with constrained layout."""
    figure = Figure(figsize=(width_in, height_in), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def svg_markup(figure: Figure, id_prefix: str) -> str:
    """The figure as an ``<svg>`` element to inline in HTML.

    Dropped: the XML prolog and doctype, the metadata block (it holds a date), comments and the
    namespace declarations (HTML's parser supplies them; they are the only URLs in the file).
    Every id gets ``id_prefix`` so several figures in one page cannot share an id.
    """
    buffer = io.StringIO()
    with report_style():
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = _PROLOG.sub("", buffer.getvalue(), count=1)
    text = _METADATA.sub("", text)
    text = _COMMENT.sub("", text)
    text = _XMLNS.sub("", text)
    text = _ID.sub(lambda m: f'id="{id_prefix}-{m.group(1)}"', text)
    text = _HREF.sub(lambda m: f'{m.group(1)}="#{id_prefix}-{m.group(2)}"', text)
    text = _URL.sub(lambda m: f"url(#{id_prefix}-{m.group(1)})", text)
    return text.strip()


def png_bytes(figure: Figure, dpi: int = PNG_DPI) -> bytes:
    """The figure as a PNG for papers (no Software/date metadata, so reruns give the same bytes)."""
    buffer = io.BytesIO()
    with report_style():
        figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()
