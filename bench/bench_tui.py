"""Benchmark of the TUI at the paper's scale: 625 trials (25 WI x 25 DO), 30 evals and ~500 loss
points each, on a SYNTHETIC sweep (seedtui/testing/replay_sweep.py; made-up curves, not results).

Prints, each against a baseline measured in the same run:
  - reading the logs: the columnar reader (seedtui.core.recording) vs the previous whole-file dict
    reader (copied here as the BASELINE) and the tolerant line reader (seedtui.log);
  - read + timeline + fold every event into the model, previous vs columnar;
  - ingest: events/s folded event by event vs in slices;
  - a replay of 625 trials in the app, previous reader vs columnar: the grid shown, every log read,
    every event folded in and drawn (after ``e``);
  - frame time (redraw all panes at 160x50) and key-press effect times at 625 trials, vs 20 trials;
  - idle CPU of the app (share of one core) while nothing changes.

Run: .venv/bin/python bench/bench_tui.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from seedtui.core.recording import TrialRecording, read_recording  # noqa: E402
from seedtui.core.replay import ReplayTimeline, load_timeline  # noqa: E402
from seedtui.core.view.sweep_model import SweepModel  # noqa: E402
from seedtui.log import iter_event_files, read_events, validate_event  # noqa: E402
from seedtui.testing.replay_sweep import SweepShape, write_sweep  # noqa: E402
from seedtui.tui.app import SeedTuiApp, create_app  # noqa: E402
from seedtui.tui.sources.replay import ReplaySource  # noqa: E402

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


def _old_fast_reader(path: Path) -> list[dict[str, Any]]:
    """The BASELINE: the previous fast reader (one json.loads of the whole file into dicts)."""
    data = path.read_bytes()
    lines = [line for line in data.split(b"\n") if line.strip()]
    decoded = json.loads(b"[" + b",".join(lines) + b"]")
    if not data.endswith(b"\n") or not all(isinstance(e, dict) and not validate_event(e) for e in decoded):
        return read_events(path, final=True).events
    return list(decoded)


def bench_loading(sweep: Path) -> None:
    files = list(iter_event_files(sweep))
    lines = sum(1 for f in files for _ in open(f, "rb"))
    tolerant = timed(lambda: [read_events(f, final=True) for f in files])
    old = timed(lambda: [_old_fast_reader(f) for f in files])
    new = timed(lambda: [read_recording(f) for f in files])
    print(
        f"read {len(files)} logs, {lines} lines: tolerant reader {tolerant:.2f} s, previous fast reader "
        f"(dicts) {old:.2f} s, columnar reader {new:.2f} s (x{old / new:.1f} vs previous, "
        f"x{tolerant / new:.1f} vs tolerant)"
    )

    def old_path() -> SweepModel:
        logs = {f.parent.name: _old_fast_reader(f) for f in files}
        model = SweepModel(sweep)
        model.apply(ReplayTimeline(logs).to_end()[0])
        return model

    def new_path() -> SweepModel:
        model = SweepModel(sweep)
        model.apply_slices(load_timeline(sweep).advance_to_end()[0])
        return model

    old_total, new_total = timed(old_path), timed(new_path)
    print(
        f"read + timeline + fold every event into the model: previous (dicts, event by event) "
        f"{old_total:.2f} s, columnar {new_total:.2f} s (x{old_total / new_total:.1f})"
    )


def bench_ingest(sweep: Path) -> None:
    timeline = load_timeline(sweep)
    slices, _ = timeline.advance_to_end()
    events = [pair for piece in slices for pair in piece.pairs()]
    by_event = timed(lambda: SweepModel(sweep).apply(events))
    in_slices = timed(lambda: SweepModel(sweep).apply_slices(slices))
    print(
        f"ingest {len(events)} events: event by event {len(events) / by_event:,.0f} events/s, "
        f"in slices {len(events) / in_slices:,.0f} events/s (x{by_event / in_slices:.1f})"
    )


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

        # a key bound to nothing (Z; z zooms a pane) measures what Pilot and one screen update cost
        # by themselves
        timings["no-op"] = statistics.median([await key(["Z"]) for _ in range(3)])
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


async def _load_replay(
    sweep: Path, reader: Callable[[Path], TrialRecording]
) -> tuple[float, float, float, float]:
    """Seconds from creating the app to: the whole grid shown; every log read; every event of every
    trial folded into the model and drawn (after ``e``, jump to the end); and the CPU seconds the
    process used until then (all threads, and worker processes that have ended: on a shared machine
    wall time also counts waiting)."""
    total = sum(len(reader(f)) for f in iter_event_files(sweep))
    start, cpu = time.perf_counter(), _cpu_seconds()
    app = create_app(ReplaySource(sweep, speed=1.0, reader=reader), stats_seconds=3600)
    async with app.run_test(size=(160, 50)) as pilot:
        while len(app.model.trials) < 625:
            await pilot.pause(0.01)
        first = time.perf_counter() - start
        source = app.source
        while not source.loaded.is_set():  # type: ignore[attr-defined]
            await pilot.pause(0.01)
        loaded = time.perf_counter() - start
        await pilot.press("e")
        while app.model.events_applied < total:
            await pilot.pause(0.01)
        app._redraw()
        app.screen._compositor.render_update(full=True)
        return first, loaded, time.perf_counter() - start, _cpu_seconds() - cpu


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its ended children (the worker processes that parse logs)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _previous_reader(path: Path) -> TrialRecording:
    return TrialRecording.from_events(_old_fast_reader(path))


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
    for label, reader in (
        ("previous reader, BASELINE", _previous_reader),
        ("columnar reader, parsed in worker processes", read_recording),
    ):
        first, loaded, everything, cpu = asyncio.run(_load_replay(paper, reader))
        print(
            f"replay of 625 trials ({label}): whole grid shown after {first:.2f} s, every log read after "
            f"{loaded:.2f} s, every event folded in and drawn (e) after {everything:.2f} s "
            f"({cpu:.2f} s of CPU)"
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
