"""GLUE metrics of binary predictions, and the majority-class baseline. Pure NumPy."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

# task -> name of the primary metric (docs/log-format.md); all are greater-is-better.
PRIMARY_METRIC = {"rte": "acc", "sst2": "acc", "cola": "mcc", "mrpc": "acc_and_f1"}


def primary_metric(task: str, custom_metric: str | None = None) -> str:
    if task == "custom":
        return custom_metric or "acc"
    return PRIMARY_METRIC[task]


def accuracy(predictions: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(predictions == labels))


def f1_positive(predictions: np.ndarray, labels: np.ndarray) -> float:
    """F1 of class 1; 0 when there are no true positives (as scikit-learn with zero_division=0)."""
    true_pos = int(np.sum((predictions == 1) & (labels == 1)))
    false_pos = int(np.sum((predictions == 1) & (labels == 0)))
    false_neg = int(np.sum((predictions == 0) & (labels == 1)))
    if true_pos == 0:
        return 0.0
    return 2 * true_pos / (2 * true_pos + false_pos + false_neg)


def matthews_corrcoef(predictions: np.ndarray, labels: np.ndarray) -> float:
    """Matthews correlation of binary predictions; 0 when undefined (a constant row or column)."""
    true_pos = int(np.sum((predictions == 1) & (labels == 1)))
    true_neg = int(np.sum((predictions == 0) & (labels == 0)))
    false_pos = int(np.sum((predictions == 1) & (labels == 0)))
    false_neg = int(np.sum((predictions == 0) & (labels == 1)))
    denominator = ((true_pos + false_pos) * (true_pos + false_neg)
                   * (true_neg + false_pos) * (true_neg + false_neg))
    if denominator == 0:
        return 0.0
    return (true_pos * true_neg - false_pos * false_neg) / math.sqrt(denominator)


def compute_metrics(task: str, predictions: Sequence[int] | np.ndarray, labels: Sequence[int] | np.ndarray,
                    custom_metric: str | None = None) -> dict[str, float]:
    """Every metric of the task (the primary one included) for 0/1 predictions."""
    preds = np.asarray(predictions, dtype=np.int64)
    gold = np.asarray(labels, dtype=np.int64)
    if preds.shape != gold.shape:
        raise ValueError(f"{preds.shape[0]} predictions for {gold.shape[0]} labels")
    acc = accuracy(preds, gold)
    if task in ("rte", "sst2"):
        return {"acc": acc}
    if task == "cola":
        return {"mcc": matthews_corrcoef(preds, gold), "acc": acc}
    f1 = f1_positive(preds, gold)
    if task == "mrpc":
        return {"acc_and_f1": (acc + f1) / 2, "acc": acc, "f1": f1}
    # custom: everything, so whichever --metric was chosen is there
    return {"acc": acc, "f1": f1, "mcc": matthews_corrcoef(preds, gold), "acc_and_f1": (acc + f1) / 2}


def majority_label(train_labels: Sequence[int] | np.ndarray) -> int:
    """The most frequent training label (the smaller one on a tie)."""
    return int(np.argmax(np.bincount(np.asarray(train_labels, dtype=np.int64), minlength=2)))


def majority_baseline(task: str, train_labels: Sequence[int] | np.ndarray,
                      eval_labels: Sequence[int] | np.ndarray, custom_metric: str | None = None) -> float:
    """The primary metric, on the eval set, of always predicting the most frequent training label."""
    constant = np.full(len(eval_labels), majority_label(train_labels), dtype=np.int64)
    metrics = compute_metrics(task, constant, eval_labels, custom_metric)
    return metrics[primary_metric(task, custom_metric)]
