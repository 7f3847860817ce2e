"""``seedtui open`` (launch or attach), ``seedtui attach`` and ``seedtui replay``: the TUI.

Textual and the app are imported inside the commands, so other commands start without them.
"""

from __future__ import annotations

import shlex
import time
from pathlib import Path
from typing import Annotated

import typer

from seedtui.cli.app import app


def _fail(message: str) -> typer.Exit:
    typer.echo(f"seedtui: {message}", err=True)
    return typer.Exit(2)


def _sweeps_in(path: Path) -> list[Path]:
    from seedtui.state import find_sweeps

    if not path.exists():
        raise _fail(f"{path} does not exist")
    if not path.is_dir():
        raise _fail(f"{path} is not a directory of sweeps or trial logs")
    sweeps = find_sweeps(path)
    if not sweeps:
        raise _fail(f"{path} holds no sweep (no trials/ directory and no events.jsonl)")
    return sweeps


def _run_live(sweeps: list[Path]) -> None:
    from seedtui.tui.app import create_app, freeze_startup_heap
    from seedtui.tui.gpu import GpuProbe
    from seedtui.tui.sources.live import LiveSource

    freeze_startup_heap()
    probe = GpuProbe()

    def source_for(path: Path) -> LiveSource:
        return LiveSource(path, gpu_probe=probe)

    tui = create_app(source_for(sweeps[0]), sweeps=sweeps, source_factory=source_for)
    opened_at = time.time()
    tui.run()
    alive = tui.source.mode == "live" and tui.source.can_act
    message = left_running_message(tui.source.sweep_dir, alive=alive, since=opened_at)
    if message:
        typer.echo(message)


def left_running_message(sweep_dir: Path | None, *, alive: bool, since: float) -> str | None:
    """What to tell the user who leaves a live sweep running: where it is and how to come back.
    None when no supervisor ran it or this session asked it to stop (``stop_sweep`` sent since
    ``since``, Unix seconds)."""
    from seedtui.log.control import read_commands

    if sweep_dir is None or not alive:
        return None
    commands, _ = read_commands(sweep_dir, 0)
    if any(c.action == "stop_sweep" and (c.t or 0.0) >= since for c in commands):
        return None
    where = sweep_dir.resolve()
    return (f"The sweep is still running in {where}\n"
            f"Re-attach with: seedtui attach {shlex.quote(str(where))}")


@app.command("open")
def open_(
    path: Annotated[
        Path,
        typer.Argument(
            help="A sweep configuration (.toml) to launch, or a sweep directory "
            "(or a folder of sweeps) to attach to."
        ),
    ],
) -> None:
    """Open the TUI: launch the sweep a .toml describes (detached, so it survives the terminal) and
    attach to it, or attach to a sweep directory. Without a live supervisor the sweep shows read-only."""
    if path.is_file() and path.suffix == ".toml":
        from seedtui.core.engine.config import ConfigError
        from seedtui.core.engine.detach import SupervisorStartError, launch_detached

        try:
            sweep_dir = launch_detached(path)
        except ConfigError as error:
            raise _fail(f"{path}: {error}") from None
        except SupervisorStartError as error:
            raise _fail(str(error)) from None
        _run_live([sweep_dir])
        return
    _run_live(_sweeps_in(path))


@app.command()
def attach(
    sweep_dir: Annotated[Path, typer.Argument(help="The sweep directory (it holds trials/ and sweep.toml).")],
) -> None:
    """Watch and steer a running sweep (also over SSH). Quitting asks whether to leave it running."""
    _run_live(_sweeps_in(sweep_dir)[:1])


@app.command()
def replay(
    path: Annotated[
        Path,
        typer.Argument(
            help="A recorded sweep directory, or a folder of several (the first opens; 'w' switches)."
        ),
    ],
    speed: Annotated[
        float | None,
        typer.Option(
            "--speed",
            help="Replay speed: 1 is the original timing, 60 plays an hour in a minute. Default: the "
            "power of two that plays the whole sweep in about 30 s (a 5-minute sweep plays at 16x); "
            "+ and - double and halve it while playing.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Replay recorded sweep logs with their original timing scaled by --speed. Keys pause, step,
    speed up, slow down and jump to the end; kill and t/f/p act on a SIMULATED copy, never on files."""
    from seedtui.core.engine.config_table import number_problem

    if speed is not None and (problem := number_problem(speed, low=0, low_open=True)) is not None:
        raise _fail(f"--speed {problem}")
    sweeps = _sweeps_in(path)
    from seedtui.tui.app import create_app, freeze_startup_heap
    from seedtui.tui.sources.replay import ReplaySource

    freeze_startup_heap()

    def source_for(sweep: Path) -> ReplaySource:
        return ReplaySource(sweep, speed=speed)

    create_app(source_for(sweeps[0]), sweeps=sweeps, source_factory=source_for).run()
