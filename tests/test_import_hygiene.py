"""seedtui's core runs without a screen or a GPU stack: importing it must not import Textual or
torch (checked in a fresh interpreter, since this test process may already hold both). The trainer
needs torch but no screen: it must not import Textual, and from seedtui only the log contract
(``seedtui.log``) and the t/f/p rule (``seedtui.policy``)."""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

FORBIDDEN = ("textual", "torch")
HEADLESS_PACKAGES = (
    "seedtui.core", "seedtui.log", "seedtui.state", "seedtui.policy", "seedtui.testing", "seedtui.text",
    "seedtui.importers",
)
"""Packages that run without a screen or a GPU stack (those that exist yet)."""
TRAINER_MAY_IMPORT = ("seedtui.log", "seedtui.policy", "seedtui.cache_dirs")  # cache_dirs: one cache root
TRAINERS_DIR = Path(__file__).resolve().parents[1] / "trainers"


def core_modules() -> list[str]:
    names: list[str] = []
    for package_name in HEADLESS_PACKAGES:
        try:
            package = importlib.import_module(package_name)
        except ModuleNotFoundError:
            continue
        names.append(package_name)
        for info in pkgutil.walk_packages(package.__path__, prefix=package_name + "."):
            names.append(info.name)
    return sorted(names)


def _imports_in_a_fresh_interpreter(modules: list[str]) -> list[str]:
    """Which of FORBIDDEN are in ``sys.modules`` after importing ``modules`` in a new process."""
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps([m for m in {list(FORBIDDEN)!r} if m in sys.modules]))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_core_module_is_found() -> None:
    modules = core_modules()
    for expected in (
        "seedtui.log",
        "seedtui.log.events",
        "seedtui.log.jsonl",
        "seedtui.log.files",
        "seedtui.core.replay",
        "seedtui.core.view.heatmap",
    ):
        assert expected in modules


def test_core_imports_neither_textual_nor_torch() -> None:
    assert _imports_in_a_fresh_interpreter(core_modules()) == []


def _seedtui_imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return [name for name in names if name == "seedtui" or name.startswith("seedtui.")]


def test_trainers_import_only_the_log_contract_and_the_policy_from_seedtui() -> None:
    found = {
        f"{path.name}: {name}"
        for path in sorted(TRAINERS_DIR.glob("*.py"))
        for name in _seedtui_imports(path)
        if not any(name == allowed or name.startswith(allowed + ".") for allowed in TRAINER_MAY_IMPORT)
    }
    assert found == set()


def test_trainers_import_no_textual() -> None:
    trainer_modules = sorted(f"trainers.{path.stem}" for path in TRAINERS_DIR.glob("*.py"))
    assert "trainers.finetune" in trainer_modules
    assert "textual" not in _imports_in_a_fresh_interpreter(trainer_modules)  # torch is expected


def test_the_check_would_catch_textual() -> None:
    """The same check, on a module that does import Textual, must see it (the test can fail)."""
    script = "import sys, seedtui.tui.app; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "True", result.stderr
