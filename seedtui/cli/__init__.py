"""Command-line entry point: ``seedtui``.

Each command lives in its own module and registers itself on ``seedtui.cli.app.app``; heavy
imports (torch, Textual, matplotlib) happen inside the commands so ``seedtui stats`` stays light.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

try:  # typer carries its own copy of click since 0.20; older ones use click itself
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover - depends on typer's version
    import click.exceptions as click_exceptions  # type: ignore[no-redef]

from seedtui.cli import (  # noqa: F401  (registration)
    compare_cmd,
    import_cmd,
    report_cmd,
    run_cmd,
    stats_cmd,
    tui_cmd,
)
from seedtui.cli.app import app


def _command_names() -> set[str]:
    names = set()
    for info in app.registered_commands:
        names.add(info.name or (info.callback.__name__.replace("_", "-") if info.callback else ""))
    names.update(group.name for group in app.registered_groups if group.name)
    return names


def rewrite_argv(argv: list[str]) -> list[str]:
    """Turn the shortcuts into commands: ``--auto-stop CONFIG`` -> ``run CONFIG --headless
    --auto-stop``; ``PATH`` (not a command) -> ``open PATH``."""
    if not argv:
        return argv
    if argv[0] == "--auto-stop":
        return ["run", *argv[1:], "--headless", "--auto-stop"]
    first = argv[0]
    if not first.startswith("-") and first not in _command_names() and (
            Path(first).exists() or _looks_like_a_path(first)):
        return ["open", *argv]
    return argv


def _looks_like_a_path(word: str) -> bool:
    """A word that can only be a path (a mistyped sweep directory or config): ``open`` then says it
    does not exist, where the command parser would say "No such command"."""
    return "/" in word or os.sep in word or word.endswith(".toml") or word.startswith(("~", "."))


def main(argv: list[str] | None = None) -> None:
    """Run the command line; a refused option or argument is one line naming it, exit 2 (the
    parser's own answer is a usage block and a framed error)."""
    args = rewrite_argv(list(sys.argv[1:] if argv is None else argv))
    try:
        code = app(args=args, prog_name="seedtui", standalone_mode=False)
    except click_exceptions.NoArgsIsHelpError as error:
        error.show()  # the whole help: what 'seedtui' alone should print
        sys.exit(error.exit_code)
    except click_exceptions.UsageError as error:
        where = error.ctx.command_path if error.ctx is not None else "seedtui"
        print(f"{where}: {error.format_message()} (see '{where} --help')", file=sys.stderr)
        sys.exit(2)
    except typer.Abort:
        print("Aborted.", file=sys.stderr)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
