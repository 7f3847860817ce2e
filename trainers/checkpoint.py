"""The suspend/resume checkpoint: ``TRIAL_DIR/checkpoint/checkpoint.pt``, one file written atomically.

It holds the model, optimizer and scheduler states, every RNG state (global torch CPU and CUDA, Python,
NumPy: the dropout stream), the position in the data (the steps done, from which epoch and batch
follow; the epoch's order is recomputed from the DO seed) and the best score so far, with the config it
was trained under. The file is written to a temporary name beside it and moved into place with
``os.replace``, so a trial killed mid-save leaves the previous checkpoint (or none), never half of one.
After a ``completed`` trial the directory is deleted: nothing resumes a finished trial.

Format 2 holds only tensors, numbers, strings, lists and dicts (the Python and NumPy RNG states as
integer tensors), so it is read with ``torch.load(..., weights_only=True)``: a crafted file dropped in a
sweep directory cannot run code when a trial resumes (docs/security.md). A format-1 file (pickled NumPy
arrays) is refused with a one-line error; the trial then runs again from its start.
"""

from __future__ import annotations

import os
import pickle
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from seedtui.log.atomic_file import atomic_binary_writer
from seedtui.log.files import checkpoint_path
from trainers.config import BadInput

CHECKPOINT_FORMAT = 2
"""2: loadable with ``weights_only=True`` (RNG states as tensors); 1 (before): pickled NumPy state."""


class CheckpointError(BadInput):
    """A checkpoint that cannot be resumed from (old format, not a checkpoint, unsafe, unreadable):
    the trainer exits 2 with this one line, and the supervisor runs the trial again from its start."""


@dataclass
class LoopPosition:
    """Where the training loop is: enough, with the seeds, to continue exactly."""

    step: int = 0
    """Optimizer steps done. The data position follows: epoch = step // steps_per_epoch, batch =
    step % steps_per_epoch, and each epoch's order is recomputed from the DO seed."""
    best_score: float | None = None
    """Best primary score of the scheduled evaluations so far."""


def rng_states() -> dict[str, Any]:
    """Every RNG state as tensors and numbers (what ``weights_only`` loading accepts)."""
    version, mt_state, gauss_next = random.getstate()
    name, keys, pos, has_gauss, cached_gaussian = np.random.get_state(legacy=True)
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
        "python": {"version": version, "state": torch.tensor(mt_state, dtype=torch.int64),
                   "gauss_next": gauss_next},
        "numpy": {"name": str(name), "keys": torch.from_numpy(np.asarray(keys, dtype=np.int64)),
                  "pos": int(pos), "has_gauss": int(has_gauss), "cached_gaussian": float(cached_gaussian)},
    }


def restore_rng_states(states: dict[str, Any]) -> None:
    torch.set_rng_state(states["torch"])
    if states.get("cuda") is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])
    python = states["python"]
    random.setstate((int(python["version"]), tuple(int(v) for v in python["state"].tolist()),
                     python["gauss_next"]))
    numpy_state = states["numpy"]
    np.random.set_state((numpy_state["name"], numpy_state["keys"].numpy().astype(np.uint32),
                         numpy_state["pos"], numpy_state["has_gauss"], numpy_state["cached_gaussian"]))


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
    """The checkpoint's payload, on the CPU (``load_state_dict`` moves states to the model's device).

    Loaded with ``weights_only=True``: nothing in the file is executed. Raises ``CheckpointError``
    (one line) for a file that is not a format-2 checkpoint."""
    path = checkpoint_path(trial_dir)
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:
        raise CheckpointError(f"{path} holds objects a safe load refuses: a checkpoint of an older seedtui "
                              f"(format 1) or not a checkpoint at all; not loaded (delete it and the trial "
                              f"runs again from its start)") from None
    except (OSError, RuntimeError, EOFError, ValueError) as error:
        raise CheckpointError(f"{path} cannot be read ({type(error).__name__}: {error})") from None
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        found = payload.get("format") if isinstance(payload, dict) else type(payload).__name__
        raise CheckpointError(f"{path}: unknown checkpoint format {found!r} (this trainer reads format "
                              f"{CHECKPOINT_FORMAT})")
    try:
        payload["position"] = LoopPosition(**payload["position"])
    except (KeyError, TypeError) as error:
        raise CheckpointError(f"{path}: its position is not readable ({error})") from None
    return payload
