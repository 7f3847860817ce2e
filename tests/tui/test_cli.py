"""``seedtui open / attach / replay``: bad input is refused with a message and exit code 2
(real subprocesses; the app itself is exercised by the Pilot tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def seedtui(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seedtui", *args], capture_output=True, text=True, timeout=120
    )


def test_commands_are_registered_with_help() -> None:
    result = seedtui("--help")
    assert result.returncode == 0
    for command in ("open", "attach", "replay"):
        assert command in result.stdout
    assert "--speed" in seedtui("replay", "--help").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("replay", "{tmp}/missing"), "does not exist"),
        (("replay", "{tmp}/file.txt"), "is not a directory"),
        (("replay", "{tmp}/empty"), "holds no sweep"),
        (("replay", "{sweep}", "--speed", "0"), "--speed must be > 0"),
        (("attach", "{tmp}/empty"), "holds no sweep"),
        (("open", "{tmp}/bad.toml"), "seedtui:"),
        (("{tmp}/empty",), "holds no sweep"),  # the PATH shortcut means "open PATH"
    ],
)
def test_bad_input_exits_2_with_a_message(
    tmp_path: Path, sweep_dir: Path, args: tuple[str, ...], message: str
) -> None:
    (tmp_path / "file.txt").write_text("not a sweep")
    (tmp_path / "empty").mkdir()
    (tmp_path / "bad.toml").write_text('name = "x"\ntask = "nope"\n')
    result = seedtui(*(a.format(tmp=tmp_path, sweep=sweep_dir) for a in args))
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
