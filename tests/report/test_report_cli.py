"""``seedtui report`` run as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def seedtui(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "seedtui", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


def test_report_writes_html_and_shows_progress(small_sweep: Path, tmp_path: Path) -> None:
    out = tmp_path / "nested" / "report.html"
    result = seedtui("report", small_sweep, "--out", out)
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "figure 1/9: Expected validation performance" in result.stderr
    assert "figure 9/9" in result.stderr and f"wrote {out}" in result.stderr
    assert result.stdout == ""


def test_report_png_format(small_sweep: Path, tmp_path: Path) -> None:
    result = seedtui("report", small_sweep, "--format", "png", "--out-dir", tmp_path / "png", "--quiet")
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "png").glob("*.png"))) == 9


def test_bad_input_exits_2_with_a_message(tmp_path: Path, small_sweep: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    cases = [
        (("report", tmp_path / "absent"), "is not a directory"),
        (("report", empty, "--out", tmp_path / "r.html"), "no trial logs"),
        (("report", small_sweep, "--format", "pdf"), "--format must be one of html, png"),
    ]
    for args, message in cases:
        result = seedtui(*args)
        assert result.returncode == 2, args
        assert message in result.stderr, result.stderr
    assert not (tmp_path / "r.html").exists()


# Runs the real CLI with matplotlib made unimportable, as on an install without the extra.
WITHOUT_MATPLOTLIB = """
import sys

class BlockMatplotlib:
    def find_spec(self, name, path=None, target=None):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError("No module named 'matplotlib'")
        return None

sys.meta_path.insert(0, BlockMatplotlib())
from seedtui.cli import main
main(sys.argv[1:])
"""


def test_without_matplotlib_says_which_extra_to_install(small_sweep: Path, tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", WITHOUT_MATPLOTLIB, "report", str(small_sweep), "--out",
                             str(tmp_path / "r.html")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "pip install 'seedtui[report]'" in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_report_help_describes_every_option() -> None:
    result = subprocess.run([sys.executable, "-m", "seedtui", "report", "--help"], capture_output=True,
                            text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0
    options = ("--out", "--format", "--out-dir", "--include-incomplete", "--bootstrap", "--seed", "--quiet")
    for option in options:
        assert option in result.stdout
