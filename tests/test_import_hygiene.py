"""seedtui's core runs without a screen or a GPU stack: importing it must not import Textual or
torch (checked in a fresh interpreter, since this test process may already hold both)."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import seedtui.core

FORBIDDEN = ("textual", "torch")


def core_modules() -> list[str]:
    names = ["seedtui.core"]
    for info in pkgutil.walk_packages(seedtui.core.__path__, prefix="seedtui.core."):
        names.append(info.name)
    return sorted(names)


def test_every_core_module_is_found() -> None:
    modules = core_modules()
    for expected in (
        "seedtui.core.events",
        "seedtui.state.trial",
        "seedtui.core.replay",
        "seedtui.core.view.heatmap",
    ):
        assert expected in modules


def test_core_imports_neither_textual_nor_torch() -> None:
    modules = core_modules()
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps([m for m in {list(FORBIDDEN)!r} if m in sys.modules]))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_the_check_would_catch_textual() -> None:
    """The same check, on a module that does import Textual, must see it (the test can fail)."""
    script = "import sys, seedtui.tui.app; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "True", result.stderr
