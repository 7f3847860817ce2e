"""Checkpoints load with ``weights_only=True``: a crafted file cannot run code when a trial resumes,
an old (format 1) checkpoint is refused in one line, and every RNG stream still resumes exactly."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")

from seedtui.log.files import checkpoint_path  # noqa: E402
from trainers.checkpoint import (  # noqa: E402
    CheckpointError,
    LoopPosition,
    load_checkpoint,
    restore_rng_states,
    save_checkpoint,
)
from trainers.config import BadInput  # noqa: E402


class _Payload:
    """Unpickling this runs ``Path.touch`` on the marker: what a hostile checkpoint would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (Path.touch, (str(self.marker),))  # type: ignore[return-value]


def _save_tiny(trial_dir: Path) -> Any:
    model = torch.nn.Linear(3, 2)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 - step / 10)
    model(torch.ones(4, 3)).sum().backward()
    optimizer.step()
    scheduler.step()
    save_checkpoint(trial_dir, config={"lr": 1e-3}, position=LoopPosition(step=7, best_score=0.625),
                    model=model, optimizer=optimizer, scheduler=scheduler)
    return model


def test_every_rng_stream_resumes_exactly_from_a_safely_loaded_checkpoint(tmp_path: Path) -> None:
    random.seed(11)
    np.random.seed(12)
    torch.manual_seed(13)
    random.gauss(0, 1)  # a cached gaussian is part of the state too
    np.random.standard_normal()
    model = _save_tiny(tmp_path)
    expected = (random.random(), random.gauss(0, 1), float(np.random.rand()),
                float(np.random.standard_normal()), float(torch.rand(1)))
    random.seed(99)
    np.random.seed(99)
    torch.manual_seed(99)
    payload = load_checkpoint(tmp_path)
    restore_rng_states(payload["rng"])
    assert (random.random(), random.gauss(0, 1), float(np.random.rand()),
            float(np.random.standard_normal()), float(torch.rand(1))) == expected
    assert payload["position"] == LoopPosition(step=7, best_score=0.625)
    restored = torch.nn.Linear(3, 2)
    restored.load_state_dict(payload["model"])
    assert torch.equal(restored.weight, model.weight)


def test_a_crafted_checkpoint_does_not_run_its_payload(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = checkpoint_path(tmp_path / "trial")
    path.parent.mkdir(parents=True)
    torch.save({"format": 2, "position": {"step": 1}, "model": _Payload(marker)}, path)
    # the file is a real payload: an unsafe load runs it
    torch.load(path, weights_only=False)
    assert marker.exists()
    marker.unlink()

    with pytest.raises(CheckpointError) as raised:
        load_checkpoint(tmp_path / "trial")
    assert not marker.exists()
    assert isinstance(raised.value, BadInput)  # the trainer exits 2: the trial runs again from its start
    assert "\n" not in str(raised.value) and "format 1" in str(raised.value)


def test_a_format_1_checkpoint_is_refused_in_one_line(tmp_path: Path) -> None:
    path = checkpoint_path(tmp_path)
    path.parent.mkdir(parents=True)
    # what the format-1 writer saved: the NumPy state as a pickled ndarray tuple
    torch.save({"format": 1, "position": {"step": 3, "best_score": None},
                "rng": {"numpy": np.random.get_state(), "python": random.getstate()}}, path)
    with pytest.raises(CheckpointError, match="format 1"):
        load_checkpoint(tmp_path)


@pytest.mark.parametrize("content", [b"", b"not a checkpoint", b"PK\x03\x04 truncated zip"])
def test_an_unreadable_checkpoint_is_a_one_line_error(tmp_path: Path, content: bytes) -> None:
    path = checkpoint_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.raises(CheckpointError) as raised:
        load_checkpoint(tmp_path)
    assert "\n" not in str(raised.value)
