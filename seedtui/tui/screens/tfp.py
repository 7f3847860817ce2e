"""The t/f/p dialog: start t trials, train them for fraction f, continue the best p (Dodge et
al. 2020, section 5). Shows what the choice costs, and the planner's recommendation."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


@dataclass(frozen=True)
class TfpChoice:
    t: int
    f: float
    p: int


def tfp_cost(t: int, f: float, p: int) -> float:
    """Budget in full trainings: every one of t trials runs to f, the p kept run the rest."""
    return t * f + p * (1 - f)


def parse_tfp(t_text: str, f_text: str, p_text: str, *, max_trials: int | None = None) -> TfpChoice | str:
    """The choice, or a sentence saying what is wrong with it."""
    try:
        t, p = int(t_text), int(p_text)
    except ValueError:
        return "t and p must be whole numbers"
    try:
        f = float(f_text)
    except ValueError:
        return "f must be a number between 0 and 1"
    if not 0 < f < 1:
        return "f must be between 0 and 1 (exclusive)"
    if t < 1 or p < 1:
        return "t and p must be at least 1"
    if p > t:
        return "p cannot exceed t"
    if max_trials is not None and t > max_trials:
        return f"t cannot exceed the {max_trials} trials of the sweep"
    return TfpChoice(t, f, p)


class TfpScreen(ModalScreen[TfpChoice | None]):
    """Prefilled with ``initial`` (the planner's recommendation when there is one)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(
        self, initial: TfpChoice, *, recommendation: str, max_trials: int | None, simulated: bool
    ) -> None:
        super().__init__()
        self.initial = initial
        self.recommendation = recommendation
        self.max_trials = max_trials
        self.simulated = simulated

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            title = Text("Apply the t/f/p policy", style="bold")
            if self.simulated:
                title.append("  SIMULATED (replay)", "bold yellow")
            yield Static(title, classes="dialog-title")
            yield Static(Text(self.recommendation, style="dim"), id="tfp-recommendation")
            with Horizontal(classes="tfp-fields"):
                yield Label("t")
                yield Input(str(self.initial.t), id="tfp-t", type="integer")
                yield Label("f")
                yield Input(f"{self.initial.f:g}", id="tfp-f", type="number")
                yield Label("p")
                yield Input(str(self.initial.p), id="tfp-p", type="integer")
            yield Static(id="tfp-cost")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Apply", variant="error", id="apply")
                yield Button("Cancel (esc)", variant="primary", id="cancel")

    def on_mount(self) -> None:
        self._update_cost()
        self.query_one("#tfp-t", Input).focus()

    def show_recommendation(self, choice: TfpChoice | None, text: str) -> None:
        """The planner answered while the dialog was open: say so, and prefill its choice unless
        the user has already changed the fields."""
        self.query_one("#tfp-recommendation", Static).update(Text(text, style="dim"))
        if choice is None or self._choice() != self.initial:
            return
        self.initial = choice
        self.query_one("#tfp-t", Input).value = str(choice.t)
        self.query_one("#tfp-f", Input).value = f"{choice.f:g}"
        self.query_one("#tfp-p", Input).value = str(choice.p)

    def _choice(self) -> TfpChoice | str:
        return parse_tfp(
            self.query_one("#tfp-t", Input).value,
            self.query_one("#tfp-f", Input).value,
            self.query_one("#tfp-p", Input).value,
            max_trials=self.max_trials,
        )

    def _update_cost(self) -> None:
        choice = self._choice()
        cost = self.query_one("#tfp-cost", Static)
        if isinstance(choice, str):
            cost.update(Text(choice, style="bold red"))
        else:
            cost.update(
                Text(f"budget: t*f + p*(1-f) = {tfp_cost(choice.t, choice.f, choice.p):.2f} full trainings")
            )

    def on_input_changed(self, event: Input.Changed) -> None:
        self._update_cost()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._apply()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "apply":
            self._apply()
        else:
            self.dismiss(None)

    def _apply(self) -> None:
        choice = self._choice()
        if isinstance(choice, TfpChoice):
            self.dismiss(choice)
        else:
            self._update_cost()
