"""GPU packing: wall time of one small sweep run with 1, 2, ... trials per GPU, in one run.

Runs the same grid through the real engine (``seedtui run CONFIG --headless``) once per value of
``resources.trials_per_gpu``, each in a fresh sweep directory, and prints trials/hour and the
speed-up against the first value (the baseline, normally 1 trial per GPU).

    python bench/bench_packing.py --config examples/small-cpu.toml --trials-per-gpu 1,3,6 \
        --model /path/to/model --data-dir /path/to/glue/RTE

Needs a GPU to say anything about GPU packing; on a CPU-only machine it measures CPU slots.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def with_overrides(text: str, *, sweep_dir: Path, trials_per_gpu: int, model: str | None,
                   data_dir: str | None, seeds: str | None) -> str:
    """The config text with the sweep dir, packing and (optionally) model, data and seeds replaced."""
    text = re.sub(r"(?m)^sweep_dir = .*$", f'sweep_dir = "{sweep_dir}"', text)
    text = re.sub(r"(?m)^trials_per_gpu = .*$", "", text)
    text = re.sub(r"(?m)^max_concurrent = .*$", f"max_concurrent = {trials_per_gpu}", text)
    text = re.sub(r"(?m)^\[resources\]$", f"[resources]\ntrials_per_gpu = {trials_per_gpu}", text)
    text = re.sub(r"(?m)^\[policy\][\s\S]*", "", text)  # no early stopping: every trial runs in full
    if model is not None:
        text = re.sub(r"(?m)^model = .*$", "", text)
        text = re.sub(r"(?m)^(task = .*)$", rf'\1\nmodel = "{model}"', text)
    if data_dir is not None:
        text = re.sub(r"(?m)^dir = .*$", f'dir = "{data_dir}"', text)
    if seeds is not None:
        wi, do = seeds.split("x")
        text = re.sub(r"(?m)^wi_seeds = .*$", f'wi_seeds = "{wi}"', text)
        text = re.sub(r"(?m)^do_seeds = .*$", f'do_seeds = "{do}"', text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=str(REPO_ROOT / "examples" / "small-cpu.toml"),
                        help="Sweep configuration to run (its policy is dropped).")
    parser.add_argument("--trials-per-gpu", default="1,3,6",
                        help="Comma-separated packings; the first is the baseline.")
    parser.add_argument("--model", default=None, help="Override the config's model.")
    parser.add_argument("--data-dir", default=None, help="Override the config's data dir.")
    parser.add_argument("--seeds", default=None, help='Override the grid, e.g. "1-3x1-2" (WI x DO).')
    args = parser.parse_args()

    config_text = Path(args.config).read_text(encoding="utf-8")
    packings = [int(x) for x in args.trials_per_gpu.split(",")]
    results: list[tuple[int, float, int]] = []
    with tempfile.TemporaryDirectory(prefix="seedtui-packing-") as work:
        for packing in packings:
            sweep_dir = Path(work) / f"tpg{packing}"
            config_path = Path(work) / f"tpg{packing}.toml"
            config_path.write_text(with_overrides(
                config_text, sweep_dir=sweep_dir, trials_per_gpu=packing, model=args.model,
                data_dir=args.data_dir, seeds=args.seeds), encoding="utf-8")
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "seedtui", "run", str(config_path), "--headless"],
                                  cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            wall = time.perf_counter() - started
            trials = len(list((sweep_dir / "trials").glob("*/events.jsonl")))
            if done.returncode != 0:
                print(f"trials_per_gpu={packing}: exit {done.returncode}\n{done.stderr[-2000:]}",
                      file=sys.stderr)
            results.append((packing, wall, trials))
            print(f"trials_per_gpu={packing}: {trials} trials in {wall:.1f} s "
                  f"({3600 * trials / wall:.0f} trials/hour)", flush=True)
    base_packing, base_wall, _ = results[0]
    for packing, wall, _ in results[1:]:
        print(f"speed-up of {packing} per GPU over {base_packing}: {base_wall / wall:.2f}x")


if __name__ == "__main__":
    main()
