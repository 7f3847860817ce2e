"""Training throughput of ``trainers.finetune`` against the Hugging Face ``Trainer``, in one run.

Both fine-tune the same model on the same examples (the first (warmup + steps) * batch training
examples of the task, in the same shuffled order), with the same batch size, learning rate,
gradient clipping, dynamic padding and, on a GPU, bf16 autocast. Neither evaluates nor saves while
timed. Each side's clock runs from the end of its warm-up steps to the end of its last step (the GPU
synchronized at both ends), so model loading and tokenization are not counted.

    python bench/bench_trainer.py --task rte --data-dir ../shared/glue/RTE --steps 20
    python bench/bench_trainer.py --device cuda --steps 300 --model /path/to/model ...

Prints examples/s of each and the ratio ours / HF (> 1 means ours is faster). HF's Trainer needs the
`accelerate` package.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch
import transformers

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from seedtui.log import EVENTS_FILE, read_events  # noqa: E402
from trainers.config import TrainerConfig, default_model  # noqa: E402
from trainers.data import TextSplit, load_task_data  # noqa: E402
from trainers.finetune import main as finetune_main  # noqa: E402
from trainers.seeding import epoch_order  # noqa: E402
from trainers.tokenize_cache import tokenize  # noqa: E402

DO_SEED = 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="Hub id or local path (default: the offline MiniLM).")
    parser.add_argument("--task", default="rte", choices=("rte", "mrpc", "cola", "sst2"), help="GLUE task.")
    parser.add_argument("--data-dir", default=str(REPO_ROOT.parent / "shared" / "glue" / "RTE"),
                        help="glue_data directory of the task (default: ../shared/glue/RTE).")
    parser.add_argument("--steps", type=int, default=20, help="Timed optimizer steps per trainer.")
    parser.add_argument("--warmup", type=int, default=3, help="Untimed steps before the clock starts.")
    parser.add_argument("--batch-size", type=int, default=16, help="Training batch size of both trainers.")
    parser.add_argument("--max-seq-length", type=int, default=128, help="Truncation length of both.")
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"), help="Where both train.")
    parser.add_argument("--threads", type=int, default=None,
                        help="CPU threads of both (default: torch decides); 1 is steadier on a busy machine.")
    parser.add_argument("--repeats", type=int, default=1,
                        help="Measure each trainer this many times, alternating; the median is reported.")
    return parser.parse_args()


def measure_ours(args: argparse.Namespace, work_dir: Path, run: int, train_size: int) -> float:
    """Examples/s of trainers.finetune, from the timestamps of its own train events."""
    trial_dir = work_dir / f"ours-{run}"
    total_steps = args.warmup + args.steps
    # A task smaller than the steps asked for takes several epochs; each epoch ends with an evaluation
    # of 8 examples (one small batch) inside the timed interval: a cost HF's run does not pay.
    epochs = math.ceil(total_steps / math.ceil(train_size / args.batch_size))
    code = finetune_main([
        "--task", args.task, "--model", args.model, "--data-dir", args.data_dir,
        "--train-limit", str(total_steps * args.batch_size), "--eval-limit", "8", "--epochs", str(epochs),
        "--evals-per-epoch", "1", "--do-seed", str(DO_SEED), "--batch-size", str(args.batch_size),
        "--lr", "2e-5",
        "--max-seq-length", str(args.max_seq_length), "--device", args.device,
        "--cache-dir", str(work_dir / "cache"), "--trial-dir", str(trial_dir),
    ])
    events = read_events(trial_dir / EVENTS_FILE, final=True).events
    if code != 0 or events[-1].get("status") != "completed":
        raise SystemExit(f"our trainer did not complete: {events[-1]}")
    train_t = {event["step"]: event["t"] for event in events if event["event"] == "train"}
    return args.steps * args.batch_size / (train_t[total_steps] - train_t[args.warmup])


def train_subset(args: argparse.Namespace) -> TextSplit:
    """The training examples both trainers see: the first (warmup + steps) * batch of the task."""
    config = TrainerConfig(task=args.task, model=args.model, trial_dir="unused", data_dir=args.data_dir,
                           train_limit=(args.warmup + args.steps) * args.batch_size)
    return load_task_data(config).train


def measure_hf(args: argparse.Namespace, work_dir: Path, run: int, device: torch.device) -> float:
    """Examples/s of transformers.Trainer on the same examples, timed by a step callback."""
    total_steps = args.warmup + args.steps
    tokenizer = transformers.AutoTokenizer.from_pretrained(args.model)
    tokenized = tokenize(tokenizer, train_subset(args), args.max_seq_length)
    # HF gets the examples in our trainer's order and reads them sequentially, so both pad and compute
    # the same batches (exactly so within one epoch; across epochs HF's batches run over epoch ends).
    order: list[int] = []
    for epoch in range(math.ceil(total_steps * args.batch_size / len(tokenized))):
        order += epoch_order(DO_SEED, epoch, len(tokenized)).tolist()
    examples: list[dict[str, Any]] = []
    for index in order:
        ids = tokenized.input_ids[index]
        example = {"input_ids": ids, "attention_mask": torch.ones_like(ids),
                   "labels": tokenized.labels[index]}
        if tokenized.token_type_ids is not None:
            example["token_type_ids"] = tokenized.token_type_ids[index]
        examples.append(example)
    model = transformers.AutoModelForSequenceClassification.from_pretrained(
        args.model, num_labels=2, dtype=torch.float32)
    on_cuda = device.type == "cuda"
    training_args = transformers.TrainingArguments(
        output_dir=str(work_dir / f"hf-{run}"), per_device_train_batch_size=args.batch_size,
        max_steps=total_steps, learning_rate=2e-5, warmup_steps=0, max_grad_norm=1.0,
        logging_strategy="no", save_strategy="no", eval_strategy="no", report_to="none",
        disable_tqdm=True, bf16=on_cuda, use_cpu=not on_cuda, seed=run, dataloader_num_workers=0,
    )
    clock = StepClock(start_step=args.warmup, end_step=total_steps, synchronize=on_cuda)
    trainer = SequentialTrainer(model=model, args=training_args, train_dataset=examples,  # type: ignore[arg-type]
                                   data_collator=transformers.DataCollatorWithPadding(tokenizer),
                                   callbacks=[clock])
    trainer.train()
    return args.steps * args.batch_size / (clock.times[total_steps] - clock.times[args.warmup])


class SequentialTrainer(transformers.Trainer):
    """HF's Trainer reading the training set in the order given (it is given in our trainer's order)."""

    def _get_train_sampler(self, *args: Any, **kwargs: Any) -> torch.utils.data.Sampler:
        return torch.utils.data.SequentialSampler(self.train_dataset)  # type: ignore[arg-type]


class StepClock(transformers.TrainerCallback):
    """Wall time at the end of the two optimizer steps that bound HF's timed interval."""

    def __init__(self, start_step: int, end_step: int, synchronize: bool) -> None:
        self.bounds = {start_step, end_step}
        self.synchronize = synchronize
        self.times: dict[int, float] = {}

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if state.global_step in self.bounds:
            if self.synchronize:
                torch.cuda.synchronize()
            self.times[state.global_step] = time.time()


def main() -> None:
    args = parse_args()
    transformers.logging.set_verbosity_error()
    if args.threads is not None:
        torch.set_num_threads(args.threads)  # one process: both trainers run with it
    args.model = args.model or default_model()
    device = torch.device("cuda" if args.device != "cpu" and torch.cuda.is_available() else "cpu")
    args.device = device.type
    train_size = len(train_subset(args))
    ours: list[float] = []
    hf: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-trainer-") as work:
        for run in range(args.repeats):
            # alternate which goes first, so neither always gets the warmer machine
            if run % 2 == 0:
                hf.append(measure_hf(args, Path(work), run, device))
                ours.append(measure_ours(args, Path(work), run, train_size))
            else:
                ours.append(measure_ours(args, Path(work), run, train_size))
                hf.append(measure_hf(args, Path(work), run, device))
    name = f"cpu ({torch.get_num_threads()} threads)"
    if device.type == "cuda":
        name = torch.cuda.get_device_name()
    print(f"model {args.model}")
    print(f"task {args.task}, batch {args.batch_size}, {args.steps} timed steps after {args.warmup} warm-up, "
          f"device {name}, repeats {args.repeats}")
    print(f"ours (trainers.finetune): {statistics.median(ours):8.1f} examples/s  runs {_fmt(ours)}")
    print(f"HF transformers.Trainer:  {statistics.median(hf):8.1f} examples/s  runs {_fmt(hf)}")
    # each repeat measures both back to back; its ratio is less exposed to load that comes and goes
    pair_ratios = [mine / theirs for mine, theirs in zip(ours, hf, strict=True)]
    print(f"ratio ours/HF per repeat: {_fmt(pair_ratios, 3)}")
    print(f"ratio ours/HF: {statistics.median(ours) / statistics.median(hf):.3f}")


def _fmt(values: list[float], digits: int = 1) -> str:
    return ", ".join(f"{value:.{digits}f}" for value in values)


if __name__ == "__main__":
    main()
