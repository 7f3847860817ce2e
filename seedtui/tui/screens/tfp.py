"""The t/f/p dialog: start t trials, train them for fraction f, continue the best p (Dodge et
al. 2020, section 5). Shows what the choice costs, and the planner's recommendation."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from seedtui.policy.tfp_rule import TfpError, check_setting, format_fraction, parse_fraction, tfp_cost

__all__ = ["TfpChoice", "TfpScreen", "describe_choice", "parse_tfp", "tfp_cost"]


@dataclass(frozen=True)
class TfpChoice:
    t: int
    f: float
    p: int
    note: str | None = field(default=None, compare=False)
    """What checking adjusted (f snapped to a scheduled evaluation, p = t at f = 1)."""


# Before any trial has started, the number of evaluations is unknown: f is then taken as typed
# (snapping to this many steps changes nothing visible) and the supervisor snaps it on apply.
_UNKNOWN_EVALS = 1_000_000


def parse_tfp(t_text: str, f_text: str, p_text: str, *, max_trials: int | None = None,
              evals: int | None = None) -> TfpChoice | str:
    """The choice checked by the one t/f/p rule (``check_setting``), or a sentence saying what is
    wrong with it. ``f`` may be typed as 0.3 or as 9/30; it is snapped to the nearest of the
    trials' ``evals`` scheduled evaluations, and f = 1 means no early stopping (p = t)."""
    try:
        t, p = int(t_text), int(p_text)
    except ValueError:
        return "t and p must be whole numbers"
    try:
        f = parse_fraction(f_text)
        setting = check_setting(t, f, p, grid_size=max_trials if max_trials is not None else t,
                                evals=evals or _UNKNOWN_EVALS)
    except TfpError as error:
        return error.message
    return TfpChoice(setting.t, setting.f, setting.p, setting.note)


def describe_choice(choice: TfpChoice) -> str:
    """One line on what applying ``choice`` does and costs."""
    if choice.f >= 1.0:
        what = f"no early stopping: {choice.t} trials train fully"
    else:
        what = f"{choice.t} trials to f = {choice.f:.4g}, then the best {choice.p} continue"
    return f"{what}; budget t*f + p*(1-f) = {tfp_cost(choice.t, choice.f, choice.p):.2f} full trainings"


def _as_text(text: str | Text) -> Text:
    """Plain text (never parsed as markup), dim when given as a str."""
    return text if isinstance(text, Text) else Text(text, style="dim")


class TfpScreen(ModalScreen[TfpChoice | None]):
    """Prefilled with ``initial`` (the planner's recommendation when there is one)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(
        self, initial: TfpChoice, *, recommendation: str | Text, max_trials: int | None, simulated: bool,
        evals: int | None = None,
    ) -> None:
        super().__init__()
        self.initial = initial
        self.recommendation = recommendation
        self.max_trials = max_trials
        self.simulated = simulated
        self.evals = evals
        """Scheduled evaluations of a full training, when a trial has started (f snaps to k/E)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            title = Text("Apply the t/f/p policy", style="bold")
            if self.simulated:
                title.append("  SIMULATED (replay)", "bold yellow")
            yield Static(title, classes="dialog-title")
            yield Static(_as_text(self.recommendation), id="tfp-recommendation")
            with Horizontal(classes="tfp-fields"):
                yield Label("t")
                yield Input(str(self.initial.t), id="tfp-t", type="integer")
                yield Label("f")
                yield Input(format_fraction(self.initial.f, self.evals), id="tfp-f")
                yield Label("p")
                yield Input(str(self.initial.p), id="tfp-p", type="integer")
            yield Static(id="tfp-cost")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Apply", variant="error", id="apply")
                yield Button("Cancel (esc)", variant="primary", id="cancel")

    def on_mount(self) -> None:
        self._update_cost()
        self.query_one("#tfp-t", Input).focus()

    def show_recommendation(self, choice: TfpChoice | None, text: str | Text) -> None:
        """The planner answered while the dialog was open: show its settings, and prefill the best
        unless the user has already changed the fields."""
        self.query_one("#tfp-recommendation", Static).update(_as_text(text))
        if choice is None or self._choice() != self.initial:
            return
        self.initial = choice
        self.query_one("#tfp-t", Input).value = str(choice.t)
        self.query_one("#tfp-f", Input).value = format_fraction(choice.f, self.evals)
        self.query_one("#tfp-p", Input).value = str(choice.p)

    def _choice(self) -> TfpChoice | str:
        return parse_tfp(
            self.query_one("#tfp-t", Input).value,
            self.query_one("#tfp-f", Input).value,
            self.query_one("#tfp-p", Input).value,
            max_trials=self.max_trials,
            evals=self.evals,
        )

    def _update_cost(self) -> None:
        choice = self._choice()
        cost = self.query_one("#tfp-cost", Static)
        if isinstance(choice, str):
            cost.update(Text(choice, style="bold red"))
        else:
            text = Text(describe_choice(choice))
            if choice.note:
                text.append(f"\n{choice.note}", style="yellow")
            cost.update(text)

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
