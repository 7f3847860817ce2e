"""Lines drawn line by line: a line's strip keeps its own style, is cut at the width and not padded
(Textual pads it as it pads a rendered line), equal lines share one strip, and a cursor move
redraws only the lines it changed."""

from __future__ import annotations

from rich.console import Console
from rich.style import Style
from rich.text import Text

from seedtui.tui.renderables.strips import StripCache, changed_lines, text_strip

BASE = Style(color="#e0e0e0", bgcolor="#121212")


def test_a_line_keeps_its_own_style_under_its_spans() -> None:
    line = Text("WI ↓  DO seed →", style="dim")
    line.append(" best", "bold")
    segments = list(text_strip(line, 40, BASE, Console()))
    assert all(segment.style is not None and segment.style.dim for segment in segments)
    assert segments[-1].style is not None and segments[-1].style.bold
    assert all(segment.style is not None and segment.style.bgcolor == BASE.bgcolor for segment in segments)


def test_a_long_line_is_cut_and_a_short_one_left_short() -> None:
    console = Console()
    assert text_strip(Text("x" * 50), 40, BASE, console).cell_length == 40
    assert text_strip(Text("⠁⠂⠃ braille"), 40, BASE, console, single_cell=True).cell_length == 11
    heading = Text("wi12-do7 running on a-very-long-node-name")
    heading.overflow = "ellipsis"
    assert text_strip(heading, 20, BASE, console).text.endswith("…")


def test_equal_lines_share_a_strip_and_unequal_ones_do_not() -> None:
    cache, console = StripCache(), Console()
    first = cache.strip(Text("0.610 0.638", style="bold"), 30, BASE, console)
    assert cache.strip(Text("0.610 0.638", style="bold"), 30, BASE, console) is first
    assert cache.strip(Text("0.610 0.638"), 30, BASE, console) is not first
    assert cache.strip(Text("0.610 0.638", style="bold"), 31, BASE, console) is not first


def test_changed_lines_are_those_that_differ() -> None:
    before = [Text("title"), Text("row 1"), Text("row 2", style="reverse")]
    after = [before[0], Text("row 1", style="reverse"), Text("row 2")]
    assert changed_lines(before, after) == [1, 2]
    assert changed_lines(before, [Text("title"), Text("row 1"), Text("row 2", style="reverse")]) == []
    assert changed_lines(before, after[:2]) is None
    assert changed_lines(None, after) is None
