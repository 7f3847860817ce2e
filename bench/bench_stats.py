"""Time of ``seedtui stats --json``'s work (``summarize``) on a 625-trial x 30-eval sweep.

Run from the repository root: ``python bench/bench_stats.py``. The sweep is synthetic
(RTE-like), written as real event logs. Prints the time to read the logs (the baseline every
consumer pays), the time of ``summarize`` without and with a bootstrap, and their ratios.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seedtui.core.stats.summary import summarize  # noqa: E402
from seedtui.core.trials import load_trials  # noqa: E402
from tests.stats.synthetic import rte_like_curves, write_sweep  # noqa: E402

TARGET_SECONDS = 1.0


def timed(action):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        write_sweep(Path(tmp), rte_like_curves(25, 25, 30, seed=0), 25, 25)
        trials, load_time = timed(lambda: load_trials(tmp))
    print(f"sweep: {len(trials)} trials x 30 evals (RTE-like, from event logs)")
    print(f"reading the logs (baseline):        {load_time:7.3f} s")
    summary, first = timed(lambda: summarize(trials))
    _, warm = timed(lambda: summarize(trials))
    size = len(json.dumps(summary, allow_nan=False))
    print(f"summarize, first call:              {first:7.3f} s   ({size / 1024:.0f} KiB of JSON)")
    print(f"summarize, repeated (live TUI):     {warm:7.3f} s")
    _, boot = timed(lambda: summarize(trials, bootstrap=1000))
    print(f"summarize with --bootstrap 1000:    {boot:7.3f} s")
    print(f"summarize / reading the logs: {first / load_time:.2f}x")
    print(f"share of the 1 s target: {first / TARGET_SECONDS:.0%}")


if __name__ == "__main__":
    main()
