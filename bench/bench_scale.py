"""How seed parsing, ``stats``, ``plan`` and ``report`` grow with the size of a sweep (issue 15).

Run from the repository root: ``python bench/bench_scale.py [--baseline REV] [--skip-report]``.

Each measurement runs in its own Python process (imports included), timed by the wall clock and by
the CPU time and peak resident memory the kernel reports for that process (``os.wait4``). The
sweeps are SYNTHETIC (``seedtui.testing.curves``): RTE-like curves of 30 evals for 25 x 25 = 625
and 50 x 50 = 2,500 trials, written as real event logs, once with every score distinct (continuous
scores, as F1, Matthews correlation or a large dev set give: the planner's worst case) and once as
accuracies on RTE's 277-example dev set (many ties). Printed for each: the 2,500 / 625 ratio of
time and memory against the goal of 3 (four times the trials, at most three times the cost).

Seed parsing is timed for ``"1-1000"`` and ``"1-100000"`` (linear: the ratio per seed is about 1),
and ``stats`` for 25 trials whose curves have 250 and 1,000 evals with and without a NaN score (the
E x E correlation matrices it prints make part of its cost quadratic in evals in any case: the
NaN run should cost what the run without NaNs costs).

``--baseline REV`` measures the code of another revision (a ``git worktree`` in a temporary
directory, removed afterwards) in the same run and prints it beside this checkout's figures. The
old code takes minutes on the large inputs: its 100k-seed parse is replaced by 10k seeds, and its
stats runs use 120 and 480 evals.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

GOAL = 3.0
SIDES = {625: 25, 2500: 50}


@dataclass
class Run:
    wall_s: float
    cpu_s: float
    peak_mb: float
    printed: str = ""


def measure(code_root: Path, argv: list[str], timeout: float) -> Run:
    """Run ``python ARGV`` importing seedtui from ``code_root``; its wall time, CPU and peak RSS."""
    env = dict(os.environ, PYTHONPATH=str(code_root))
    # Output goes to files, not pipes: a pipe nobody reads while we wait would block the child.
    stdout_file, stderr_file = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, *argv], cwd=code_root, env=env,
                               stdout=stdout_file, stderr=stderr_file)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            os.wait4(process.pid, 0)
            raise TimeoutError(f"{' '.join(argv)} ran over {timeout:.0f} s")
        time.sleep(0.02)
    wall = time.perf_counter() - start
    stdout_file.seek(0)
    stderr_file.seek(0)
    stdout, stderr = stdout_file.read().decode(), stderr_file.read().decode()
    stdout_file.close()
    stderr_file.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {process.returncode}: {stderr.strip()[-500:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout[-200:])


def seed_parse_argv(count: int) -> list[str]:
    """A process that parses ``"1-COUNT"`` five times and prints the fastest parse's seconds."""
    return ["-c", "import time\nfrom seedtui.core.engine.config import parse_seeds\n"
            "times = []\nfor _ in range(5):\n"
            "    start = time.perf_counter()\n"
            f"    assert len(parse_seeds('1-{count}', 'wi_seeds')) == {count}\n"
            "    times.append(time.perf_counter() - start)\n"
            "print(min(times))"]


def write_synthetic(path: Path, side: int, evals: int, *, quantise: bool, nan: bool = False) -> Path:
    """A side x side sweep of RTE-like curves, written by a child process: this one stays small
    (a child forked from it starts with its resident memory as its peak, which would hide the
    peaks of small runs)."""
    code = ("import sys\nfrom pathlib import Path\n"
            "from seedtui.testing.curves import rte_like_curves, write_sweep\n"
            f"curves = rte_like_curves({side}, {side}, {evals}, seed=0, quantise={quantise})\n"
            + (f"curves[0, {evals // 2}] = float('nan')\n" if nan else "")
            + f"write_sweep(Path(sys.argv[1]), curves, {side}, {side})\n")
    subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, check=True,
                   env=dict(os.environ, PYTHONPATH=str(ROOT)))
    return path


def write_sweeps(root: Path) -> dict[str, Path]:
    sweeps = {}
    for trials, side in SIDES.items():
        for kind, quantise in (("distinct", False), ("accuracies", True)):
            path = root / f"{kind}-{trials}"
            sweeps[f"{kind}-{trials}"] = write_synthetic(path, side, 30, quantise=quantise)
    return sweeps


def write_long_curves(root: Path, evals: int, with_nan: bool) -> Path:
    """25 trials of ``evals`` evals each (one NaN score in the first curve with ``with_nan``)."""
    path = root / f"long-{evals}{'-nan' if with_nan else ''}"
    return path if path.exists() else write_synthetic(path, 5, evals, quantise=True, nan=with_nan)


def line(label: str, small: Run, large: Run, *, scale: float = 1.0, memory: bool = True) -> str:
    """One row: both runs and their ratios (``scale`` divides the time ratio: a per-item ratio)."""
    time_ratio = large.cpu_s / small.cpu_s / scale
    text = (f"{label:<34} {small.wall_s:7.2f} s {small.cpu_s:7.2f} cpu {small.peak_mb:6.0f} MB | "
            f"{large.wall_s:7.2f} s {large.cpu_s:7.2f} cpu {large.peak_mb:6.0f} MB | cpu x{time_ratio:5.2f}")
    if memory:
        text += f"  mem x{large.peak_mb / small.peak_mb:5.2f}"
    return text


def bench(code_root: Path, name: str, sweeps: dict[str, Path], tmp: Path, args: argparse.Namespace) -> None:
    old = name != "this checkout"
    print(f"\n== {name} ({code_root}) ==")
    print(f"{'':<34} {'small':^34} | {'large':^34} | ratios (goal for 2,500/625: <= {GOAL:.0f})")
    big_seeds = 10_000 if old else 100_000
    parses = [float(measure(code_root, seed_parse_argv(count), args.timeout).printed)
              for count in (1000, big_seeds)]
    per_seed = parses[1] / parses[0] / (big_seeds / 1000)
    print(f"{'parse seeds 1k vs ' + str(big_seeds // 1000) + 'k':<34} {parses[0] * 1e3:8.2f} ms{'':<25} | "
          f"{parses[1] * 1e3:8.2f} ms{'':<25} | per seed x{per_seed:5.2f} (linear: about 1)")
    long_evals = (120, 480) if old else (250, 1000)
    for with_nan in (False, True):
        runs = [measure(code_root, ["-m", "seedtui", "stats", str(write_long_curves(tmp, evals, with_nan)),
                                    "--json"], args.timeout) for evals in long_evals]
        label = f"stats 25 trials, {long_evals[0]} vs {long_evals[1]} evals{' + NaN' if with_nan else ''}"
        print(line(label, *runs))
    for kind in ("distinct", "accuracies"):
        small_dir, large_dir = sweeps[f"{kind}-625"], sweeps[f"{kind}-2500"]
        plan = [measure(code_root, ["-m", "seedtui", "plan", str(d), "--json"], args.timeout)
                for d in (small_dir, large_dir)]
        print(line(f"plan 625 vs 2,500 ({kind})", *plan))
        if args.skip_report:
            continue
        report = [measure(code_root, ["-m", "seedtui", "report", str(d), "--out", str(tmp / "r.html"), "-q"],
                          args.timeout) for d in (small_dir, large_dir)]
        print(line(f"report 625 vs 2,500 ({kind})", *report))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", help="also measure this git revision (e.g. the commit before a fix)")
    parser.add_argument("--skip-report", action="store_true", help="leave out `seedtui report` (matplotlib)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds allowed to one measurement")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # rows as they come
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} CPUs; load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (CPU times are steadier than wall times "
          "on a shared machine)")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        start = time.perf_counter()
        sweeps = write_sweeps(tmp / "sweeps")
        print(f"wrote the synthetic sweeps in {time.perf_counter() - start:.1f} s")
        bench(ROOT, "this checkout", sweeps, tmp, args)
        if args.baseline:
            worktree = tmp / "baseline"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree),
                            args.baseline], check=True, capture_output=True)
            try:
                bench(worktree, f"baseline {args.baseline}", sweeps, tmp, args)
            finally:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)],
                               check=False, capture_output=True)


if __name__ == "__main__":
    main()
