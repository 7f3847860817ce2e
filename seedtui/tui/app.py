"""The seedtui application: one app over three event sources (live, replay, fake).

Threads post, handlers own: the source's thread fills a buffer and posts ``SourceUpdated``
(coalesced); the handler drains it into the ``SweepModel`` and marks the panes dirty; a timer
redraws dirty panes a few times a second, so a burst of thousands of events costs one redraw.
Statistics run in a worker thread at most every ``STATS_SECONDS`` and post their result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.css.query import NoMatches
from textual.widgets import Input

from seedtui.core.engine.trial_nodes import node_count, sweep_nodes
from seedtui.core.view.heatmap import values_width
from seedtui.core.view.sweep_model import SweepModel
from seedtui.log.files import STDERR_FILE
from seedtui.log.text_tail import read_text_tail
from seedtui.tui.actions import ActionsMixin, read_only_sentence
from seedtui.tui.heap import RESUME_AFTER_LOADED_SECONDS, collection_paused, resume_after_loading
from seedtui.tui.heap import freeze_startup_heap as freeze_startup_heap  # what the commands call
from seedtui.tui.messages import PlanComputed, SourceUpdated, StatsComputed
from seedtui.tui.replay_actions import ReplayActionsMixin
from seedtui.tui.screens.tfp import TfpScreen
from seedtui.tui.sources.base import EventSource, SourceStatus
from seedtui.tui.stats_jobs import compute_summary, snapshot_trials
from seedtui.tui.stats_process import in_stats_process
from seedtui.tui.widgets.curves import CurvesPane
from seedtui.tui.widgets.decisions_log import DecisionsLog
from seedtui.tui.widgets.footer import FittedFooter
from seedtui.tui.widgets.header import SweepHeader
from seedtui.tui.widgets.heatmap import Heatmap
from seedtui.tui.widgets.pane_tabs import PANES, PaneTabs
from seedtui.tui.widgets.stats_pane import StatsPane
from seedtui.tui.widgets.trial_table import TrialTable

REFRESH_SECONDS = 0.25
STATS_SECONDS = 2.0
NODES_SECONDS = 5.0
"""How stale the node labels may get while no trial starts, resumes or ends: a Ray launch record may
learn its node a moment after the trial's start event."""
WIDE_COLUMNS = 150
"""From this width every pane shows at once (three columns); below it, one pane at a time."""
MEDIUM_COLUMNS = 100
"""From this width to ``WIDE_COLUMNS``: two columns, the trials and log beside the grid and curves
(or the statistics)."""
MIN_TABLE_COLUMNS = 40
"""The trials' column keeps at least this width when the grid's column widens to print values."""
SourceFactory = Callable[[Path], EventSource]


class SeedTuiApp(ReplayActionsMixin, ActionsMixin, App[None]):
    """Watch and steer a sweep; see ``?`` in the app for every key."""

    CSS_PATH = "seedtui.tcss"
    TITLE = "seedtui"
    # The palette (ctrl+p) lists every key's action by name (``get_system_commands``). It had been
    # switched off since the app's first version, no reason recorded; Textual's built-in list has a
    # Quit that would skip the leave-or-stop question of a live sweep, so ours replaces it.
    HORIZONTAL_BREAKPOINTS = [(0, "-compact"), (MEDIUM_COLUMNS, "-medium"), (WIDE_COLUMNS, "-wide")]
    BINDINGS = [
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit_app", "Quit"),
        Binding("x", "kill_selected", "Kill"),
        Binding("X", "kill_diverged", "Kill diverged"),
        Binding("t", "tfp", "t/f/p"),
        Binding("p", "toggle_queue", "Pause queue"),
        Binding("space", "play_pause", "Play/pause"),
        Binding("n", "step", "Step"),
        Binding("plus,right_square_bracket", "faster", "Faster", key_display="+"),
        Binding("minus,left_square_bracket", "slower", "Slower", key_display="-"),
        Binding("e", "jump_end", "End"),
        Binding("N", "step_back", "Step back", show=False),
        Binding("R", "restart", "Restart replay", show=False),
        Binding("g", "seek", "Go to (50% or e7)", show=False),
        Binding("s", "cycle_sort", "Sort", show=False),
        Binding("r", "reverse_sort", "Reverse sort", show=False),
        Binding("f", "cycle_filter", "Filter status", show=False),
        Binding("o", "reorder", "Order grid by means", show=False),
        Binding("b", "focus_budget", "Type a budget", show=False),
        Binding("w", "switch_sweep", "Sweeps"),
        Binding("slash", "search", "Search trials", key_display="/"),
        Binding("S", "sort_menu", "Sort menu", show=False),
        Binding("z", "zoom", "Zoom pane", show=False),
        Binding("enter", "open_trial", "Open trial", show=False),
        Binding("m", "mark_trial", "Mark trial (overlay)", show=False),
        Binding("v", "shared_scale", "Shared sparkline scale", show=False),
        Binding("escape", "focus_table", "Back to the table", show=False),
        *[
            Binding(str(n), f"show_pane('{key}')", f"Show {label}", show=False)
            for n, (key, label) in enumerate(PANES, start=1)
        ],
    ]

    def __init__(
        self,
        source: EventSource,
        *,
        sweeps: Sequence[Path] = (),
        source_factory: SourceFactory | None = None,
        refresh_seconds: float = REFRESH_SECONDS,
        stats_seconds: float = STATS_SECONDS,
    ) -> None:
        super().__init__()
        self.source = source
        self.sweeps = list(sweeps)
        self.source_factory = source_factory
        self.refresh_seconds = refresh_seconds
        self.stats_seconds = stats_seconds
        self.model = SweepModel(sweep_dir=source.sweep_dir)
        self.status: SourceStatus | None = None
        self.selected: str | None = None
        self.active_pane = "trials"
        self.last_message = ""
        self._changed: set[str] = set()
        self._dirty = False
        self._last_flush = 0.0
        self._node_labels: dict[str, str] = {}
        self._node_labels_key: object = None
        self._node_labels_at = 0.0
        self._stats_dirty = False
        self._stats_running = False
        self._stats_started = False
        self._stats_started_at = 0.0
        self._stats_seconds_taken = 0.0
        self.plan_budget: float | None = None
        """The budget last planned for (None: the default); re-planned whenever statistics are."""
        self._planned = False
        self._told_read_only = False
        self._resume_scheduled = False
        self.zoomed = False
        """``z``: the active pane alone, whatever the width."""
        self.marked: list[str] = []
        """Trials marked with ``m``: the trial screen overlays their curves."""

    # --- layout ------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield SweepHeader(id="header")
        yield PaneTabs(id="tabs")
        with Container(id="body"):
            with Vertical(id="col-a", classes="column"):
                yield TrialTable(id="trials", classes="pane")
                yield DecisionsLog(id="log", classes="pane")
            with Vertical(id="col-b", classes="column"):
                yield Heatmap(id="grid", classes="pane")
                yield CurvesPane(id="curves", classes="pane")
            yield StatsPane(id="stats", classes="pane column -right-off")
        yield FittedFooter()

    def on_mount(self) -> None:
        self.show_pane("trials")
        self.query_one(TrialTable).focus()
        self._update_header()
        self.set_interval(self.refresh_seconds or REFRESH_SECONDS, self._redraw_if_dirty)
        self.set_interval(self.stats_seconds, self._stats_tick)
        self.source.start(self._notify_from_source)

    def reset_for(self, source: EventSource) -> None:
        """Show another sweep: a fresh model and panes fed by ``source``."""
        self.source = source
        self.model = SweepModel(sweep_dir=source.sweep_dir)
        self.status = None
        self.selected = None
        self._changed.clear()
        self._stats_started = False
        self._planned, self.plan_budget, self._told_read_only = False, None, False
        self.query_one(DecisionsLog).clear()
        self.query_one(StatsPane).show_summary(None)
        self.query_one(StatsPane).show_plan([], None)
        self._redraw()
        self.source.start(self._notify_from_source)

    def _notify_from_source(self) -> None:
        self.post_message(SourceUpdated())

    def on_unmount(self) -> None:
        self.source.stop()

    def show_pane(self, pane: str) -> None:
        """Narrow terminal: show only ``pane``; wide: focus it."""
        self.active_pane = pane
        for key, _ in PANES:
            self.query_one(f"#{key}").set_class(key == pane, "-active")
        for column in self.query(".column"):
            holds = column.id == pane or any(child.id == pane for child in column.children)
            column.set_class(not holds, "-inactive")
            if column.id != "col-a" and (holds or pane in ("grid", "curves", "stats")):
                # two columns: the right one shows the grid and curves, or the statistics
                column.set_class(not holds, "-right-off")
        self.query_one(PaneTabs).show(pane)
        widget = self.query_one(f"#{pane}")
        if widget.focusable:
            widget.focus()
        self._fit_grid_column()

    def _fit_grid_column(self) -> None:
        """Two or three columns: widen the grid's column so that a grid of up to
        ``MAX_VALUE_COLUMNS`` DO seeds prints its values (a 10 x 10 grid at 120 columns), as long
        as the trials keep ``MIN_TABLE_COLUMNS``; otherwise (and zoomed, or one pane at a time) the
        stylesheet's width."""
        column = self.query_one("#col-b")
        width, wanted = self.size.width, None
        needed = values_width(len(self.query_one(Heatmap).grid.do_seeds))
        if needed is not None and not self.zoomed and width >= MEDIUM_COLUMNS:
            wide = width >= WIDE_COLUMNS
            beside = self.query_one("#stats").styles.width if wide else None  # the statistics' column
            beside_cells = int(beside.value) if beside is not None and beside.is_cells else 0
            stylesheet = column.styles.base.width  # cells when wide, a share of the width otherwise
            default = int(stylesheet.value) if stylesheet is not None and stylesheet.is_cells else (
                (width - beside_cells) // 2)
            wanted = needed + 2  # the pane's border
            if wanted <= default or width - beside_cells - wanted < MIN_TABLE_COLUMNS:
                wanted = None
        current = column.styles.inline.width
        if wanted != (int(current.value) if current is not None else None):
            column.styles.width = wanted

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_grid_column)

    # --- events from the source ----------------------------------------------------------------------
    def on_source_updated(self, message: SourceUpdated) -> None:
        update = self.source.drain()
        if update.restart:  # the replay went back: everything is folded again from its beginning
            self.model = SweepModel(sweep_dir=self.source.sweep_dir)
            self.query_one(DecisionsLog).clear()
            self._changed |= set(update.known_trials)
        for trial in update.known_trials:
            self.model.ensure(trial)
        for trial in update.replaced:
            self.model.forget(trial)
        self._changed |= set(update.replaced)
        self._changed |= self.model.apply(update.events)
        self._changed |= self.model.mark_orphaned(update.orphaned)
        self._changed |= self.model.apply_slices(update.slices)
        if update.known_trials:
            self._changed |= set(update.known_trials)
        if update.decisions:
            self.model.add_decisions(update.decisions)
            self.query_one(DecisionsLog).add_decisions(update.decisions, self._t0())
        if update.status is not None:
            if self.status is None or self.status.mode != update.status.mode:
                self.refresh_bindings()  # the steering keys leave or rejoin the footer
            self.status = update.status
            if update.status.mode == "read-only" and not self._told_read_only:
                self._told_read_only = True
                self.tell(read_only_sentence(self))
        for notice in update.notices:
            self.tell(notice)
        self._dirty = True
        self._stats_dirty = self._stats_dirty or bool(update.events or update.slices or update.replaced
                                                       or update.orphaned)
        if not self.refresh_seconds or time.monotonic() - self._last_flush >= self.refresh_seconds:
            self._redraw()

    def _t0(self) -> float | None:
        times = [t.first_t for t in self.model.trials.values() if t.first_t is not None]
        return min(times) if times else None

    def _redraw_if_dirty(self) -> None:
        if self._dirty:
            self._redraw()

    def _redraw(self) -> None:
        """Redraw what the last batches changed."""
        self._dirty = False
        self._last_flush = time.monotonic()
        changed, self._changed = self._changed, set()
        self.query_one(TrialTable).set_trials(self.model.trials, changed)
        heatmap = self.query_one(Heatmap)
        columns = len(heatmap.grid.do_seeds)
        heatmap.update_model(self.model)
        if len(heatmap.grid.do_seeds) != columns:
            self._fit_grid_column()
        self.query_one(CurvesPane).update_model(self.model)
        if self.selected is None or self.selected not in self.model.trials:
            first = self.query_one(TrialTable).selected_trial
            if first is not None:
                self.select_trial(first)
        elif self.source.mode != "replay" and self.selected in changed:
            self._show_stderr()
        self._update_header()
        if collection_paused() and not self.source.loading and not self._resume_scheduled:
            self._resume_scheduled = True  # once the sweep is loaded and this screen drawn
            self.set_timer(RESUME_AFTER_LOADED_SECONDS, resume_after_loading)
        first_stats = self._stats_dirty and not self._stats_running and not self._stats_started
        if first_stats and not self.source.loading:
            # the first summary should not wait for the stats timer, but a replay's logs load first
            # (the statistics thread would slow the loading thread down), and the screen is drawn
            # first (copying 625 trials for the statistics process took 25-30 ms of the UI thread)
            self._stats_started = self._stats_running = True
            self.call_after_refresh(self._start_stats)

    def _update_header(self) -> None:
        labels = self._trial_nodes()
        self.query_one(CurvesPane).node_labels = labels
        self.query_one(SweepHeader).show_sweep(
            self.model, self.source.info, sweep_dir=self.source.sweep_dir, status=self.status,
            nodes=node_count(labels),
        )

    def _trial_nodes(self) -> dict[str, str]:
        """Trial id -> node label. Reading every trial's Ray launch record on each redraw would cost
        a file read per trial a few times a second, so the labels are kept until a trial starts,
        resumes or ends, the supervisor's ``nodes`` change, or ``NODES_SECONDS`` pass."""
        running = self.status.running_nodes if self.status is not None else ()
        key = (self.source.sweep_dir, running,
               [(t, s.start is not None and s.start.get("t"), s.resumes, s.status)
                for t, s in self.model.trials.items()])
        if key != self._node_labels_key or time.monotonic() - self._node_labels_at >= NODES_SECONDS:
            # the backend sweep.toml names spares reading every trial's launch record to learn it
            backend = {"backend": self.source.info.backend} if self.source.info.backend else {}
            self._node_labels = sweep_nodes(self.source.sweep_dir, self.model.trials.values(),
                                            supervisor_state={"nodes": dict(running), **backend})
            self._node_labels_key, self._node_labels_at = key, time.monotonic()
        return self._node_labels

    # --- selection -------------------------------------------------------------------------------------
    def select_trial(self, trial_id: str) -> None:
        """Select ``trial_id`` in every pane."""
        self.selected = trial_id
        self.query_one(TrialTable).select(trial_id)
        self.query_one(Heatmap).select(trial_id)
        self.query_one(CurvesPane).select(trial_id)
        self._show_stderr()

    def _show_stderr(self) -> None:
        state = self.model.trials.get(self.selected or "")
        text = ""
        if state is not None and state.log_path is not None:
            text = read_text_tail(state.log_path.parent / STDERR_FILE, max_lines=60)
        self.query_one(DecisionsLog).show_stderr(self.selected, text)

    def on_trial_table_selected(self, message: TrialTable.Selected) -> None:
        self.select_trial(message.trial_id)

    def on_heatmap_selected(self, message: Heatmap.Selected) -> None:
        self.select_trial(message.trial_id)

    def on_pane_tabs_chosen(self, message: PaneTabs.Chosen) -> None:
        self.show_pane(message.pane)

    # --- statistics ------------------------------------------------------------------------------------
    def _stats_tick(self) -> None:
        # a summary that takes s seconds runs at most every 5 s, so statistics of a big sweep never
        # take more than a fifth of the CPU the UI shares with them
        due = time.monotonic() - self._stats_started_at >= 5 * self._stats_seconds_taken
        if self._stats_dirty and not self._stats_running and due and not self.source.loading:
            self._start_stats()

    def _start_stats(self) -> None:
        self._stats_started = True
        self._stats_started_at = time.monotonic()
        self._stats_dirty = False
        self._stats_running = True
        trials = snapshot_trials(self.model.trials.values())

        def job() -> None:
            started = time.perf_counter()
            summary, error = in_stats_process(compute_summary, trials)
            self.post_message(StatsComputed(summary, error, seconds=time.perf_counter() - started))

        self.run_worker(job, thread=True, group="stats", name="stats")

    def on_stats_computed(self, message: StatsComputed) -> None:
        self._stats_running = False
        self._stats_seconds_taken = message.seconds
        with suppress(NoMatches):  # a worker may finish while the app shuts down
            self.query_one(StatsPane).show_summary(message.summary, message.error)
        if self._planned:  # the data changed: a plan (or the planner's refusal) may be out of date
            self.request_plan(self.plan_budget)

    def on_plan_computed(self, message: PlanComputed) -> None:
        self._planned = True
        with suppress(NoMatches):
            self.query_one(StatsPane).show_plan(message.rows, message.budget, message.error)
        if isinstance(self.screen, TfpScreen):
            self.screen.show_recommendation(*self.recommendation())

    def on_stats_pane_budget_submitted(self, message: StatsPane.BudgetSubmitted) -> None:
        self.request_plan(message.budget)

    def action_focus_budget(self) -> None:
        self.show_pane("stats")
        self.query_one("#budget", Input).focus()

    def action_focus_table(self) -> None:
        self.show_pane("trials")


def create_app(
    source: EventSource,
    *,
    sweeps: Sequence[Path] = (),
    source_factory: SourceFactory | None = None,
    refresh_seconds: float = REFRESH_SECONDS,
    stats_seconds: float = STATS_SECONDS,
) -> SeedTuiApp:
    """The app over ``source``. ``sweeps`` and ``source_factory`` let the user switch between
    several sweeps (``w``); tests pass ``refresh_seconds=0`` to redraw on every batch."""
    return SeedTuiApp(
        source,
        sweeps=sweeps,
        source_factory=source_factory,
        refresh_seconds=refresh_seconds,
        stats_seconds=stats_seconds,
    )
