"""The ``seedtui`` entry point's shortcuts."""

from __future__ import annotations

from pathlib import Path

import pytest

from seedtui.cli import rewrite_argv


def test_auto_stop_shortcut_runs_headless_with_the_policy() -> None:
    assert rewrite_argv(["--auto-stop", "sweep.toml", "--t", "6"]) == [
        "run", "sweep.toml", "--t", "6", "--headless", "--auto-stop",
    ]


def test_a_path_opens_the_tui(tmp_path: Path) -> None:
    assert rewrite_argv([str(tmp_path)]) == ["open", str(tmp_path)]


@pytest.mark.parametrize("argv", [["stats", "x"], ["--help"], [], ["no-such-path-or-command"]])
def test_commands_and_unknown_words_pass_through(argv: list[str]) -> None:
    assert rewrite_argv(argv) == argv
