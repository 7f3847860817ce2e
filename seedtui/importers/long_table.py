"""Runs from a long table, one logged value per row, as trackers export them.

Columns: ``wi``, ``do``, ``step``, ``kind`` (``train``: the value is a training loss; ``eval``: the
value is the primary metric), ``value``; optionally ``metric`` (the eval row's metric name: a table
holding several is filtered with ``--metric``) and ``epoch`` (else steps are spread evenly over
``--epochs``). Every (wi, do) pair is one run; a run whose last step is short of the table's last
step is imported as stopped.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

from seedtui.importers.imported_run import (
    EvalPoint,
    ImportedRun,
    ImportInputError,
    TrainPoint,
    default_greater_is_better,
)

REQUIRED_COLUMNS = ("wi", "do", "step", "kind", "value")
KINDS = ("train", "eval")
DEFAULT_METRIC = "score"


class _Row(NamedTuple):
    """One parsed row of the table."""

    seeds: tuple[int, int]
    step: int
    kind: str
    value: float
    metric: str | None
    epoch: float | None


def _parse_rows(table: Path) -> list[_Row]:
    try:
        with open(table, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = set(reader.fieldnames or ())
            missing = [name for name in REQUIRED_COLUMNS if name not in columns]
            if missing:
                raise ImportInputError(f"{table}: missing columns {', '.join(missing)} "
                                       f"(needs {', '.join(REQUIRED_COLUMNS)}; optional metric, epoch)")
            rows = []
            for line, record in enumerate(reader, start=2):
                try:
                    kind = record["kind"].strip()
                    if kind not in KINDS:
                        raise ValueError(f"kind {kind!r} is not train or eval")
                    epoch_text = (record.get("epoch") or "").strip()
                    rows.append(_Row((int(record["wi"]), int(record["do"])), int(record["step"]), kind,
                                     float(record["value"]), (record.get("metric") or "").strip() or None,
                                     float(epoch_text) if epoch_text else None))
                except (TypeError, ValueError, AttributeError) as error:
                    raise ImportInputError(f"{table}, line {line}: {error}") from None
    except OSError as error:
        raise ImportInputError(f"cannot read {table} ({error})") from None
    if not rows:
        raise ImportInputError(f"{table}: no rows")
    return rows


def _metric(rows: list[_Row], table: Path, requested: str | None) -> str:
    named = sorted({row.metric for row in rows if row.kind == "eval" and row.metric is not None})
    if requested is not None:
        if named and requested not in named:
            raise ImportInputError(f"{table}: no eval rows of metric {requested} (it has {', '.join(named)})")
        return requested
    if len(named) > 1:
        raise ImportInputError(f"{table}: mixed metrics in the eval rows ({', '.join(named)}); "
                               "choose one with --metric")
    return named[0] if named else DEFAULT_METRIC


def runs_from_long_table(table: Path, *, metric: str | None = None, greater_is_better: bool | None = None,
                         epochs: float = 1.0) -> list[ImportedRun]:
    """Every (wi, do) run of the table, in seed order."""
    rows = _parse_rows(table)
    chosen = _metric(rows, table, metric)
    direction = default_greater_is_better(chosen) if greater_is_better is None else greater_is_better
    by_run: dict[tuple[int, int], list[_Row]] = defaultdict(list)
    for row in rows:
        if row.kind == "train" or row.metric in (None, chosen):
            by_run[row.seeds].append(row)
    total_steps = max(row.step for row in rows)
    epoch_rows = [row for row in rows if row.epoch]
    steps_per_epoch = (round(epoch_rows[-1].step / epoch_rows[-1].epoch) if epoch_rows  # type: ignore[operator]
                       else math.ceil(total_steps / epochs))
    runs = []
    for seeds in sorted(by_run):
        run_rows = sorted(by_run[seeds], key=lambda row: row.step)
        evals: list[EvalPoint] = []
        trains: list[TrainPoint] = []
        for row in run_rows:
            epoch = row.epoch if row.epoch is not None else row.step / steps_per_epoch
            if row.kind == "eval":
                if evals and evals[-1].step == row.step:
                    raise ImportInputError(
                        f"{table}: two eval rows for wi{seeds[0]}-do{seeds[1]} at step {row.step}")
                evals.append(EvalPoint(step=row.step, epoch=epoch, score=row.value,
                                       metrics={chosen: row.value}))
            else:
                trains.append(TrainPoint(step=row.step, epoch=epoch, loss=row.value, lr=math.nan))
        if not evals:
            raise ImportInputError(f"{table}: no eval entries for wi{seeds[0]}-do{seeds[1]}")
        last_step = run_rows[-1].step
        runs.append(ImportedRun(
            source=str(table), metric=chosen, greater_is_better=direction, evals=evals, trains=trains,
            total_steps=total_steps, steps_per_epoch=steps_per_epoch,
            evals_per_epoch=max(1, round(len(evals) * steps_per_epoch / total_steps)),
            completed=last_step >= total_steps, wi_seed=seeds[0], do_seed=seeds[1],
            end_time=table.stat().st_mtime,
        ))
    return runs
