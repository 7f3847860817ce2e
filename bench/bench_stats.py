"""Time of ``seedtui stats --json`` on a 625-trial x 30-eval sweep with ~500 train events a trial.

Run from the repository root: ``python bench/bench_stats.py``. The sweep is synthetic
(RTE-like), written as real event logs, with a train event for every optimizer step as the
trainer writes them (the paper's scale: 625 trials, 30 evals and ~500 loss points each). Prints
the time to read every event (the baseline: what a reader that keeps the losses pays), to read
without the train events (what the statistics do), ``summarize`` without and with a bootstrap,
and the whole command in a fresh process (Python start-up and imports included).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seedtui.core.stats.summary import summarize  # noqa: E402
from seedtui.state import load_trials  # noqa: E402
from seedtui.testing.curves import rte_like_curves, write_sweep  # noqa: E402

TARGET_SECONDS = 1.0


def timed(action):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


TRAIN_EVENTS_PER_TRIAL = 500


def add_train_events(root: Path) -> None:
    """Insert a train event per step after each log's start line, as the trainer writes them."""
    for path in sorted(root.glob("trials/*/events.jsonl")):
        start, *rest = path.read_text(encoding="utf-8").splitlines(keepends=True)
        train = [
            json.dumps({"event": "train", "t": 0.5 + step * 1e-3, "step": step, "epoch": step / 100,
                        "loss": 0.7 - step * 1e-4, "lr": 2e-5}, separators=(",", ":")) + "\n"
            for step in range(1, TRAIN_EVENTS_PER_TRIAL + 1)
        ]
        path.write_text(start + "".join(train) + "".join(rest), encoding="utf-8")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        write_sweep(Path(tmp), rte_like_curves(25, 25, 30, seed=0), 25, 25)
        add_train_events(Path(tmp))
        _, full_load_time = timed(lambda: load_trials(tmp))
        trials, load_time = timed(lambda: load_trials(tmp, skip_train=True))
        command = [sys.executable, "-m", "seedtui", "stats", tmp, "--json"]
        _, command_time = timed(lambda: subprocess.run(command, check=True, stdout=subprocess.DEVNULL))
        import_command = [sys.executable, "-c", "import scipy.stats"]
        _, scipy_time = timed(lambda: subprocess.run(import_command, check=True))
    print(f"sweep: {len(trials)} trials x 30 evals + {TRAIN_EVENTS_PER_TRIAL} train events each")
    print(f"reading every event (baseline):     {full_load_time:7.3f} s")
    print(f"reading without train events:       {load_time:7.3f} s   "
          f"({full_load_time / load_time:.1f}x faster than the baseline)")
    summary, first = timed(lambda: summarize(trials))
    _, warm = timed(lambda: summarize(trials))
    size = len(json.dumps(summary, allow_nan=False))
    print(f"summarize, first call:              {first:7.3f} s   ({size / 1024:.0f} KiB of JSON)")
    print(f"summarize, repeated (live TUI):     {warm:7.3f} s")
    _, boot = timed(lambda: summarize(trials, bootstrap=1000))
    print(f"summarize with --bootstrap 1000:    {boot:7.3f} s")
    print(f"read + summarize: {load_time + first:.3f} s = {(load_time + first) / TARGET_SECONDS:.0%} "
          "of the 1 s target")
    print(f"whole `seedtui stats --json` in a new process: {command_time:.3f} s "
          f"(of which `import scipy.stats` alone in a new process: {scipy_time:.3f} s)")


if __name__ == "__main__":
    main()
