"""Fixtures for the trainer tests: an in-process trainer call on the tiny BERT and SST-2 data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from seedtui.log import EVENTS_FILE, read_events

RunTrainer = Callable[..., tuple[int, list[dict[str, Any]]]]


@pytest.fixture(scope="session")
def token_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One tokenization cache for the whole session, as the trials of a sweep share one."""
    return tmp_path_factory.mktemp("token-cache")


@pytest.fixture(scope="session")
def base_flags(tiny_model_dir: Path, glue_dir: Path, token_cache_dir: Path) -> list[str]:
    """A short SST-2 run: 40 examples, batch 8 -> 5 steps per epoch; 16 eval examples; one thread."""
    return [
        "--task", "sst2", "--model", str(tiny_model_dir), "--data-dir", str(glue_dir / "SST-2"),
        "--train-limit", "40", "--eval-limit", "16", "--batch-size", "8", "--max-seq-length", "32",
        "--epochs", "2", "--evals-per-epoch", "2", "--lr", "1e-3", "--device", "cpu",
        "--cache-dir", str(token_cache_dir), "--num-threads", "1",
    ]


@pytest.fixture(autouse=True, scope="session")
def _one_cpu_thread() -> None:
    """Tiny models run fastest on one thread, most of all on a shared, busy machine."""
    import torch

    torch.set_num_threads(1)


@pytest.fixture
def run_trainer(base_flags: list[str], tmp_path: Path) -> RunTrainer:
    """Run ``trainers.finetune.main`` in this process; returns (exit code, events of the trial's log).

    ``trial`` names the trial directory under tmp_path; later flags override the base flags."""
    from trainers.finetune import main

    def run(*flags: str, trial: str = "trial") -> tuple[int, list[dict[str, Any]]]:
        trial_dir = tmp_path / trial
        code = main([*base_flags, *flags, "--trial-dir", str(trial_dir)])
        result = read_events(trial_dir / EVENTS_FILE, final=True)
        assert result.malformed == 0
        return code, result.events

    return run


def of_kind(events: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [event for event in events if event["event"] == name]
