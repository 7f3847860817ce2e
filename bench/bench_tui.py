"""Benchmark of the TUI at the paper's scale: 625 trials (25 WI x 25 DO), 30 evals and ~500 loss
points each, and a 2,500-trial sweep (50 x 50), on SYNTHETIC sweeps (seedtui/testing/replay_sweep.py;
made-up curves, not results).

Prints each figure of issue 12, item 8, for the code here and for a BASELINE measured in the same
run (the code at ``--baseline``, by default the commit this speed work started from, checked out
with ``git worktree`` and measured by this same script in a subprocess; the two alternate, round
after round, so a busy machine slows both alike), and the goal:

  - a key press, beyond a key bound to nothing (Z), at 625 trials and 160x50: Pilot's press, wait
    until idle, then the whole screen drawn (Pilot waits in 20 ms steps, so this rounds up);
    goal 50 ms. Also, per key, the CPU it costs beyond the no-op key and the time from the key to
    the last screen update it caused (when the screen changed, unrounded);
  - a 625-trial replay created, every log read, every event folded in (``e``, sent as the terminal
    sends it once every log is read) and the whole screen drawn; goal 0.5 s (also: when the whole
    grid shows, and the CPU used, worker and statistics processes included). The statistics pane's
    numbers, computed in their own process once the logs are read, are not waited for. Each load
    runs in a fresh Python process with Textual and seedtui imported (as ``seedtui replay`` runs);
  - the same for 2,500 trials (no goal: it should grow no faster than the trials);
  - idle: CPU of a finished 625-trial replay left alone for 10 s, as a share of one core; goal
    under 5%.

With ``--readers``, also the log readers of the previous round (the columnar reader against the
previous whole-file dict reader and the tolerant line reader) and event ingest rates.

Run: .venv/bin/python bench/bench_tui.py [--keep DIR] [--baseline REV | --baseline-dir DIR]
     [--rounds N] [--readers]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if __name__ == "__main__" and "--repo" in sys.argv:  # measuring another checkout (the baseline)
    sys.path.insert(0, sys.argv[sys.argv.index("--repo") + 1])
else:
    sys.path.insert(0, str(REPO))


BASELINE_REV = "35c4a07"
"""The commit this speed work (issue 12, item 8) started from."""
GOALS = {"key": 0.050, "load625": 0.5, "idle": 0.05}
KEY_REPEATS = 7
POLL_SECONDS = 0.005
IDLE_SECONDS = 10.0
KEYS = (
    # (figure, keys pressed, pane focused first); Z is bound to nothing (z zooms a pane)
    ("no-op", ["Z"], "trials"),
    ("down", ["down"], "trials"),
    ("up", ["up"], "trials"),
    ("filter f", ["f"], "trials"),
    ("sort s", ["s"], "trials"),
    ("reverse r", ["r"], "trials"),
    ("order o", ["o"], "trials"),
    ("grid right", ["right"], "grid"),
    ("grid down", ["down"], "grid"),
    ("pane 3 (curves)", ["3"], "trials"),
)


# --- measuring one checkout (run in a subprocess: ``--measure OUT --repo DIR``) -------------------
def _cpu_seconds() -> float:
    """CPU seconds of this process, of its ended children (the worker processes that parse logs)
    and of its live ones (the statistics process), as Linux's /proc counts them."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime + _live_children_cpu()


def _live_children_cpu() -> float:
    total = 0.0
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return 0.0
    pids = set()
    for task in tasks:
        try:
            pids.update(Path(f"/proc/self/task/{task}/children").read_text().split())
        except OSError:
            continue
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return total


def _record_screen_updates() -> list[float]:
    """Times at which the screen was updated (every compositor refresh, layouts included)."""
    from textual.screen import Screen

    updates: list[float] = []
    original = Screen._compositor_refresh

    def recorded(self: Screen) -> None:  # type: ignore[type-arg]
        original(self)
        updates.append(time.perf_counter())

    Screen._compositor_refresh = recorded  # type: ignore[method-assign]
    return updates


async def _key_timings(sweep: Path, updates: list[float]) -> dict[str, list[list[float]]]:
    """Per key: [Pilot seconds, CPU seconds, seconds to the last screen update] of each press."""
    from seedtui.core.replay import load_timeline
    from seedtui.tui.app import create_app
    from seedtui.tui.sources.replay import ReplaySource

    source = ReplaySource(sweep, timeline=load_timeline(sweep), start_position=1e9, paused=True)
    app = create_app(source, stats_seconds=3600)
    timings: dict[str, list[list[float]]] = {}
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()

        async def press(keys: list[str]) -> list[float]:
            seen, cpu, start = len(updates), time.process_time(), time.perf_counter()
            await pilot.press(*keys)
            await pilot.pause()
            app.screen._compositor.render_update(full=True)
            pilot_seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
            changed = [t for t in updates[seen:] if t >= start]
            return [pilot_seconds, cpu_seconds, changed[-1] - start if changed else float("nan")]

        for name, keys, pane in KEYS:
            app.show_pane(pane)
            await pilot.pause()
            samples = []
            for _ in range(KEY_REPEATS):
                samples.append(await press(keys))
                if name.startswith("pane"):  # back, so that every press changes the pane
                    await pilot.press("1")
                    await pilot.pause()
            timings[name] = samples
    return timings


async def _load_replay(sweep: Path, idle_seconds: float = 0.0) -> dict[str, float]:
    """Seconds from creating the app to: the whole grid shown; every log read; every event of every
    trial folded in and drawn (after ``e``, jump to the end); the CPU used until then (all threads,
    and worker processes that have ended); then the idle CPU share of the finished replay."""
    from seedtui.core.recording import read_recording
    from seedtui.log import iter_event_files
    from seedtui.tui.app import create_app
    from seedtui.tui.sources.replay import ReplaySource

    paths = list(iter_event_files(sweep))
    total = sum(len(read_recording(f)) for f in paths)
    start, cpu = time.perf_counter(), _cpu_seconds()
    app = create_app(ReplaySource(sweep, speed=1.0), stats_seconds=3600)
    result: dict[str, float] = {}
    async with app.run_test(size=(160, 50)) as pilot:
        # polled in 5 ms sleeps; Pilot's pause and press would also wait until the whole process
        # is idle, which counts work in other threads and processes (the statistics) as the key's
        while len(app.model.trials) < len(paths):
            await asyncio.sleep(POLL_SECONDS)
        result["grid"] = time.perf_counter() - start
        while not app.source.loaded.is_set():  # type: ignore[attr-defined]
            await asyncio.sleep(POLL_SECONDS)
        result["loaded"] = time.perf_counter() - start
        _send_key(app, "e")
        while app.model.events_applied < total:
            await asyncio.sleep(POLL_SECONDS)
        app._redraw()
        app.screen._compositor.render_update(full=True)
        result["drawn"] = time.perf_counter() - start
        result["cpu"] = _cpu_seconds() - cpu
        if idle_seconds:
            await pilot.pause(1.0)  # the statistics started by the first full redraw finish
            await app.workers.wait_for_complete()
            idle_cpu, wall = time.process_time(), time.perf_counter()
            await asyncio.sleep(idle_seconds)
            result["idle"] = (time.process_time() - idle_cpu) / (time.perf_counter() - wall)
    return result


def _send_key(app: Any, key: str) -> None:
    """The key as the terminal driver delivers it (what Pilot's press sends, without its waits)."""
    from textual import events

    event = events.Key(key, key)
    event.set_sender(app)
    app._driver.send_message(event)


def measure(out: Path, repo: Path, paper: Path, big: Path | None) -> None:
    figures: dict[str, Any] = {}
    # parsed logs are kept in a cache (seedtui.core.recording_cache) once read: each replay is
    # measured first with an empty cache (cold: every log parsed), then again (warm: kept ones used).
    # Each load runs in a process of its own, as ``seedtui replay`` does: in one process, a load's
    # garbage collections also walked the objects an earlier app left behind (50-140 ms more)
    with tempfile.TemporaryDirectory(prefix="seedtui-bench-cache-") as cache:
        os.environ["SEEDTUI_CACHE_DIR"] = cache
        figures["load625"] = _load_in_own_process(repo, paper, IDLE_SECONDS)
        figures["load625_warm"] = _load_in_own_process(repo, paper, 0.0)
        if big is not None:
            figures["load2500"] = _load_in_own_process(repo, big, 0.0)
            figures["load2500_warm"] = _load_in_own_process(repo, big, 0.0)
        _before_app()
        figures["keys"] = asyncio.run(_key_timings(paper, _record_screen_updates()))
    out.write_text(json.dumps(figures), encoding="utf-8")


def _before_app() -> None:
    """What the seedtui commands do before the app starts (a baseline from before it has none)."""
    import seedtui.tui.app

    getattr(seedtui.tui.app, "freeze_startup_heap", lambda: None)()


def _load_in_own_process(repo: Path, sweep: Path, idle_seconds: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="seedtui-bench-load-") as work:
        out = Path(work) / "load.json"
        command = [sys.executable, str(Path(__file__).resolve()), "--load", str(sweep), "--out", str(out),
                   "--idle", str(idle_seconds), "--repo", str(repo)]
        subprocess.run(command, check=True, cwd=repo)
        return json.loads(out.read_text(encoding="utf-8"))


def measure_load(out: Path, sweep: Path, idle_seconds: float) -> None:
    _before_app()
    out.write_text(json.dumps(asyncio.run(_load_replay(sweep, idle_seconds=idle_seconds))), encoding="utf-8")


# --- comparing the two checkouts ------------------------------------------------------------------
def _run_measure(repo: Path, paper: Path, big: Path | None, work: Path) -> dict[str, Any]:
    out = work / f"figures-{time.monotonic_ns()}.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", str(out), "--repo", str(repo),
               "--paper", str(paper)] + (["--big", str(big)] if big is not None else [])
    subprocess.run(command, check=True, cwd=repo)
    return json.loads(out.read_text(encoding="utf-8"))


def _median(values: list[float]) -> float:
    finite = [v for v in values if v == v]
    return statistics.median(finite) if finite else float("nan")


def _key_figures(runs: list[dict[str, Any]]) -> dict[str, tuple[float, float, float]]:
    """Per key, medians over every press of every round: beyond the no-op key (Pilot), CPU beyond
    the no-op key, and key to the last screen update."""
    def column(name: str, index: int) -> list[float]:
        return [sample[index] for run in runs for sample in run["keys"][name]]

    noop_pilot, noop_cpu = _median(column("no-op", 0)), _median(column("no-op", 1))
    return {
        name: (_median(column(name, 0)) - noop_pilot, _median(column(name, 1)) - noop_cpu,
               _median(column(name, 2)))
        for name, _, _ in KEYS
    }


def _report(base: list[dict[str, Any]], now: list[dict[str, Any]], baseline_label: str) -> None:
    def ms(value: float) -> str:
        return "-" if value != value else f"{value * 1000:.0f} ms"

    def verdict(value: float, goal: float) -> str:
        return "met" if value <= goal else "NOT met"

    print(f"\nfigures: medians over {len(now)} round(s); baseline = {baseline_label}")
    print(f"{'figure':48} {'baseline':>10} {'now':>10} {'goal':>9}")
    base_keys, now_keys = _key_figures(base), _key_figures(now)
    print("key press to redrawn screen (Pilot), beyond the no-op key Z:")
    for name, _, _ in KEYS[1:]:
        b, n = base_keys[name][0], now_keys[name][0]
        print(f"  {name:46} {ms(b):>10} {ms(n):>10} {ms(GOALS['key']):>9}  {verdict(n, GOALS['key'])}")
    noop = [_median([s[0] for r in runs for s in r["keys"]["no-op"]]) for runs in (base, now)]
    print(f"  {'(the no-op key itself)':46} {ms(noop[0]):>10} {ms(noop[1]):>10}")
    print("CPU per key press beyond the no-op key, and key to the last screen update it caused:")
    for name, _, _ in KEYS[1:]:
        base_key, now_key = base_keys[name], now_keys[name]
        print(f"  {name + ', CPU':46} {ms(base_key[1]):>10} {ms(now_key[1]):>10}")
        print(f"  {name + ', screen changed after':46} {ms(base_key[2]):>10} {ms(now_key[2]):>10}")
    for figure, label, goal in (("load625", "625-trial replay, first opened (every log parsed)",
                                 GOALS["load625"]),
                                ("load625_warm", "625-trial replay, opened again (parsed logs kept)",
                                 GOALS["load625"]),
                                ("load2500", "2,500-trial replay, first opened", None),
                                ("load2500_warm", "2,500-trial replay, opened again", None)):
        if figure not in now[0]:
            continue
        if figure not in base[0]:  # a baseline from before the figure existed
            base = [{**run, figure: run[figure.removesuffix("_warm")]} for run in base]
        print(f"{label}: from creating the app to")
        for key, what in (("grid", "the whole grid shown"), ("loaded", "every log read"),
                          ("drawn", "every event folded in and drawn"), ("cpu", "(CPU used until drawn)")):
            b = _median([run[figure][key] for run in base])
            n = _median([run[figure][key] for run in now])
            goal_text, mark = "", ""
            if goal is not None and key == "drawn":
                goal_text, mark = f"{goal:.1f} s", f"  {verdict(n, goal)}"
            print(f"  {what:46} {b:>8.2f} s {n:>8.2f} s {goal_text:>9}{mark}")
    b = _median([run["load625"]["idle"] for run in base])
    n = _median([run["load625"]["idle"] for run in now])
    print(f"{'idle, finished 625-trial replay (share of a core)':48} {b:>10.1%} {n:>10.1%} "
          f"{GOALS['idle']:>9.0%}  {verdict(n, GOALS['idle'])}")


def _baseline_checkout(args: argparse.Namespace, work: Path) -> tuple[Path, Callable[[], None]]:
    if args.baseline_dir is not None:
        return args.baseline_dir, lambda: None
    tree = work / "baseline"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(tree),
                    args.baseline], check=True)

    def remove() -> None:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], check=False)

    return tree, remove


# --- the log readers (``--readers``) --------------------------------------------------------------
def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _old_fast_reader(path: Path) -> list[dict[str, Any]]:
    """The BASELINE: the previous fast reader (one json.loads of the whole file into dicts)."""
    from seedtui.log import read_events, validate_event

    data = path.read_bytes()
    lines = [line for line in data.split(b"\n") if line.strip()]
    decoded = json.loads(b"[" + b",".join(lines) + b"]")
    if not data.endswith(b"\n") or not all(isinstance(e, dict) and not validate_event(e) for e in decoded):
        return read_events(path, final=True).events
    return list(decoded)


def bench_loading(sweep: Path) -> None:
    from seedtui.core.recording import read_recording
    from seedtui.core.replay import ReplayTimeline, load_timeline
    from seedtui.core.view.sweep_model import SweepModel
    from seedtui.log import iter_event_files, read_events

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
    from seedtui.core.replay import load_timeline
    from seedtui.core.view.sweep_model import SweepModel

    timeline = load_timeline(sweep)
    slices, _ = timeline.advance_to_end()
    events = [pair for piece in slices for pair in piece.pairs()]
    by_event = timed(lambda: SweepModel(sweep).apply(events))
    in_slices = timed(lambda: SweepModel(sweep).apply_slices(slices))
    print(
        f"ingest {len(events)} events: event by event {len(events) / by_event:,.0f} events/s, "
        f"in slices {len(events) / in_slices:,.0f} events/s (x{by_event / in_slices:.1f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="write the synthetic sweeps here and keep them")
    parser.add_argument("--baseline", default=BASELINE_REV, help="commit to measure as the baseline")
    parser.add_argument("--baseline-dir", type=Path, help="a checkout to measure as the baseline instead")
    parser.add_argument("--rounds", type=int, default=2,
                        help="baseline and current are each measured this many times")
    parser.add_argument("--no-2500", action="store_true", help="leave out the 2,500-trial replay")
    parser.add_argument("--readers", action="store_true", help="also compare the log readers")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--repo", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--paper", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--big", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--load", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--idle", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:
        measure(args.measure, args.repo, args.paper, args.big)
        return
    if args.load is not None:
        measure_load(args.out, args.load, args.idle)
        return
    # only here: a measuring subprocess runs on a baseline checkout, which may not have these
    from dataclasses import replace

    from seedtui.testing.replay_sweep import PAPER_SCALE, write_sweep

    big_shape = replace(PAPER_SCALE, n_wi=50, n_do=50, slots=32)  # 2,500 trials
    root = args.keep or Path(tempfile.mkdtemp(prefix="seedtui-bench-"))
    paper, big = root / "paper-scale", root / "2500-trials"
    for path, shape in ((paper, PAPER_SCALE), (big, big_shape)):
        if not path.exists() and not (path is big and args.no_2500):
            print(f"writing a SYNTHETIC {shape.n_wi * shape.n_do}-trial sweep to {path} ...", flush=True)
            write_sweep(root, path.name, shape)
    if args.readers:
        bench_loading(paper)
        bench_ingest(paper)
    with tempfile.TemporaryDirectory(prefix="seedtui-bench-work-") as work_dir:
        work = Path(work_dir)
        tree, remove = _baseline_checkout(args, work)
        try:
            base: list[dict[str, Any]] = []
            now: list[dict[str, Any]] = []
            for round_number in range(args.rounds):
                print(f"round {round_number + 1} of {args.rounds}: baseline, then now ...", flush=True)
                base.append(_run_measure(tree, paper, None if args.no_2500 else big, work))
                now.append(_run_measure(REPO, paper, None if args.no_2500 else big, work))
        finally:
            remove()
    label = str(args.baseline_dir) if args.baseline_dir is not None else f"commit {args.baseline}"
    _report(base, now, label)
    print(f"(machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end)")


if __name__ == "__main__":
    main()
