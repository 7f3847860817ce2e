"""What the keys do: kill, kill diverged, t/f/p, pause, sorting, replay controls, help, quit,
switching sweeps. Every action that changes a sweep asks first; in a replay they act on the
simulated copy and say so."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from seedtui.core.view.table import SORT_COLUMNS, next_in_cycle, next_status_filter
from seedtui.log.supervisor_state import read_state
from seedtui.policy.schedule import scheduled_eval_count
from seedtui.tui.messages import PlanComputed
from seedtui.tui.renderables.stats import plan_text
from seedtui.tui.screens.confirm import ConfirmScreen
from seedtui.tui.screens.help import HelpScreen
from seedtui.tui.screens.picker import SweepPicker
from seedtui.tui.screens.quit import QuitScreen
from seedtui.tui.screens.search import SearchScreen
from seedtui.tui.screens.sort_menu import SortMenu
from seedtui.tui.screens.tfp import TfpChoice, TfpScreen
from seedtui.tui.screens.trial_detail import TrialDetailScreen
from seedtui.tui.stats_jobs import compute_plan, flag_diverging, snapshot_trials
from seedtui.tui.stats_process import in_stats_process
from seedtui.tui.widgets.heatmap import Heatmap
from seedtui.tui.widgets.stats_pane import StatsPane
from seedtui.tui.widgets.trial_table import TrialTable

if TYPE_CHECKING:
    from seedtui.tui.app import SeedTuiApp

REPLAY_ACTIONS = {"play_pause", "step", "faster", "slower", "jump_end", "restart", "step_back", "seek"}
STEERING_ACTIONS = {"kill_selected", "kill_diverged", "tfp", "toggle_queue"}
"""Actions that change a sweep: hidden from the footer where they cannot act (read-only)."""


def read_only_sentence(app: SeedTuiApp) -> str:
    """Why the steering keys are off, in a sentence: the sweep finished, or its supervisor is gone
    (then how to resume it). ``seedtui CONFIG`` on a finished sweep used to open read-only silently."""
    unavailable = "kill, t/f/p and pause are unavailable"
    if app.source.mode != "live":
        return f"Read-only ({app.source.mode}): {unavailable}."
    sweep_dir = app.source.sweep_dir
    state = ((read_state(sweep_dir) if sweep_dir is not None else None) or {}).get("state")
    if state in ("finished", "stopped"):
        return f"Read-only: this sweep has {state}, so {unavailable}."
    return (f"Read-only: no supervisor runs this sweep, so {unavailable}. "
            f"Resume it with: seedtui run {app.source.sweep_dir}")


class ActionsMixin:
    """Key actions of ``SeedTuiApp`` (kept apart so app.py stays about data flow)."""

    def _app(self) -> SeedTuiApp:
        return self  # type: ignore[return-value]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        app = self._app()
        if action in REPLAY_ACTIONS:
            return app.source.is_replay
        if action in STEERING_ACTIONS:
            return bool(app.source.can_act)
        if action == "switch_sweep":
            return len(app.sweeps) > 1 and app.source_factory is not None
        return True

    def tell(self, text: str) -> None:
        """Tell the user what an action did (kept for tests in ``last_message``)."""
        app = self._app()
        app.last_message = text
        app.notify(text, timeout=4, markup=False)

    def _label(self, text: str) -> str:
        return f"SIMULATED: {text}" if self._app().source.simulated else text

    # --- trial actions ---------------------------------------------------------------------------
    def action_kill_selected(self) -> None:
        app = self._app()
        trial = app.selected
        if trial is None:
            self.tell("no trial selected")
            return
        if not app.source.can_act:
            self.tell(read_only_sentence(app))
            return
        state = app.model.trials[trial]
        if state.is_finished:
            self.tell(f"{trial} has already ended ({state.status})")
            return
        lines = [
            f"status {state.status}, {state.progress:.0%} done, best "
            f"{'-' if state.best_score() is None else f'{state.best_score():.4f}'}"
        ]

        def done(yes: bool | None) -> None:
            if yes:
                self.tell(app.source.kill(trial))

        app.push_screen(ConfirmScreen(self._label(f"Kill {trial}?"), lines, yes_label="Kill"), done)

    def diverging_trials(self) -> list[str]:
        app = self._app()
        # the engine's rule (still at the majority baseline) plus any running trial whose loss is
        # NaN or infinite, which the engine's rule only catches at its next evaluation
        flagged = set(
            flag_diverging(list(app.model.trials.values()), app.source.info.divergence_min_fraction) or []
        )
        flagged |= set(app.model.running_with_bad_loss())
        return sorted(
            t
            for t in flagged
            if app.model.trials.get(t) is not None and app.model.trials[t].status in ("running", "suspended")
        )

    def action_kill_diverged(self) -> None:
        app = self._app()
        trials = self.diverging_trials()
        if not trials:
            self.tell("no running trial is diverging")
            return
        if not app.source.can_act:
            self.tell(read_only_sentence(app))
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.tell(app.source.kill_many(trials))

        app.push_screen(
            ConfirmScreen(
                self._label(f"Kill these {len(trials)} diverging trial(s)?"), trials, yes_label="Kill all"
            ),
            done,
        )

    def action_tfp(self) -> None:
        app = self._app()
        if not app.source.can_act:
            self.tell(read_only_sentence(app))
            return
        # the dialog opens at once (the planner can take a while at 625 trials) and asks for a fresh
        # plan: the last one may predate trials that finished since
        self.open_tfp_dialog(planning=True)
        self.request_plan(app.query_one(StatsPane).budget)

    def request_plan(self, budget: float | None) -> None:
        """Plan for ``budget`` (None: the default budget) in a worker; remembered so the plan is
        recomputed whenever the statistics are."""
        app = self._app()
        app.plan_budget = budget
        trials = snapshot_trials(app.model.trials.values())

        def job() -> None:
            rows, planned, error = in_stats_process(compute_plan, trials, budget)
            app.post_message(PlanComputed(planned, rows, error))

        app.run_worker(job, thread=True, group="plan", name="plan", exclusive=True)

    def recommendation(self) -> tuple[TfpChoice | None, Text]:
        """The planner's latest answer as a t/f/p choice, and its settings (or why there are none)
        as the stats pane shows them, so the dialog and the pane agree."""
        pane = self._app().query_one(StatsPane)
        text = plan_text(pane.plan_rows, pane.budget, error=pane.plan_error)
        if pane.plan_rows:
            row = pane.plan_rows[0]
            choice = TfpChoice(int(_field(row, "t")), float(_field(row, "f")), int(_field(row, "p")))
            return choice, text.append(" Prefilled with 1.", "dim")
        return None, text

    def open_tfp_dialog(self, *, planning: bool = False) -> None:
        app = self._app()
        n = max(1, len(app.model.trials))
        choice, text = self.recommendation()
        if planning:
            text = Text("asking the planner…", style="dim")
        # without a plan the dialog offers no early stopping: always a valid choice, and one the
        # user changes knowingly (a made-up f could fall between two scheduled evaluations)
        initial = choice or TfpChoice(n, 1.0, n)

        def done(result: TfpChoice | None) -> None:
            if result is not None:
                self.tell(app.source.apply_tfp(result.t, result.f, result.p))

        evals = next((count for state in app.model.trials.values() if state.start is not None
                      and (count := scheduled_eval_count(state.start))), None)
        app.push_screen(
            TfpScreen(initial, recommendation=text, max_trials=n, simulated=app.source.simulated,
                      evals=evals),
            done,
        )

    def action_toggle_queue(self) -> None:
        app = self._app()
        if not app.source.can_act:
            self.tell(read_only_sentence(app))
            return
        paused = bool(app.status and app.status.queue_paused)
        self.tell(app.source.set_queue_paused(not paused))

    # --- views -------------------------------------------------------------------------------------
    def action_cycle_sort(self) -> None:
        table = self._app().query_one(TrialTable)
        table.sort_by(next_in_cycle(SORT_COLUMNS, table.sort_column))
        self.tell(f"sorted by {table.sort_column}" + (" (descending)" if table.descending else ""))

    def action_reverse_sort(self) -> None:
        table = self._app().query_one(TrialTable)
        table.sort_by(table.sort_column, descending=not table.descending)

    def action_cycle_filter(self) -> None:
        app = self._app()
        table = app.query_one(TrialTable)
        table.set_filter(next_status_filter(app.model.trials.values(), table.status_filter))
        self._follow_table()
        self.tell(f"showing {table.status_filter or 'all'} trials ({len(table.rows)})")

    def _follow_table(self) -> None:
        """After a filter or search hid the selected trial, select the trial the cursor landed on, so
        curves, grid and stderr show the row the table highlights."""
        app = self._app()
        shown = app.query_one(TrialTable).selected_trial
        if shown is not None and shown != app.selected:
            app.select_trial(shown)

    def action_search(self) -> None:
        app = self._app()
        table = app.query_one(TrialTable)

        def done(text: str | None) -> None:
            if text is None:
                return
            table.set_search(text)
            self._follow_table()
            self.tell(f"{len(table.rows)} trial(s) match '{table.search}'" if table.search
                      else "search cleared: every trial shown")

        app.push_screen(SearchScreen(table.search), done)

    def action_sort_menu(self) -> None:
        app = self._app()
        table = app.query_one(TrialTable)

        def done(column: str | None) -> None:
            if column is not None:
                table.sort_by(column)
                self.tell(f"sorted by {table.sort_column}" + (" (descending)" if table.descending else ""))

        app.push_screen(SortMenu(table.sort_column, table.descending), done)

    def action_open_trial(self) -> None:
        app = self._app()
        if app.screen is not app.screen_stack[0]:
            return  # a dialog is open
        if app.selected is None:
            self.tell("no trial selected")
            return
        app.push_screen(TrialDetailScreen(app.selected, lambda: app.model.trials, list(app.marked)))

    def action_mark_trial(self) -> None:
        """Mark (or unmark) the selected trial: the trial screen draws marked trials behind its own."""
        app = self._app()
        if app.selected is None:
            self.tell("no trial selected")
            return
        if app.selected in app.marked:
            app.marked.remove(app.selected)
        else:
            app.marked.append(app.selected)
        app.query_one(TrialTable).set_marked(app.marked)
        self.tell(f"marked: {', '.join(app.marked)} (enter overlays them)" if app.marked
                  else "no trial marked")

    def action_shared_scale(self) -> None:
        table = self._app().query_one(TrialTable)
        table.set_shared_scale(not table.shared_scale)
        self.tell("validation sparklines share one scale" if table.shared_scale
                  else "each validation sparkline has its own scale")

    def action_zoom(self) -> None:
        """The active pane alone, full screen (again: back to the layout of the terminal's width)."""
        app = self._app()
        app.zoomed = not app.zoomed
        app.screen_stack[0].set_class(app.zoomed, "-zoom")  # the panes' screen, under any dialog
        app.show_pane(app.active_pane)
        self.tell(f"{app.active_pane} zoomed (z again to go back)" if app.zoomed else "zoom off")

    def action_reorder(self) -> None:
        heatmap = self._app().query_one(Heatmap)
        heatmap.toggle_order()
        self.tell(
            "grid ordered by means: best WI top, best DO right" if heatmap.ordered else "grid in seed order"
        )

    def action_show_pane(self, pane: str) -> None:
        self._app().show_pane(pane)

    # --- replay controls -------------------------------------------------------------------------------
    def action_play_pause(self) -> None:
        self._app().source.toggle_play()

    def action_step(self) -> None:
        self._app().source.step()

    def action_faster(self) -> None:
        self._app().source.faster()

    def action_slower(self) -> None:
        self._app().source.slower()

    def action_jump_end(self) -> None:
        self._app().source.jump_to_end()

    # --- help, quit, sweeps ------------------------------------------------------------------------------
    def action_help(self) -> None:
        app = self._app()
        groups = [
            ("everywhere", [b for b in app.BINDINGS if isinstance(b, Binding)]),
            ("trials table", list(TrialTable.BINDINGS)),
            ("grid", list(Heatmap.BINDINGS)),
            ("trial screen (enter)", list(TrialDetailScreen.BINDINGS)),
        ]
        app.push_screen(HelpScreen(groups))  # type: ignore[arg-type]

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette (ctrl+p): every action a key runs, under its key's description, and
        only those the sweep allows now (no kill in a read-only view). Textual's own Quit is left
        out: ours asks whether to leave a live sweep running."""
        app = self._app()
        seen: set[str] = set()
        for binding in app.BINDINGS:
            if not isinstance(binding, Binding) or binding.action in seen:
                continue
            seen.add(binding.action)
            name, _, _ = binding.action.partition("(")
            if app.check_action(name, ()) is False:
                continue
            key = binding.key_display or binding.key.split(",")[0]
            yield SystemCommand(binding.description, f"key {key}",
                                partial(app.run_action, binding.action))
        for command in App.get_system_commands(app, screen):
            if command.title not in ("Quit", "Keys"):
                yield command

    def action_quit_app(self) -> None:
        app = self._app()
        if app.source.mode != "live" or not app.source.can_act:
            app.exit()
            return

        def done(choice: str | None) -> None:
            if choice == "stop":
                self.tell(app.source.stop_sweep())
                app.exit()
            elif choice == "leave":
                app.exit()

        app.push_screen(QuitScreen(), done)

    def action_switch_sweep(self) -> None:
        app = self._app()
        if app.source_factory is None or len(app.sweeps) < 2:
            self.tell("only one sweep is open")
            return
        app.push_screen(SweepPicker(app.sweeps, app.source.sweep_dir), self._open_sweep)

    def _open_sweep(self, path: Path | None) -> None:
        app = self._app()
        if path is None or path == app.source.sweep_dir or app.source_factory is None:
            return
        app.source.stop()
        app.reset_for(app.source_factory(path))


def _field(row: Any, name: str) -> Any:
    return row.get(name) if isinstance(row, dict) else getattr(row, name)
