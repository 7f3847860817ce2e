"""Command-line entry point: ``seedtui``.

Each command lives in its own module and registers itself on ``seedtui.cli.app.app``; heavy
imports (torch, Textual, matplotlib) happen inside the commands so ``seedtui stats`` stays light.
"""

from __future__ import annotations

import sys
from pathlib import Path

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
    if not first.startswith("-") and first not in _command_names() and Path(first).exists():
        return ["open", *argv]
    return argv


def main(argv: list[str] | None = None) -> None:
    args = rewrite_argv(list(sys.argv[1:] if argv is None else argv))
    app(args=args, prog_name="seedtui")
