"""``seedtui run`` (launch or resume a sweep), and the small commands that talk to its supervisor:
``seedtui kill``, ``seedtui ctl``, ``seedtui status``."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from seedtui.cli.app import app


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"seedtui: {message}", err=True)
    return typer.Exit(code)


def _config_path(target: Path) -> Path:
    """A sweep directory stands for its resolved ``sweep.toml`` (so ``run DIR`` resumes it)."""
    from seedtui.log.files import SWEEP_CONFIG_FILE

    return target / SWEEP_CONFIG_FILE if target.is_dir() else target


@app.command()
def run(
    config: Annotated[Path, typer.Argument(help="Sweep configuration (TOML), or an existing sweep "
                                                "directory to resume.")],
    headless: Annotated[bool, typer.Option("--headless", help="No TUI: print progress, stop decisions "
                                                             "and a summary (works without a terminal).")]
    = False,
    auto_stop: Annotated[bool, typer.Option("--auto-stop", help="Require an early-stopping policy (from the "
                                                               "config or --t/--f/--p).")] = False,
    t: Annotated[int | None, typer.Option("--t", help="t/f/p policy: trials to start (overrides the "
                                                      "config).")] = None,
    f: Annotated[float | None, typer.Option("--f", help="t/f/p policy: fraction of training after which to "
                                                        "compare them.")] = None,
    p: Annotated[int | None, typer.Option("--p", help="t/f/p policy: how many of the best continue.")] = None,
) -> None:
    """Launch a sweep (or resume one): a detached supervisor runs the trials, so closing this terminal
    leaves the sweep running. Completed trials are kept, suspended ones continue, failed and missing
    ones run again."""
    from seedtui.core.engine.config import ConfigError, load_sweep_config, validate_tfp
    from seedtui.core.engine.control import supervisor_status
    from seedtui.core.engine.detach import SupervisorStartError, launch_detached

    path = _config_path(config)
    try:
        sweep = load_sweep_config(path)
        if t is not None or f is not None or p is not None:
            base = sweep.policy.tfp
            values = {"t": t if t is not None else (base.t if base else None),
                      "f": f if f is not None else (base.f if base else None),
                      "p": p if p is not None else (base.p if base else None)}
            missing = [k for k, v in values.items() if v is None]
            if missing:
                raise ConfigError(f"--{missing[0]}", "is needed too (the config has no [policy.tfp] to take "
                                                     "it from)")
            notes: list[str] = []
            tfp = validate_tfp(values["t"], values["f"], values["p"],  # type: ignore[arg-type]
                               grid_size=len(sweep.grid), evals=sweep.evals_per_trial, prefix="", notes=notes)
            sweep = replace(sweep.with_policy(replace(sweep.policy, rule="tfp", tfp=tfp)),
                            notes=sweep.notes + tuple(notes))
        for note in sweep.notes:
            typer.echo(f"note: {note}", err=True)
        if auto_stop and sweep.policy.rule == "none" and sweep.policy.divergence is None:
            raise ConfigError("policy.rule", "--auto-stop needs a policy: set [policy] rule = \"tfp\" or "
                                             "\"asha\" in the config, or pass --t --f --p")
        before = supervisor_status(sweep.sweep_dir)
        sweep_dir = launch_detached(path, config=sweep)
    except ConfigError as error:
        raise _fail(f"{path}: {error}") from None
    except SupervisorStartError as error:
        raise _fail(str(error), 1) from None
    if before is not None and before.alive:
        typer.echo(f"A supervisor (pid {before.pid}) already runs this sweep: following it; the options "
                   "given now are not applied.", err=True)
    else:
        typer.echo(f"Sweep {sweep.name}: {sweep_dir}", err=True)
    if not headless:
        from seedtui.cli import _command_names

        if "open" in _command_names():
            # the TUI: replace this process, so the TUI is the foreground program of the terminal
            os.execv(sys.executable, [sys.executable, "-m", "seedtui", "open", str(sweep_dir)])
        typer.echo("The TUI is not available here; following the sweep headless.", err=True)
    from seedtui.core.engine.headless import follow_sweep

    raise typer.Exit(follow_sweep(sweep_dir))


def _sweep_dir(path: Path, *, live: bool = False) -> Path:
    from seedtui.core.engine.control import read_state, supervisor_status
    from seedtui.log.files import SUPERVISOR_STATE_FILE
    from seedtui.log.supervisor_state import validate_supervisor_state

    if not path.exists():
        raise _fail(f"{path} does not exist")
    state_file = path / SUPERVISOR_STATE_FILE
    if not path.is_dir() or not state_file.exists():
        raise _fail(f"{path} is not a sweep directory with a supervisor (no {SUPERVISOR_STATE_FILE})")
    state = read_state(path)
    problems = validate_supervisor_state(state) if state is not None else ["not a JSON object"]
    if problems:
        raise _fail(f"{state_file} is damaged ({problems[0]}): is another program writing it?")
    if live:
        info = supervisor_status(path)
        if info is None or not info.alive:
            # a command left in control.jsonl would be obeyed by whichever supervisor starts next
            raise _fail(f"no supervisor is running {path}: nothing sent (resume it with "
                        f"'seedtui run {path}')", 1)
    return path


WAIT_S = 5.0
"""How long ``kill`` and ``ctl`` wait for the supervisor's answer by default."""

_WaitOption = Annotated[float, typer.Option("--wait", help="Seconds to wait for the supervisor's answer.")]
_NoWaitOption = Annotated[bool, typer.Option("--no-wait", help="Send and return at once, without an answer.")]


def _send(sweep_dir: Path, action: str, args: dict[str, object], *, wait_s: float, no_wait: bool) -> None:
    """Send one command to a live supervisor and print its answer: ``done``, ``rejected: <why>``
    (exit 1), or ``sent (no supervisor answered within N s)``. Bad arguments exit 2, nothing sent."""
    from seedtui.core.engine.control import ControlError, send_command, wait_for_reply
    from seedtui.log.control import command_problems

    # the supervisor's own rules, checked before anything else: a bad value is refused here, one
    # line naming it, whether or not a supervisor runs
    problems = command_problems(action, {"by": "user", **args} if action == "kill" else args)
    if problems:
        raise _fail(_as_options(problems[0]))
    from seedtui.core.engine.config_table import number_problem

    if (problem := number_problem(wait_s, low=0)) is not None:  # NaN would wait forever
        raise _fail(f"--wait {problem}")
    live_dir = _sweep_dir(sweep_dir, live=True)
    try:
        command = send_command(live_dir, action, **args)
    except ControlError as error:
        raise _fail(str(error)) from None
    if no_wait:
        typer.echo(f"sent {action} (command {command.id})")
        return
    reply = wait_for_reply(live_dir, command.id, limit_s=max(0.0, wait_s))
    if reply is None:
        typer.echo(f"sent (no supervisor answered within {wait_s:g} s)")
        return
    typer.echo(reply.text)
    if reply.outcome == "rejected":
        raise typer.Exit(1)


def _as_options(problem: str) -> str:
    """A problem of ``command_problems`` (``kill_diverged: min_fraction must be ...``) as the command
    line names it (``--min-fraction must be ...``)."""
    action, _, rest = problem.partition(": ")
    if not rest:
        return problem
    name, _, what = rest.partition(" ")
    if name in ("t", "f", "p", "min_fraction", "reason"):
        return f"{action.replace('_', '-')}: --{name.replace('_', '-')} {what}"
    return f"{action.replace('_', '-')}: {rest}"


@app.command()
def kill(
    sweep_dir: Annotated[Path, typer.Argument(help="The sweep directory.")],
    trial: Annotated[str, typer.Argument(help="Trial id, e.g. wi7-do12.")],
    reason: Annotated[str, typer.Option(help="Why (written into the trial's end event).")]
    = "stopped by the user",
    wait: _WaitOption = WAIT_S,
    no_wait: _NoWaitOption = False,
) -> None:
    """Stop one trial of a running sweep (SIGTERM to its process group, SIGKILL after a grace period)."""
    from seedtui.log import parse_trial_id

    if parse_trial_id(trial) is None:
        raise _fail(f"{trial!r} is not a trial id like wi7-do12")
    _send(sweep_dir, "kill", {"trial": trial, "by": "user", "reason": reason}, wait_s=wait, no_wait=no_wait)


@app.command()
def ctl(
    sweep_dir: Annotated[Path, typer.Argument(help="The sweep directory.")],
    action: Annotated[str, typer.Argument(help="pause | resume | stop-sweep | kill-diverged | apply-tfp")],
    t: Annotated[int | None, typer.Option("--t", help="apply-tfp: trials to compare.")] = None,
    f: Annotated[float | None, typer.Option("--f", help="apply-tfp: fraction of training.")] = None,
    p: Annotated[int | None, typer.Option("--p", help="apply-tfp: how many continue.")] = None,
    min_fraction: Annotated[float | None, typer.Option(help="kill-diverged: only trials past this "
                                                            "fraction.")] = None,
    wait: _WaitOption = WAIT_S,
    no_wait: _NoWaitOption = False,
) -> None:
    """Send a command to a sweep's supervisor through its directory and print its answer."""
    from seedtui.core.engine.control import ACTIONS

    name = action.replace("-", "_")
    if name not in ACTIONS or name == "kill":
        raise _fail(f"unknown action {action!r}; use pause, resume, stop-sweep, kill-diverged or apply-tfp "
                    "(and 'seedtui kill' for one trial)")
    args: dict[str, object] = {}
    if name == "apply_tfp":
        if t is None or f is None or p is None:
            raise _fail("apply-tfp needs --t, --f and --p")
        args = {"t": t, "f": f, "p": p}
    if name == "kill_diverged" and min_fraction is not None:
        args["min_fraction"] = min_fraction
    _send(sweep_dir, name, args, wait_s=wait, no_wait=no_wait)


@app.command()
def status(sweep_dir: Annotated[Path, typer.Argument(help="The sweep directory.")]) -> None:
    """Print whether a sweep's supervisor is alive, how many trials are in each state, and the disk
    the sweep takes (its checkpoints apart, against ``[resources] max_checkpoint_gb`` when set)."""
    from seedtui.core.engine.control import supervisor_status
    from seedtui.log.files import SUPERVISOR_STATE_FILE, TRIALS_DIR
    from seedtui.state import read_sweep
    from seedtui.state.disk_use import disk_use, format_size

    if (sweep_dir / TRIALS_DIR).is_dir() and not (sweep_dir / SUPERVISOR_STATE_FILE).exists():
        typer.echo(f"no supervisor (no {SUPERVISOR_STATE_FILE}): a recorded or copied sweep")
    else:
        info = supervisor_status(_sweep_dir(sweep_dir))
        assert info is not None
        alive = "alive" if info.alive else "not running"
        paused = ", queue paused" if info.paused else ""
        typer.echo(f"supervisor pid {info.pid} on {info.host}: {alive} ({info.state}{paused})")
    sweep = read_sweep(sweep_dir)
    counts = sweep.counts(with_zeros=False)
    typer.echo("trials: " + ("  ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none yet"))
    interrupted = sum(1 for state in sweep.trials.values() if state.interrupted)
    if interrupted:
        typer.echo(f"{interrupted} interrupted by the sweep's stop: 'seedtui run {sweep_dir}' continues them")
    use = disk_use(sweep_dir)
    checkpoints = use.checkpoints
    line = (f"disk: {format_size(use.total_bytes)}, of which checkpoints {format_size(checkpoints.bytes)} "
            f"({checkpoints.trials} trial{'s' if checkpoints.trials != 1 else ''})")
    cap = _checkpoint_cap(sweep_dir)
    typer.echo(line + (f" of max_checkpoint_gb = {cap:g}" if cap is not None else ""))


def _checkpoint_cap(sweep_dir: Path) -> float | None:
    """``[resources] max_checkpoint_gb`` of the sweep's resolved config (None when unset or unreadable)."""
    from seedtui.core.engine.config import ConfigError, load_sweep_config
    from seedtui.log.files import SWEEP_CONFIG_FILE

    try:
        return load_sweep_config(sweep_dir / SWEEP_CONFIG_FILE).resources.max_checkpoint_gb
    except (ConfigError, OSError):
        return None
