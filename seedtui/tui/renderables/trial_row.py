"""One row of the trials table (and its header) as Rich Text."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from seedtui.core.view.curves import sparkline
from seedtui.state import TrialState
from seedtui.tui.renderables.palette import STATUS_STYLES


@dataclass(frozen=True)
class Column:
    key: str
    """Sort key (``seedtui.core.view.table.SORT_KEYS``), or a curve name."""
    title: str
    width: int
    right: bool = False


FIXED_COLUMNS = (
    Column("trial", "trial", 11),
    Column("wi", "WI", 3, True),
    Column("do", "DO", 3, True),
    Column("status", "status", 9),
    Column("progress", "prog", 4, True),
    Column("step", "step", 6, True),
    Column("loss", "loss", 7, True),
    Column("last", "last", 6, True),
    Column("best", "best", 6, True),
)
OPTIONAL_WHEN_NARROW = ("wi", "do", "step", "last")
"""Columns dropped first when the pane is narrow (the trial id already names the seeds)."""
MIN_SPARK = 6


def layout_columns(width: int) -> tuple[list[Column], int]:
    """The columns that fit ``width`` cells and the width of each of the two sparklines (0: none, when
    fewer than ``MIN_SPARK`` cells are left for each)."""
    columns = list(FIXED_COLUMNS)

    def used(cols: list[Column]) -> int:
        return sum(c.width + 1 for c in cols)

    for key in OPTIONAL_WHEN_NARROW:
        if width - used(columns) >= 2 * (MIN_SPARK + 1):
            break
        columns = [c for c in columns if c.key != key]
    spark = max(0, (width - used(columns)) // 2 - 1)
    if spark < MIN_SPARK:
        return columns, 0  # a curve a few cells wide shows nothing: leave the room to the columns
    return columns, min(spark, 30)


def _number(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if abs(value) < 1e4 else f"{value:.1e}"


def _cell(text: str, column: Column) -> str:
    clipped = text[: column.width]
    return clipped.rjust(column.width) if column.right else clipped.ljust(column.width)


def header_text(columns: list[Column], spark_width: int, *, sort_column: str, descending: bool) -> Text:
    text = Text(style="bold")
    for column in columns:
        title = column.title + (("▼" if descending else "▲") if column.key == sort_column else "")
        text.append(_cell(title, Column(column.key, title, column.width, column.right)) + " ")
    if spark_width:
        text.append(_spark_title("val curve", "val", spark_width) + " " + _spark_title("loss curve", "loss",
                                                                                       spark_width))
    return text


def _spark_title(title: str, short: str, width: int) -> str:
    """A sparkline column's title in ``width`` characters: whole words only (``short`` when the title
    does not fit, nothing when neither does)."""
    fitting = title if len(title) <= width else short if len(short) <= width else ""
    return fitting.ljust(width)


def row_text(state: TrialState, columns: list[Column], spark_width: int, *,
             score_range: tuple[float, float] | None = None, marked: bool = False) -> Text:
    """One trial's row. Values come from the log but are numbers or the trial id; the status is
    one of the known statuses, so nothing here is read as markup. ``score_range``: the validation
    sparkline's scale when rows share one; a ``marked`` trial's id is bold with a ``*``."""
    values = {
        "trial": state.trial_id,
        "wi": "" if state.wi_seed is None else str(state.wi_seed),
        "do": "" if state.do_seed is None else str(state.do_seed),
        "status": state.status,
        "progress": f"{round(state.progress * 100)}%",
        "step": str(state.last_step) if state.start else "-",
        "loss": _number(state.last_loss()),
        "last": _number(state.last_score()),
        "best": _number(state.best_score()),
    }
    text = Text()
    for column in columns:
        style = STATUS_STYLES.get(state.status, "") if column.key == "status" else ""
        value = values[column.key]
        if column.key == "trial" and marked:
            value, style = "*" + value, "bold"
        text.append(_cell(value, column) + " ", style)
    if spark_width:
        low, high = score_range if score_range is not None else (None, None)
        text.append(sparkline(state.eval_scores, spark_width, low=low, high=high).ljust(spark_width), "green")
        text.append(" ")
        text.append(sparkline(state.train_losses, spark_width).ljust(spark_width), "yellow")
    return text


def column_at(columns: list[Column], x: int) -> str | None:
    """The key of the column under cell ``x`` of a row (for sorting on a header click)."""
    offset = 0
    for column in columns:
        if offset <= x < offset + column.width + 1:
            return column.key
        offset += column.width + 1
    return None
