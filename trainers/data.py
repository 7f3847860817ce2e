"""Task data as lists of texts and 0/1 labels: GLUE TSVs in glue_data layout, the hub, or custom files.

Label ids follow the Hugging Face ``glue`` dataset, so local and hub data agree: RTE entailment=0,
not_entailment=1; MRPC 1 = paraphrase; CoLA 1 = acceptable; SST-2 1 = positive.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from trainers.config import BadInput, TrainerConfig

# A GLUE sentence can be longer than csv's default 128 KiB field limit only in broken files, but the
# limit is per process and cheap to lift.
csv.field_size_limit(sys.maxsize)

RTE_LABELS = {"entailment": 0, "not_entailment": 1}

# hub columns of each GLUE task (dataset "nyu-mll/glue"): first text, second text or None
HUB_COLUMNS: dict[str, tuple[str, str | None]] = {
    "rte": ("sentence1", "sentence2"),
    "mrpc": ("sentence1", "sentence2"),
    "cola": ("sentence", None),
    "sst2": ("sentence", None),
}

GLUE_DIR_NAMES = {"rte": "RTE", "mrpc": "MRPC", "cola": "CoLA", "sst2": "SST-2"}


@dataclass
class TextSplit:
    """One split: texts, optional second texts of pairs, and 0/1 labels, all of one length."""

    texts: list[str]
    text_pairs: list[str] | None
    labels: list[int]

    def __len__(self) -> int:
        return len(self.labels)

    def prefix(self, limit: int | None) -> TextSplit:
        """The first ``limit`` examples (all when None): --train-limit / --eval-limit."""
        if limit is None or limit >= len(self):
            return self
        pairs = None if self.text_pairs is None else self.text_pairs[:limit]
        return TextSplit(self.texts[:limit], pairs, self.labels[:limit])


@dataclass
class TaskData:
    train: TextSplit
    eval: TextSplit
    source: str
    """Where the data came from, for messages and the log."""


def load_task_data(config: TrainerConfig) -> TaskData:
    """Train and dev splits of the configured task, cut to the configured limits. Raises BadInput."""
    if config.task == "custom":
        data = load_custom(config)
    elif config.data_dir is not None:
        data = load_glue_dir(config.task, Path(config.data_dir))
    else:
        data = load_glue_hub(config.task)
    train, evaluation = data.train.prefix(config.train_limit), data.eval.prefix(config.eval_limit)
    if len(train) == 0 or len(evaluation) == 0:
        raise BadInput(f"no examples in {data.source} (train {len(train)}, eval {len(evaluation)})")
    return TaskData(train=train, eval=evaluation, source=data.source)


# --- GLUE TSVs -------------------------------------------------------------------------------------
def load_glue_dir(task: str, data_dir: Path) -> TaskData:
    if not data_dir.is_dir():
        hint = f" (GLUE layout: .../{GLUE_DIR_NAMES[task]}/train.tsv)"
        raise BadInput(f"--data-dir {data_dir} is not a directory{hint}")
    return TaskData(
        train=read_glue_tsv(task, data_dir / "train.tsv"),
        eval=read_glue_tsv(task, data_dir / "dev.tsv"),
        source=str(data_dir),
    )


def read_glue_tsv(task: str, path: Path) -> TextSplit:
    """One glue_data TSV. Columns by position, as the GLUE processors read them; no quoting."""
    rows = _read_tsv_rows(path)
    texts: list[str] = []
    pairs: list[str] = []
    labels: list[int] = []
    # (has header, text column, pair column, label column)
    layout = {"rte": (True, 1, 2, 3), "mrpc": (True, 3, 4, 0), "cola": (False, 3, None, 1),
              "sst2": (True, 0, None, 1)}[task]
    has_header, text_col, pair_col, label_col = layout
    needed = max(c for c in (text_col, pair_col, label_col) if c is not None) + 1
    for line_number, row in enumerate(rows[1:] if has_header else rows, start=2 if has_header else 1):
        if len(row) < needed:
            raise BadInput(f"{path}:{line_number}: expected at least {needed} tab-separated columns")
        texts.append(row[text_col])
        if pair_col is not None:
            pairs.append(row[pair_col])
        labels.append(_glue_label(task, row[label_col], path, line_number))
    return TextSplit(texts, pairs if pair_col is not None else None, labels)


def _read_tsv_rows(path: Path) -> list[list[str]]:
    if not path.is_file():
        raise BadInput(f"missing data file {path}")
    # utf-8-sig drops MRPC's byte-order mark; QUOTE_NONE because GLUE text contains bare quotes.
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE) if row]


def _glue_label(task: str, raw: str, path: Path, line_number: int) -> int:
    if task == "rte":
        label = RTE_LABELS.get(raw.strip())
    else:
        label = {"0": 0, "1": 1}.get(raw.strip())
    if label is None:
        raise BadInput(f"{path}:{line_number}: unknown {task} label {raw!r}")
    return label


# --- the hub ---------------------------------------------------------------------------------------
def load_glue_hub(task: str) -> TaskData:
    """GLUE from the Hugging Face hub (needs a network). ``datasets`` is in the ``train`` extra with
    torch and transformers; it is imported here because it is slow to import and only this path uses it."""
    import datasets

    try:
        dataset = datasets.load_dataset("nyu-mll/glue", task)
    except Exception as error:  # network, hub or cache errors all mean "cannot get the data"
        raise BadInput(f"cannot load GLUE {task} from the hub ({error}); pass --data-dir") from error
    text_col, pair_col = HUB_COLUMNS[task]

    def split(name: str) -> TextSplit:
        part = dataset[name]
        pairs = list(part[pair_col]) if pair_col else None
        return TextSplit(list(part[text_col]), pairs, [int(label) for label in part["label"]])

    return TaskData(train=split("train"), eval=split("validation"), source=f"hub nyu-mll/glue/{task}")


# --- custom files ----------------------------------------------------------------------------------
CUSTOM_SUFFIXES = (".tsv", ".csv", ".jsonl", ".json")


def load_custom(config: TrainerConfig) -> TaskData:
    train_path = Path(config.train_file) if config.train_file else _find_split(config.data_dir, "train")
    eval_path = Path(config.eval_file) if config.eval_file else _find_split(config.data_dir, "dev")
    train_rows, eval_rows = read_records(train_path), read_records(eval_path)
    label_ids = _label_mapping([_field(r, config.label_column, train_path) for r in train_rows], train_path)

    def split(rows: list[dict[str, object]], path: Path) -> TextSplit:
        texts = [str(_field(r, config.text_column, path)) for r in rows]
        pairs = None
        if config.text_pair_column:
            pairs = [str(_field(r, config.text_pair_column, path)) for r in rows]
        labels: list[int] = []
        for row in rows:
            raw = str(_field(row, config.label_column, path)).strip()
            if raw not in label_ids:
                raise BadInput(f"{path}: label {raw!r} is not one of the training labels {sorted(label_ids)}")
            labels.append(label_ids[raw])
        return TextSplit(texts, pairs, labels)

    return TaskData(train=split(train_rows, train_path), eval=split(eval_rows, eval_path),
                    source=f"{train_path} + {eval_path}")


def _find_split(data_dir: str | None, name: str) -> Path:
    if data_dir is None or not Path(data_dir).is_dir():
        raise BadInput(f"--data-dir {data_dir} is not a directory")
    for suffix in CUSTOM_SUFFIXES:
        candidate = Path(data_dir) / f"{name}{suffix}"
        if candidate.is_file():
            return candidate
    raise BadInput(f"no {name}{{{','.join(CUSTOM_SUFFIXES)}}} in {data_dir}")


def read_records(path: Path) -> list[dict[str, object]]:
    """Rows of a .csv, .tsv (with a header line) or .jsonl file as dicts."""
    if not path.is_file():
        raise BadInput(f"missing data file {path}")
    if path.suffix in (".jsonl", ".json"):
        records: list[dict[str, object]] = []
        with open(path, encoding="utf-8") as handle:
            for line_number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError as error:
                    raise BadInput(f"{path}:{line_number}: not JSON ({error})") from error
                if not isinstance(record, dict):
                    raise BadInput(f"{path}:{line_number}: each line must be a JSON object")
                records.append(record)
        return records
    delimiter = "\t" if path.suffix == ".tsv" else ","
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def _field(row: dict[str, object], column: str, path: Path) -> object:
    if column not in row or row[column] is None:
        raise BadInput(f"{path}: no column {column!r} (columns: {', '.join(map(str, row))})")
    return row[column]


def _label_mapping(raw_labels: list[object], path: Path) -> dict[str, int]:
    """0/1 labels stay as they are; any other two label values map to 0, 1 in sorted order."""
    values = sorted({str(label).strip() for label in raw_labels})
    if set(values) <= {"0", "1"}:
        return {"0": 0, "1": 1}
    if len(values) != 2:
        raise BadInput(f"{path}: the trainer handles two classes; found {len(values)} labels {values[:10]}")
    return {values[0]: 0, values[1]: 1}
