"""The headless front end: follow a sweep's directory and print its progress, without a screen.

On a terminal it draws a live rich display (an overall bar and one line per running trial with
its step, loss and score); when stdout is not a terminal (CI logs) it prints plain lines: trials
starting and ending, and a status line every ``status_every_s``. Stop decisions are printed as
they are logged either way, and the summary table at the end. When the trials run on a Ray cluster
(or on another host), the lines and the summary say on which node (see ``trial_nodes``). It only
reads the directory, so it can follow a supervisor started by anyone, and leaving it (or losing
the terminal) leaves the sweep running.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from seedtui.core.engine.control import read_state, send_command, supervisor_status
from seedtui.core.engine.summary import read_summary, unfinished_trials
from seedtui.core.engine.trial_nodes import (
    ray_backend,
    supervisor_host,
    sweep_nodes,
    trial_node,
    trials_per_node,
)
from seedtui.log.files import trial_dir
from seedtui.log.trial_env import is_launcher_start
from seedtui.state import SweepFollower, TrialState, count_by_status, count_ended
from seedtui.text.terminal import markup_literal

INTERRUPTED_EXIT = 130


@dataclass
class Placement:
    """Where the trials of a sweep run, as ``supervisor.json`` (its ``backend`` and ``nodes``) and the
    trials' launch records say (see ``trial_nodes``)."""

    sweep_dir: Path
    supervisor_state: dict[str, Any] | None = None
    """``supervisor.json`` as last read (``refresh``)."""

    def refresh(self) -> None:
        self.supervisor_state = read_state(self.sweep_dir)

    def node(self, state: TrialState, host: str | None = None) -> str | None:
        """Where the trial runs or ran (None: not placed yet, or the supervisor's machine).
        ``host``: the one an event names; by default its latest start or resume's."""
        directory = trial_dir(self.sweep_dir, state.trial_id)
        return trial_node(directory, state.trial_id, host or state.host,
                          on_ray=ray_backend(self.supervisor_state, [directory]),
                          running_nodes=(self.supervisor_state or {}).get("nodes"),
                          this_host=supervisor_host(self.supervisor_state))

    def nodes(self, states: Iterable[TrialState]) -> dict[str, str]:
        """Trial id -> node, for those of ``states`` that have one."""
        return sweep_nodes(self.sweep_dir, states, supervisor_state=self.supervisor_state)


def follow_sweep(sweep_dir: Path, console: Console | None = None, *, poll_s: float = 1.0,
                 status_every_s: float = 15.0) -> int:
    """Follow the sweep until its supervisor finishes; print the summary. Returns the exit code:
    0 finished, 1 a trial failed (or the supervisor died), 130 interrupted twice."""
    console = console or Console()
    follower = SweepFollower(Path(sweep_dir))
    placement = Placement(Path(sweep_dir))

    def node_of(trial: str, host: str | None) -> str | None:
        return placement.node(follower.state.ensure(trial), host)

    def running_nodes() -> dict[str, str]:
        return placement.nodes(s for s in follower.states() if s.status == "running")

    interrupts = _install_interrupt_handler()
    planned = len((read_state(sweep_dir) or {}).get("planned", [])) or None
    live = Live(console=console, refresh_per_second=4, transient=True) if console.is_terminal else None
    last_status = time.monotonic()
    stop_sent = False
    try:
        if live is not None:
            live.start()
        while True:
            update = follower.poll()
            placement.refresh()
            _print_changes(console, update.events, update.decisions, node_of)
            if interrupts and not stop_sent:
                console.print("[yellow]Interrupted: stopping the sweep; its running trials suspend, and "
                              f"'seedtui run {markup_literal(sweep_dir)}' continues them (Ctrl-C again to "
                              "detach and leave it running).[/]")
                send_command(sweep_dir, "stop_sweep")
                stop_sent = True
            if len(interrupts) > 1:
                console.print("Detached; the sweep continues. Follow it again with: seedtui run "
                              f"{markup_literal(sweep_dir)}")
                return INTERRUPTED_EXIT
            info = supervisor_status(sweep_dir)
            if live is not None:
                live.update(render_progress(follower.states(), planned, running_nodes()))
            elif time.monotonic() - last_status >= status_every_s:
                console.print(status_line(follower.states(), planned, running_nodes()), soft_wrap=True)
                last_status = time.monotonic()
            if info is None or not info.alive:
                break
            time.sleep(poll_s)
    finally:
        if live is not None:
            live.stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)
    update = follower.poll()
    placement.refresh()
    _print_changes(console, update.events, update.decisions, node_of)
    return _finish(console, Path(sweep_dir), placement.nodes(follower.states()))


def _install_interrupt_handler() -> list[int]:
    received: list[int] = []

    def handler(signum: int, _frame: object) -> None:
        received.append(signum)

    signal.signal(signal.SIGINT, handler)
    return received


def _finish(console: Console, sweep_dir: Path, nodes: Mapping[str, str]) -> int:
    info = supervisor_status(sweep_dir)
    summary = read_summary(sweep_dir)
    if info is None or info.state == "running":
        console.print("[red]The supervisor is gone without finishing the sweep (crashed or killed). "
                      "Run the same command again to resume it.[/]")
        return 1
    if summary is not None:
        console.print(render_summary(summary, nodes))
    console.print(f"Sweep {markup_literal(info.state)}: {markup_literal(sweep_dir)}")
    return int(info.exit_code or 0)


NodeOf = Callable[[str, str | None], str | None]
"""(trial id, host its event names or None) -> where it runs; ``Placement.node``."""


def _print_changes(console: Console, events: list[tuple[str, dict[str, Any]]],
                   decisions: list[dict[str, Any]], node_of: NodeOf | None = None) -> None:
    """Trial starts and ends and policy decisions, in the order they happened."""
    lines = []
    for trial, event in events:
        node = None
        if node_of is not None and event.get("event") in ("start", "resume", "end"):
            node = node_of(trial, event.get("host"))
        if (line := _event_line(trial, event, node)) is not None:
            lines.append((float(event.get("t", 0.0)), line))
    lines += [(float(decision.get("t", 0.0)), _decision_line(decision)) for decision in decisions]
    for _, line in sorted(lines, key=lambda pair: pair[0]):
        console.print(line, soft_wrap=True)  # one line per record, never wrapped (CI logs, grep)


def _decision_line(decision: dict[str, Any]) -> str:
    """The line for a policy decision, as markup: every value in it shown literally."""
    what = f"{_clock(decision)} {markup_literal(decision.get('rule'))}"
    trial, reason = markup_literal(decision.get("trial")), markup_literal(decision.get("reason"))
    if decision.get("action") == "stop":
        return f"[bold red]{what} stops {trial}[/]: {reason}"
    return f"{what} {markup_literal(decision.get('action'))}s {trial}: {reason}"


def _event_line(trial: str, event: dict[str, Any], node: str | None = None) -> str | None:
    """The line for a start, resume or end event (None for the others); ``node``: where it runs.
    Markup, with every value from the log shown literally (a reason may hold ``[/x]`` or a
    trainer's escape sequences)."""
    name = event.get("event")
    trial = markup_literal(trial)
    where = f" on {markup_literal(node)}" if node else ""
    if name == "start":  # a command-template trial's process, then the script's own start
        verb = "launched" if is_launcher_start(event) else "started"
        return f"{_clock(event)} {trial} {verb}{where}"
    if name == "resume":
        return f"{_clock(event)} {trial} resumed at step {markup_literal(event.get('step'))}{where}"
    if name == "end":
        by = f" by {markup_literal(event['by'])}" if event.get("by") else ""
        best = event.get("best_score")
        best_text = f", best {best:.4f}" if isinstance(best, (int, float)) else ""
        failed = event.get("status") in ("failed", "diverged")
        why = f": {markup_literal(event.get('reason'))}" if failed else ""
        return (f"{_clock(event)} {trial} ended {markup_literal(event.get('status'))}{by}{where} at step "
                f"{markup_literal(event.get('step'))}{best_text}{why}")
    return None


def _clock(record: dict[str, Any]) -> str:
    t = record.get("t")
    return time.strftime("%H:%M:%S", time.localtime(t)) if isinstance(t, (int, float)) else "--:--:--"


def _trial_line(state: TrialState, node: str | None = None) -> str:
    loss, score, best = state.last_loss(), state.last_score(), state.best_score()
    where = f"  on {markup_literal(node)}" if node else ""
    return (f"{markup_literal(state.trial_id):<12} step {state.last_step}/{state.total_steps or '?'}"
            f"  loss {_num(loss)}  score {_num(score)}  best {_num(best)}{where}")


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def status_line(states: list[TrialState], planned: int | None,
                nodes: Mapping[str, str] | None = None) -> str:
    """One plain line for logs: counts, then each running trial (with its node, from ``nodes``)."""
    done = count_ended(states)
    running = [s for s in states if s.status == "running"]
    head = f"{time.strftime('%H:%M:%S')} {done}/{planned or len(states)} ended, {len(running)} running"
    return "\n".join([head, *(f"  {_trial_line(s, (nodes or {}).get(s.trial_id))}" for s in running)])


def render_progress(states: list[TrialState], planned: int | None,
                    nodes: Mapping[str, str] | None = None) -> RenderableType:
    """The live display: the counts, an overall bar on its own line, then one table row per running
    trial (with its node). A Rich ``ProgressBar`` ends no line, so each bar sits in a grid row (a
    bare bar glued the next line to it), and the columns never wrap: at 100 columns the node is the
    column that gets cut, with an ellipsis, never a score."""
    total = planned or max(len(states), 1)
    done = count_ended(states)
    counts = count_by_status(states, with_zeros=False)
    header = Text(f"trials {done}/{total} ended  " + "  ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    overall = Table.grid(padding=(0, 1))
    overall.add_row(ProgressBar(total=total, completed=done, width=50), Text(f"{done / total:.0%}"))
    rows: list[RenderableType] = [header, overall]
    running = [state for state in states if state.status == "running"]
    if running:
        rows.append(_running_table(running, nodes or {}))
    return Group(*rows)


def _running_table(running: list[TrialState], nodes: Mapping[str, str]) -> Table:
    """A row per running trial. Every column but the node's keeps its widest value (``min_width``),
    so a narrow terminal shortens the node label rather than a score."""
    cells = [[markup_literal(state.trial_id), f"{state.last_step}/{state.total_steps or '?'}",
              _num(state.last_loss()), _num(state.last_score()), _num(state.best_score())]
             for state in running]
    names = ("trial", "step", "loss", "score", "best")
    table = Table(box=None, show_edge=False, pad_edge=False, padding=(0, 1), header_style="dim")
    table.add_column("", width=20, min_width=20, no_wrap=True)
    for index, name in enumerate(names):
        widest = max(len(name), *(len(row[index]) for row in cells))
        table.add_column(name, no_wrap=True, min_width=widest, justify="left" if name == "trial" else "right")
    with_nodes = any(nodes.get(state.trial_id) for state in running)
    if with_nodes:
        table.add_column("node", no_wrap=True, overflow="ellipsis")
    for state, row in zip(running, cells, strict=True):
        node = [markup_literal(nodes.get(state.trial_id) or "")] if with_nodes else []
        table.add_row(ProgressBar(total=1.0, completed=state.progress, width=20), *row, *node)
    return table


def render_summary(summary: dict[str, Any], nodes: Mapping[str, str] | None = None) -> Table:
    """The end-of-sweep table (also the content of summary.json), with how many trials ran on each
    node when ``nodes`` (trial id -> node) names any."""
    title = f"Sweep {markup_literal(summary.get('sweep'))} ({markup_literal(summary.get('policy'))})"
    table = Table(title=title, show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value")
    best = summary.get("best")
    metric = markup_literal(summary.get("metric") or "score")
    if best:
        table.add_row("best trial", f"{markup_literal(best['trial'])} {metric} {best['score']:.4f} "
                                    f"({markup_literal(best['status'])})")
    baseline = summary.get("majority_baseline")
    if isinstance(baseline, (int, float)):
        table.add_row("majority baseline", f"{metric} {baseline:.4f} (always the most frequent label)")
    evp = summary.get("evp") or {}
    if evp:
        table.add_row(f"EVP (from {summary.get('evp_from')} completed)",
                      "  ".join(f"n={n}: {v:.4f}" for n, v in evp.items()))
    counts = summary.get("counts") or {}
    table.add_row("trials", "  ".join(f"{markup_literal(k)} {v}" for k, v in counts.items())
                  + f"  (grid {summary.get('grid_size')}, planned {summary.get('planned')})")
    unit = summary.get("compute_unit", "hours")
    used, full = summary.get("compute_used") or 0.0, summary.get("compute_full_grid_estimate") or 0.0
    saved = summary.get("compute_saved_fraction")
    unfinished = unfinished_trials(counts, summary)
    if unfinished:  # an aborted sweep spent less because it did not finish, not because it saved
        saved_text = f"; the sweep stopped with {unfinished} trial(s) unfinished"
    else:
        saved_text = f", {saved:.0%} saved" if isinstance(saved, (int, float)) else ""
    table.add_row("compute", f"{used:.3g} {unit} used vs {full:.3g} for the full grid "
                             f"(estimated){saved_text}")
    if nodes:
        table.add_row("nodes", "  ".join(f"{markup_literal(node)}: {count} trial{'s' if count != 1 else ''}"
                                         for node, count in trials_per_node(nodes)))
    return table
