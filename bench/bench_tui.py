"""Benchmark of the TUI at the paper's scale: 625 trials (25 WI x 25 DO), 30 evals and ~500 loss
points each, on a SYNTHETIC sweep (tests/tui/synthetic_sweep.py; made-up curves, not results).

Prints, each against a baseline measured in the same run:
  - loading the logs: the fast whole-file reader vs the tolerant line reader (seedtui.core.events);
  - time to the first frame of a replay (the grid shows while logs load) and to the full load;
  - ingest: events/s folded into the app's model;
  - frame time (redraw all panes at 160x50) and key-press effect times at 625 trials, vs 20 trials;
  - idle CPU of the app (share of one core) while nothing changes.

Run: .venv/bin/python bench/bench_tui.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from seedtui.core.events import iter_event_files, read_events  # noqa: E402
from seedtui.core.replay import load_timeline, read_log_fast  # noqa: E402
from seedtui.core.view.sweep_model import SweepModel  # noqa: E402
from seedtui.tui.app import SeedTuiApp, create_app  # noqa: E402
from seedtui.tui.sources.replay import ReplaySource  # noqa: E402
from tests.tui.synthetic_sweep import SweepShape, write_sweep  # noqa: E402

PAPER = SweepShape(
    n_wi=25,
    n_do=25,
    epochs=3,
    steps_per_epoch=167,
    evals_per_epoch=10,
    slots=8,
    seconds_per_step=0.5,
    queued_trials=0,
)
SMALL = SweepShape(
    n_wi=4,
    n_do=5,
    epochs=3,
    steps_per_epoch=167,
    evals_per_epoch=10,
    slots=8,
    seconds_per_step=0.5,
    queued_trials=0,
)


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def bench_loading(sweep: Path) -> None:
    files = list(iter_event_files(sweep))
    tolerant = timed(lambda: [read_events(f, final=True) for f in files])
    fast = timed(lambda: [read_log_fast(f) for f in files])
    whole = timed(lambda: load_timeline(sweep))
    lines = sum(1 for f in files for _ in open(f, "rb"))
    print(
        f"load {len(files)} logs, {lines} lines: tolerant reader {tolerant:.2f} s, fast reader {fast:.2f} s "
        f"(x{tolerant / fast:.1f}); whole timeline {whole:.2f} s"
    )


def bench_ingest(sweep: Path) -> None:
    timeline = load_timeline(sweep)
    events, _ = timeline.to_end()
    model = SweepModel(sweep)
    seconds = timed(lambda: model.apply(events))
    print(f"ingest: {len(events)} events folded in {seconds:.2f} s = {len(events) / seconds:,.0f} events/s")


async def _app_timings(sweep: Path, label: str) -> dict[str, float]:
    source = ReplaySource(sweep, timeline=load_timeline(sweep), start_position=1e9, paused=True)
    app = create_app(source, stats_seconds=3600)
    timings: dict[str, float] = {}
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        app.query_one("#trials").focus()

        def frame() -> None:
            app._redraw()
            app.screen._compositor.render_update(full=True)

        frames = [timed(frame) for _ in range(5)]
        timings["frame"] = statistics.median(frames)

        async def key(keys: list[str]) -> float:
            start = time.perf_counter()
            await pilot.press(*keys)
            await pilot.pause()
            app.screen._compositor.render_update(full=True)
            return time.perf_counter() - start

        # a key bound to nothing measures what Pilot and one screen update cost by themselves
        timings["no-op"] = statistics.median([await key(["z"]) for _ in range(3)])
        for name, keys in (
            ("down", ["down"]),
            ("sort", ["s"]),
            ("filter", ["f"]),
            ("reorder", ["o"]),
            ("pane", ["3"]),
            ("jump to end", ["e"]),
        ):
            timings[name] = statistics.median([await key(keys) for _ in range(3)])
        timings["idle_cpu"] = await _idle_cpu(app, pilot.pause)
    print(
        f"{label}: frame (all panes) {timings['frame'] * 1000:.0f} ms; key press to redrawn screen: "
        + ", ".join(
            f"{k} {timings[k] * 1000:.0f} ms" for k in ("no-op", "down", "sort", "filter", "reorder", "pane")
        )
    )
    print(f"{label}: idle {timings['idle_cpu']:.1%} of a core")
    return timings


async def _idle_cpu(app: SeedTuiApp, pause: Callable[..., Awaitable[None]], seconds: float = 3.0) -> float:
    cpu = time.process_time()
    wall = time.perf_counter()
    await pause(seconds)
    return (time.process_time() - cpu) / (time.perf_counter() - wall)


async def _first_frame(sweep: Path) -> tuple[float, float]:
    start = time.perf_counter()
    app = create_app(ReplaySource(sweep, speed=1.0), stats_seconds=3600)
    async with app.run_test(size=(160, 50)) as pilot:
        while len(app.model.trials) < 625:
            await pilot.pause(0.01)
        first = time.perf_counter() - start
        source = app.source
        while not source.loaded.is_set():  # type: ignore[attr-defined]
            await pilot.pause(0.05)
        return first, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="write the synthetic sweeps here and keep them")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="seedtui-bench-"))
    paper = root / "paper-scale"
    if not paper.exists():
        print(f"writing a SYNTHETIC 625-trial sweep to {paper} ...")
        write_sweep(root, "paper-scale", PAPER)
    small = root / "small" if (root / "small").exists() else write_sweep(root, "small", SMALL)
    bench_loading(paper)
    bench_ingest(paper)
    first, full = asyncio.run(_first_frame(paper))
    print(
        f"replay of 625 trials: first frame (whole grid, queued) after {first:.2f} s, every log loaded "
        f"after {full:.2f} s (the replay plays while the rest loads)"
    )
    small_t = asyncio.run(_app_timings(small, "20 trials"))
    paper_t = asyncio.run(_app_timings(paper, "625 trials"))
    print(
        "625 vs 20 trials: "
        + ", ".join(
            f"{k} x{paper_t[k] / small_t[k]:.2f}" for k in ("frame", "down", "sort", "filter", "reorder")
        )
    )


if __name__ == "__main__":
    main()
