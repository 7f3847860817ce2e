"""The statistics pane: the latest summary (computed off the UI thread by the app) and the
planner, which answers for the budget the user types."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Input, Static

from seedtui.tui.renderables.stats import SummaryAtWidth, plan_text

EVP_PLOT_HEIGHT = 8
EVP_PLOT_MIN_PANE = 20
"""Rows the pane needs before it draws the EVP chart (two columns at 100x30 give it 23)."""


class StatsPane(VerticalScroll):
    """Summary statistics and the t/f/p planner."""

    class BudgetSubmitted(Message):
        """The user asked for a plan."""

        def __init__(self, budget: float) -> None:
            super().__init__()
            self.budget = budget
            """Budget in units of one full training run."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.summary: dict[str, Any] | None = None
        self.error: str | None = None
        self.plan_rows: list[Any] = []
        self.budget: float | None = None
        self.plan_error: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="stats-summary")
        yield Input(placeholder="budget, e.g. 10 (full trainings); enter = plan", id="budget", type="number")
        yield Static(plan_text([], None), id="plan")

    def on_mount(self) -> None:
        self._draw_summary()

    def show_summary(self, summary: dict[str, Any] | None, error: str | None = None) -> None:
        self.summary, self.error = summary, error
        self._draw_summary()

    def _draw_summary(self) -> None:
        plot_height = EVP_PLOT_HEIGHT if (self.size.height or 0) >= EVP_PLOT_MIN_PANE else 0
        self.query_one("#stats-summary", Static).update(
            SummaryAtWidth(self.summary, error=self.error, plot_height=plot_height)
        )

    def on_resize(self) -> None:
        self._draw_summary()

    def show_plan(self, rows: list[Any], budget: float | None, error: str | None = None) -> None:
        self.plan_rows, self.budget, self.plan_error = rows, budget, error
        self.query_one("#plan", Static).update(plan_text(rows, budget, error=error))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            budget = float(event.value)
        except ValueError:
            self.show_plan([], None, error=f"The budget is a number of full trainings, not {event.value!r}.")
            return
        if not budget > 0:
            self.show_plan([], None, error="The budget counts full trainings: type 1 or more.")
            return
        self.post_message(self.BudgetSubmitted(budget))
