"""How much disk a sweep directory takes, and how much of it its checkpoints hold.

A checkpoint (``trials/<id>/checkpoint/``, ``seedtui.log.files.CHECKPOINT_DIR``) holds a model, its
optimizer state and the RNG states: hundreds of MB to GB each, against a few MB for a trial's log.
``seedtui status`` prints both; the supervisor checks the checkpoints against
``[resources] max_checkpoint_gb`` before launching a trial that will write one. Symbolic links are
not followed, so a sweep is never counted twice (or with what a link points to).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from seedtui.log.files import CHECKPOINT_DIR, trials_dir

GB = 1e9
"""Disk sizes are given in GB of 10^9 bytes, as disks are sold and ``df -H`` prints them."""


@dataclass(frozen=True)
class CheckpointUse:
    bytes: int = 0
    trials: int = 0
    """Trials holding a checkpoint."""
    largest_bytes: int = 0
    """The largest one: what the next checkpoint of the same model will take, about."""


@dataclass(frozen=True)
class DiskUse:
    total_bytes: int
    checkpoints: CheckpointUse


def _tree_bytes(path: str | os.PathLike[str]) -> int:
    """Bytes of every regular file under ``path`` (links not followed; unreadable parts skipped)."""
    total = 0
    stack = [os.fspath(path)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue  # removed while we looked (a checkpoint deleted, a log moved aside)
    return total


def checkpoint_use(sweep_dir: str | os.PathLike[str]) -> CheckpointUse:
    """The checkpoints of a sweep's trials: their bytes, how many trials hold one, the largest."""
    total = holders = largest = 0
    try:
        trials = list(os.scandir(trials_dir(Path(sweep_dir))))
    except OSError:
        return CheckpointUse()
    for trial in trials:
        directory = os.path.join(trial.path, CHECKPOINT_DIR)
        if not os.path.isdir(directory) or os.path.islink(directory):
            continue
        size = _tree_bytes(directory)
        if size:
            total, holders, largest = total + size, holders + 1, max(largest, size)
    return CheckpointUse(bytes=total, trials=holders, largest_bytes=largest)


def disk_use(sweep_dir: str | os.PathLike[str]) -> DiskUse:
    """Everything under the sweep directory, and its checkpoints."""
    return DiskUse(total_bytes=_tree_bytes(sweep_dir), checkpoints=checkpoint_use(sweep_dir))


def format_size(n_bytes: float) -> str:
    """``1.23 GB``, ``261 MB``, ``72.7 kB``, ``0 B``: three significant digits, decimal units."""
    for unit, size in (("GB", GB), ("MB", 1e6), ("kB", 1e3)):
        if n_bytes >= size:
            return f"{n_bytes / size:.3g} {unit}"
    return f"{n_bytes:.0f} B"
