"""The suspend/resume checkpoint: ``TRIAL_DIR/checkpoint/checkpoint.pt``, one file written atomically.

It holds the model, optimizer and scheduler states, every RNG state (global torch CPU and CUDA, Python,
NumPy: the dropout stream), the position in the data (the steps done, from which epoch and batch
follow; the epoch's order is recomputed from the DO seed) and the best score so far, with the config it
was trained under. The file is written to a temporary name beside it and moved into place with
``os.replace``, so a trial killed mid-save leaves the previous checkpoint (or none), never half of one.
After a ``completed`` trial the directory is deleted: nothing resumes a finished trial.
"""

from __future__ import annotations

import os
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from seedtui.log.atomic_file import atomic_binary_writer
from seedtui.log.files import checkpoint_path

CHECKPOINT_FORMAT = 1


@dataclass
class LoopPosition:
    """Where the training loop is: enough, with the seeds, to continue exactly."""

    step: int = 0
    """Optimizer steps done. The data position follows: epoch = step // steps_per_epoch, batch =
    step % steps_per_epoch, and each epoch's order is recomputed from the DO seed."""
    best_score: float | None = None
    """Best primary score of the scheduled evaluations so far."""


def rng_states() -> dict[str, Any]:
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
        "python": random.getstate(),
        "numpy": np.random.get_state(),
    }


def restore_rng_states(states: dict[str, Any]) -> None:
    torch.set_rng_state(states["torch"])
    if states.get("cuda") is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])
    random.setstate(states["python"])
    np.random.set_state(states["numpy"])


def save_checkpoint(trial_dir: str | os.PathLike[str], *, config: dict[str, Any], position: LoopPosition,
                    model: torch.nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any) -> Path:
    path = checkpoint_path(trial_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": CHECKPOINT_FORMAT,
        "config": config,
        "position": asdict(position),
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "rng": rng_states(),
    }
    with atomic_binary_writer(path, fsync=True) as temp_file:
        torch.save(payload, temp_file)
    return path


def load_checkpoint(trial_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The checkpoint's payload, on the CPU (``load_state_dict`` moves states to the model's device)."""
    # Our own file, holding Python RNG state and numpy arrays: not loadable with weights_only.
    payload: dict[str, Any] = torch.load(checkpoint_path(trial_dir), map_location="cpu", weights_only=False)
    if payload.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"unknown checkpoint format {payload.get('format')!r}")
    payload["position"] = LoopPosition(**payload["position"])
    return payload

