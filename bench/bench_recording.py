"""Benchmark of the columnar trial-log reader (``seedtui.core.recording``) at the paper's scale: a
SYNTHETIC 625-trial sweep (25 WI x 25 DO, ~500 loss points and 30 evals each; made-up curves from
seedtui/testing/replay_sweep.py, not results), or any sweep given with ``--sweep``.

Prints, for the code here and for a BASELINE measured in the same run (``seedtui/core/recording.py``
as of ``--baseline``, by default the commit this work started from, loaded from ``git show`` into a
temporary module, with ``seedtui/log/events.py`` of that commit for the lines it decodes one by one),
alternating round after round so a busy
machine slows both alike, the best of ``--rounds``:

  - serial parse of every log's bytes (``parse_recording``; files read beforehand); goal 0.30 s;
  - ``read_recording`` of every path (file reads included);
  - the size of the recordings pickled (what worker processes send back); goal 15 MB;
  - ``read_recordings`` with 1 (serial), 2 and 4 worker processes, consumed to the end.

The new and baseline recordings are checked to hold the same events before anything is timed.

Run: .venv/bin/python bench/bench_recording.py [--sweep DIR] [--baseline REV] [--rounds N]
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import inspect
import math
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from seedtui.core import recording  # noqa: E402
from seedtui.log import iter_event_files  # noqa: E402
from seedtui.testing.replay_sweep import PAPER_SCALE, write_sweep  # noqa: E402

BASELINE_REV = "609bc35"
"""The commit this work on the reader (issue 12, item 8) started from."""
GOALS = {"parse": 0.30, "pickle_mb": 15.0}
PAPER = PAPER_SCALE


def load_module(rev: str, repo_path: str, name: str, into: Path) -> ModuleType:
    """The file ``repo_path`` as of ``rev``, imported as a module of its own named ``name``."""
    source = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{rev}:{repo_path}"], check=True, capture_output=True
    ).stdout
    path = into / f"{name}.py"
    path.write_bytes(source)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def load_baseline(rev: str, into: Path) -> ModuleType:
    """The columnar reader as of ``rev``, reading other lines with the event rules (``parse_lines``,
    ``validate_event``) of ``rev`` too; the rest of the log package is this checkout's."""
    events = load_module(rev, "seedtui/log/events.py", "baseline_events", into)
    reader = load_module(rev, "seedtui/core/recording.py", "baseline_recording", into)
    reader.parse_lines = events.parse_lines  # type: ignore[attr-defined]
    return reader


def same(a: Any, b: Any) -> bool:
    """Equality (types included) that counts NaN equal to NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b) and type(a) is type(b)


def best_of(rounds: int, functions: dict[str, Callable[[], object]]) -> dict[str, float]:
    """The fastest of ``rounds`` runs of each function, the functions alternating."""
    best = {name: math.inf for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def read_all(reader: ModuleType, paths: list[Path], workers: int) -> list[Any]:
    # parsing is measured: a reader that keeps parsed logs (seedtui.core.recording_cache) is told not to
    keep = {"cache": False} if "cache" in inspect.signature(reader.read_recordings).parameters else {}
    return list(reader.read_recordings(paths, workers=workers, **keep))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sweep", type=Path, help="a sweep (default: write a synthetic 625-trial one)")
    parser.add_argument("--baseline", default=BASELINE_REV, help="the git revision to compare with")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each measurement (the best is kept)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        sweep = args.sweep or write_sweep(Path(scratch), "paper-scale", PAPER)
        old = load_baseline(args.baseline, Path(scratch))
        paths = list(iter_event_files(sweep))
        datas = [path.read_bytes() for path in paths]
        lines = sum(d.count(b"\n") for d in datas)
        print(f"{len(paths)} logs, {lines:,} lines, {sum(map(len, datas)) / 1e6:.1f} MB")

        new_recordings = [recording.parse_recording(d) for d in datas]
        old_recordings = [old.parse_recording(d) for d in datas]
        sizes = {  # before events() fills a cache
            "new": len(pickle.dumps(new_recordings)) / 1e6,
            "old": len(pickle.dumps(old_recordings)) / 1e6,
        }
        for path, new, previous in zip(paths, new_recordings, old_recordings, strict=True):
            assert same(new.events(), previous.events()) and new.malformed == previous.malformed, path

        parse = best_of(
            args.rounds,
            {
                "new": lambda: [recording.parse_recording(d) for d in datas],
                "old": lambda: [old.parse_recording(d) for d in datas],
            },
        )
        read = best_of(
            args.rounds,
            {
                "new": lambda: [recording.read_recording(p) for p in paths],
                "old": lambda: [old.read_recording(p) for p in paths],
            },
        )
        print(
            f"parse_recording of every log: {parse['new']:.3f} s, baseline {parse['old']:.3f} s "
            f"(x{parse['old'] / parse['new']:.2f}; goal {GOALS['parse']:.2f} s on a quiet machine)"
        )
        print(
            f"read_recording of every path: {read['new']:.3f} s, baseline {read['old']:.3f} s "
            f"(x{read['old'] / read['new']:.2f})"
        )
        print(
            f"recordings pickled (what workers send back): {sizes['new']:.1f} MB, baseline "
            f"{sizes['old']:.1f} MB (x{sizes['old'] / sizes['new']:.1f}; goal {GOALS['pickle_mb']:.0f} MB)"
        )
        readers: dict[str, Callable[[], object]] = {}
        for n in (1, 2, 4):
            readers[f"{n} workers"] = functools.partial(read_all, recording, paths, n)
        for n in (2, 4):
            readers[f"baseline {n} workers"] = functools.partial(read_all, old, paths, n)
        workers = best_of(args.rounds, readers)
        print(
            "read_recordings, consumed to the end: "
            + ", ".join(f"{name} {seconds:.3f} s" for name, seconds in workers.items())
            + f" (default here: {recording.default_workers()} workers)"
        )


if __name__ == "__main__":
    main()
