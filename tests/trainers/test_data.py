"""The GLUE loaders on ../shared/glue (row and label counts of its README) and custom files."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainers.config import BadInput, TrainerConfig
from trainers.data import load_custom, load_glue_dir, load_task_data

# task, directory, (train rows, train label-1 count), (dev rows, dev label-1 count)
GLUE_COUNTS = [
    ("rte", "RTE", (2490, 1241), (277, 131)),  # label 1 = not_entailment
    ("mrpc", "MRPC", (3668, 2474), (408, 279)),
    ("cola", "CoLA", (8551, 6023), (1043, 721)),
    ("sst2", "SST-2", (67349, 37569), (872, 444)),
]


@pytest.mark.parametrize(("task", "directory", "train_counts", "dev_counts"), GLUE_COUNTS)
def test_glue_loader_reads_every_row_with_its_label(glue_dir: Path, task: str, directory: str,
                                                    train_counts: tuple[int, int],
                                                    dev_counts: tuple[int, int]) -> None:
    data = load_glue_dir(task, glue_dir / directory)
    for split, (rows, ones) in ((data.train, train_counts), (data.eval, dev_counts)):
        assert len(split) == len(split.texts) == rows
        assert sum(split.labels) == ones and set(split.labels) == {0, 1}
        assert all(text.strip() for text in split.texts)
        has_pairs = task in ("rte", "mrpc")
        assert (split.text_pairs is not None) == has_pairs
        if split.text_pairs is not None:
            assert len(split.text_pairs) == rows


def test_glue_loaders_read_the_right_columns(glue_dir: Path) -> None:
    rte = load_glue_dir("rte", glue_dir / "RTE").eval
    assert rte.texts[0].startswith("Dana Reeve, the widow of the actor Christopher Reeve")
    assert rte.text_pairs is not None and rte.text_pairs[0] == "Christopher Reeve had an accident."
    assert rte.labels[0] == 1  # not_entailment
    mrpc = load_glue_dir("mrpc", glue_dir / "MRPC").train  # the header carries a BOM
    assert mrpc.texts[0].startswith("Amrozi accused his brother") and mrpc.labels[:2] == [1, 0]
    cola = load_glue_dir("cola", glue_dir / "CoLA").train  # no header line
    assert cola.texts[0] == "Our friends won't buy this analysis, let alone the next one we propose."
    sst2 = load_glue_dir("sst2", glue_dir / "SST-2").eval
    assert sst2.texts[0].startswith("it 's a charming") and sst2.labels[0] == 1


def test_limits_take_a_prefix(glue_dir: Path) -> None:
    config = TrainerConfig(task="rte", model="m", trial_dir="t", data_dir=str(glue_dir / "RTE"),
                           train_limit=64, eval_limit=10_000)
    data = load_task_data(config)
    full = load_glue_dir("rte", glue_dir / "RTE")
    assert data.train.texts == full.train.texts[:64] and data.train.labels == full.train.labels[:64]
    assert len(data.eval) == 277


def test_missing_glue_files_are_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="train.tsv"):
        load_glue_dir("rte", tmp_path)
    (tmp_path / "train.tsv").write_text("index\tsentence1\tsentence2\tlabel\n0\ta\tb\tmaybe\n")
    (tmp_path / "dev.tsv").write_text("index\tsentence1\tsentence2\tlabel\n")
    with pytest.raises(BadInput, match="unknown rte label 'maybe'"):
        load_glue_dir("rte", tmp_path)


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl"])
def test_custom_files_with_named_columns_and_string_labels(tmp_path: Path, suffix: str) -> None:
    rows = [("good film", "a plot", "yes"), ('says "hi", then', "b", "no"), ("dull", "c", "no")]
    for name in ("train", "dev"):
        path = tmp_path / f"{name}{suffix}"
        if suffix == ".jsonl":
            import json

            path.write_text("".join(json.dumps({"t": a, "p": b, "y": y}) + "\n" for a, b, y in rows))
        else:
            import csv

            with open(path, "w", newline="") as handle:
                writer = csv.writer(handle, delimiter="\t" if suffix == ".tsv" else ",")
                writer.writerow(["t", "p", "y"])
                writer.writerows(rows)
    config = TrainerConfig(task="custom", model="m", trial_dir="t", data_dir=str(tmp_path), text_column="t",
                           text_pair_column="p", label_column="y")
    data = load_custom(config)
    assert data.train.texts == ["good film", 'says "hi", then', "dull"]
    assert data.train.text_pairs == ["a plot", "b", "c"]
    assert data.train.labels == [1, 0, 0]  # sorted label values: no -> 0, yes -> 1
    config.label_column = "missing"
    with pytest.raises(BadInput, match="no column 'missing'"):
        load_custom(config)
