"""Every metric against values computed by hand."""

from __future__ import annotations

import math

import pytest

from trainers.metrics import compute_metrics, majority_baseline, majority_label, primary_metric

# 10 examples: tp=3, tn=4, fp=1, fn=2
LABELS = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
PREDICTIONS = [1, 1, 1, 0, 0, 0, 0, 0, 0, 1]


def test_accuracy_for_rte_and_sst2() -> None:
    assert compute_metrics("rte", PREDICTIONS, LABELS) == {"acc": 0.7}
    assert compute_metrics("sst2", PREDICTIONS, LABELS) == {"acc": 0.7}


def test_mrpc_acc_and_f1_is_the_mean_of_accuracy_and_positive_f1() -> None:
    metrics = compute_metrics("mrpc", PREDICTIONS, LABELS)
    f1 = 2 * 3 / (2 * 3 + 1 + 2)  # precision 3/4, recall 3/5 -> 2pr/(p+r) = 2/3
    assert metrics["f1"] == pytest.approx(2 / 3) and metrics["f1"] == pytest.approx(f1)
    assert metrics["acc"] == 0.7
    assert metrics["acc_and_f1"] == pytest.approx((0.7 + 2 / 3) / 2)


def test_cola_matthews_correlation() -> None:
    metrics = compute_metrics("cola", PREDICTIONS, LABELS)
    expected = (3 * 4 - 1 * 2) / math.sqrt((3 + 1) * (3 + 2) * (4 + 1) * (4 + 2))  # 10 / sqrt(600)
    assert metrics["mcc"] == pytest.approx(expected) and metrics["mcc"] == pytest.approx(0.408248290)
    assert compute_metrics("cola", LABELS, LABELS)["mcc"] == pytest.approx(1.0)
    assert compute_metrics("cola", [1 - y for y in LABELS], LABELS)["mcc"] == pytest.approx(-1.0)


@pytest.mark.parametrize("constant", [0, 1])
def test_mcc_is_zero_when_undefined(constant: int) -> None:
    # a constant prediction makes a factor of the denominator 0
    assert compute_metrics("cola", [constant] * 10, LABELS)["mcc"] == 0.0
    # so do constant labels
    assert compute_metrics("cola", PREDICTIONS, [constant] * 10)["mcc"] == 0.0


def test_f1_is_zero_without_true_positives() -> None:
    assert compute_metrics("mrpc", [0] * 10, LABELS) == {"acc_and_f1": 0.25, "acc": 0.5, "f1": 0.0}


def test_majority_baseline_uses_the_most_frequent_training_label_on_the_eval_set() -> None:
    train = [1, 1, 0, 1]
    evaluation = [0, 1, 1, 0, 0]
    assert majority_label(train) == 1
    assert majority_baseline("rte", train, evaluation) == pytest.approx(2 / 5)
    # always 1 on MRPC: acc 2/5, f1 = 2*2/(2*2+3+0) = 4/7
    assert majority_baseline("mrpc", train, evaluation) == pytest.approx((2 / 5 + 4 / 7) / 2)
    assert majority_baseline("cola", train, evaluation) == 0.0
    assert majority_label([0, 1]) == 0  # a tie goes to the smaller label


def test_primary_metrics() -> None:
    metrics = [primary_metric(task) for task in ("rte", "sst2", "cola", "mrpc")]
    assert metrics == ["acc", "acc", "mcc", "acc_and_f1"]
    assert primary_metric("custom") == "acc" and primary_metric("custom", "f1") == "f1"
