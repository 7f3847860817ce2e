"""The header: which sweep this is, where the replay or the live view stands, counts by status
and the GPUs. Names come from files, so they are appended as plain text, never markup."""

from __future__ import annotations

from rich.text import Text

from seedtui.core.view.sweep_info import SweepInfo
from seedtui.tui.gpu import GpuInfo
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
}


def format_clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


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


def gpu_text(gpus: tuple[GpuInfo, ...]) -> Text:
    text = Text()
    for gpu in gpus:
        text.append(
            f" GPU{gpu.index} {gpu.utilization}% {gpu.memory_used_mib / 1024:.1f}/"
            f"{gpu.memory_total_mib / 1024:.0f}G"
        )
    return text


def header_text(
    info: SweepInfo,
    *,
    task: str | None,
    model: str | None,
    counts: dict[str, int],
    status: SourceStatus | None,
    nodes: int = 0,
) -> Text:
    """Two lines: sweep/task/model and the mode; counts by status and GPUs."""
    top = mode_text(status)
    top.append("  ")
    top.append(info.name, "bold cyan")
    top.append("  task ")
    top.append(task or info.task or "?", "bold")
    top.append("  model ")
    model_name = model or info.model or "?"
    top.append(model_name.rstrip("/").rsplit("/", 1)[-1], "bold")
    bottom = Text()
    total = sum(counts.values())
    bottom.append(f"{total} trials:")
    for status_name in COUNT_ORDER:
        count = counts.get(status_name, 0)
        if count or status_name in ("running", "queued", "completed"):
            bottom.append(f" {COUNT_LABELS[status_name]} ")
            bottom.append(str(count), STATUS_STYLES[status_name])
    if nodes > 1:
        bottom.append(f" │ {nodes} nodes")
    if status is not None and status.gpus:
        bottom.append(" │")
        bottom.append_text(gpu_text(status.gpus))
    lines = Text("\n").join([top, bottom])
    lines.no_wrap = True
    lines.overflow = "ellipsis"
    return lines
