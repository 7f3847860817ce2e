"""The header and status line: which sweep this is and where it lives, where the replay or the
live view stands, the sweep's progress (bar, elapsed, ETA, trials per hour, best so far), counts by
status, and the GPUs (live) or the hardware the logs recorded (replay). Names come from files, so
they are appended as plain text, never markup."""

from __future__ import annotations

import os
from pathlib import Path

from rich.text import Text

from seedtui.core.view.heatmap import format_value
from seedtui.core.view.status_line import NOT_STARTED, SweepProgress, format_clock, model_label
from seedtui.core.view.sweep_info import SweepInfo
from seedtui.tui.gpu import GpuInfo
from seedtui.tui.renderables.fit import fit
from seedtui.tui.renderables.palette import STATUS_STYLES
from seedtui.tui.sources.base import SourceStatus

COUNT_ORDER = ("running", "queued", "completed", "stopped", "diverged", "failed", "suspended")
COUNT_LABELS = {
    "running": "run",
    "queued": "queue",
    "completed": "done",
    "stopped": "stop",
    "diverged": "div",
    "failed": "fail",
    "suspended": "susp",
    NOT_STARTED: NOT_STARTED,
}
BAR_WIDTH = 12
GPU_BAR_WIDTH = 5
EIGHTHS = " ▏▎▍▌▋▊▉"


def mode_text(status: SourceStatus | None) -> Text:
    text = Text()
    if status is None:
        return text.append("loading…", "dim")
    if status.mode == "replay":
        text.append(" REPLAY ", "bold black on cyan")
        text.append(" ▶ " if status.playing else " ‖ ", "bold")
        speed = status.speed or 1.0
        text.append(f"{speed:g}x ".replace("0.", "."))
        text.append(f"{format_clock(status.position)}/{format_clock(status.duration)}")
        text.append(" ")
        text.append(" SIMULATED ", "bold black on yellow")
    elif status.mode == "live":
        text.append(" LIVE ", "bold black on green")
    elif status.mode == "read-only":
        text.append(" READ-ONLY ", "bold black on grey70")
        text.append(" no supervisor", "dim")
    else:
        text.append(f" {status.mode.upper()} ", "bold reverse")
    if status.queue_paused:
        text.append("  queue ")
        text.append("PAUSED", "bold yellow")
    return text


def fill_bar(fraction: float, width: int) -> str:
    """A bar ``width`` characters long filled to ``fraction`` in eighths of a character."""
    eighths = round(min(1.0, max(0.0, fraction)) * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (EIGHTHS[part] if part else "")).ljust(width)[:width]


def gpu_text(gpus: tuple[GpuInfo, ...]) -> Text:
    text = Text()
    for gpu in gpus:
        text.append(f" GPU{gpu.index} ")
        text.append(fill_bar(gpu.utilization / 100, GPU_BAR_WIDTH), "green on grey15")
        memory = f"{gpu.memory_used_mib / 1024:.1f}/{gpu.memory_total_mib / 1024:.0f}G"
        text.append(f" {gpu.utilization}% {memory}")
    return text


def short_path(path: Path | None) -> str:
    """The sweep directory as short as a shell takes it: relative to the working directory when
    under it, else with the home folder as ``~``."""
    if path is None:
        return ""
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            pass
    text, home = str(path), os.path.expanduser("~")
    return "~" + text[len(home) :] if home not in ("", "/") and text.startswith(home + os.sep) else text


def progress_pieces(progress: SweepProgress) -> list[Text]:
    """The status line, piece by piece: progress bar, elapsed, ETA, trials per hour, best so far."""
    bar = Text(fill_bar(progress.done_fraction, BAR_WIDTH), "cyan on grey15")
    bar.append(f" {progress.done_fraction:4.0%}", "bold")
    pieces = [bar, Text(f"  {format_clock(progress.elapsed)} elapsed")]
    finished = progress.eta == 0
    pieces.append(Text("  finished", "green") if finished else Text(f"  ETA {format_clock(progress.eta)}"))
    if progress.trials_per_hour is not None:
        pieces.append(Text(f"  {progress.trials_per_hour:.3g} trials/h", "dim"))
    best = Text("  best ")
    if progress.best_trial is None:
        best.append("-", "dim")
    else:
        best.append(progress.best_trial, "bold")
        best.append(f" {format_value(progress.best_score)}", "bold green")
    return [*pieces, best]


def count_pieces(counts: dict[str, int]) -> list[Text]:
    pieces = [Text(f"{sum(counts.values())} trials:")]
    for status_name in (*COUNT_ORDER, NOT_STARTED):
        count = counts.get(status_name, 0)
        if count or status_name in ("running", "queued", "completed"):
            number = Text(str(count), STATUS_STYLES.get(status_name, "dim"))
            pieces.append(Text(f" {COUNT_LABELS[status_name]} ") + number)
    return pieces


def header_text(
    info: SweepInfo,
    *,
    task: str | None,
    model: str | None,
    counts: dict[str, int],
    status: SourceStatus | None,
    nodes: int = 0,
    progress: SweepProgress | None = None,
    sweep_dir: Path | None = None,
    hardware: str | None = None,
    width: int | None = None,
) -> Text:
    """Sweep, task, model, directory and the mode; with ``progress``, the status line; counts by
    status (``progress``'s, which name the trials a policy will never start) with the GPUs or, for a
    replay, the ``hardware`` its logs recorded. With ``width`` each line keeps the pieces that fit
    (whole: nothing is cut mid-word); without, lines end in an ellipsis where the screen does."""
    top = [mode_text(status), Text("  ") + Text(info.name, "bold cyan"),
           Text("  task ") + Text(task or info.task or "?", "bold"),
           Text("  model ") + Text(model_label(model or info.model) or "?", "bold")]
    if sweep_dir is not None:
        top.append(Text(f"  {short_path(sweep_dir)}", "dim"))
    bottom = count_pieces(progress.counts if progress is not None else counts)
    if nodes > 1:
        bottom.append(Text(f" │ {nodes} nodes"))
    if status is not None and status.gpus:
        gpus = [gpu_text((gpu,)) for gpu in status.gpus]
        bottom += [Text(" │") + gpus[0], *gpus[1:]]
    elif hardware and status is not None and status.mode == "replay":
        bottom.append(Text(f" │ recorded on {hardware}", "dim"))
    rows = [top] if progress is None else [top, progress_pieces(progress)]
    shown = [Text().join(row) if width is None else fit(row, width) for row in [*rows, bottom]]
    lines = Text("\n").join(shown)
    lines.no_wrap = True
    lines.overflow = "ellipsis"
    return lines
