"""The ``seedtui`` command run in-process, as a shell runs it: the exit code it would end with."""

from __future__ import annotations

from collections.abc import Sequence


def seedtui_exit_code(argv: Sequence[str]) -> int:
    """Run ``seedtui ARGV`` through its real entry point (``seedtui.cli.main``: its one-line errors
    included, which typer's CliRunner skips) and return its exit code."""
    from seedtui.cli import main

    try:
        main(list(argv))
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else 1
    return 0
