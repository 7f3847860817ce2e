"""The tokenization cache: misses, hits, keys, damaged entries, and several writers at once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import torch

from trainers.data import TextSplit
from trainers.tokenize_cache import TokenizedSplit, cache_key, tokenize, tokenize_with_cache

TEXTS, PAIRS = ["a good film", "a very dull film indeed", "fine"], ["x", "y", "z"]
SPLIT = TextSplit(TEXTS, PAIRS, [1, 0, 1])


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir: Path) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model_dir)


def _same(a: TokenizedSplit, b: TokenizedSplit) -> bool:
    assert a.token_type_ids is not None and b.token_type_ids is not None
    pairs = [*zip(a.input_ids, b.input_ids, strict=True),
             *zip(a.token_type_ids, b.token_type_ids, strict=True)]
    return all(torch.equal(x, y) for x, y in pairs) and torch.equal(a.labels, b.labels)


def test_first_call_misses_and_writes_then_hits(tokenizer: Any, tmp_path: Path) -> None:
    first, from_cache = tokenize_with_cache(tokenizer, SPLIT, 16, tmp_path)
    assert not from_cache
    assert [p.suffix for p in tmp_path.iterdir()] == [".pt"]  # no temporary file left behind
    second, from_cache = tokenize_with_cache(tokenizer, SPLIT, 16, tmp_path)
    assert from_cache
    assert _same(first, second) and _same(first, tokenize(tokenizer, SPLIT, 16))
    assert first.input_ids[1].dtype == second.input_ids[1].dtype == torch.long


def test_the_key_changes_with_max_length_data_and_tokenizer(tokenizer: Any, tmp_path: Path) -> None:
    key = cache_key(tokenizer, SPLIT, 16)
    assert cache_key(tokenizer, SPLIT, 4) != key
    assert cache_key(tokenizer, TextSplit(SPLIT.texts, SPLIT.text_pairs, [1, 1, 1]), 16) != key
    assert cache_key(tokenizer, TextSplit(TEXTS[:2], PAIRS[:2], [1, 0]), 16) != key
    tokenizer("some text", truncation=True, max_length=3)  # leaves truncation state behind
    assert cache_key(tokenizer, SPLIT, 16) == key
    short, from_cache = tokenize_with_cache(tokenizer, SPLIT, 4, tmp_path)
    assert not from_cache and max(short.lengths()) == 4


def test_a_damaged_entry_is_rebuilt(tokenizer: Any, tmp_path: Path) -> None:
    tokenize_with_cache(tokenizer, SPLIT, 16, tmp_path)
    (entry,) = tmp_path.iterdir()
    entry.write_bytes(entry.read_bytes()[:50])
    rebuilt, from_cache = tokenize_with_cache(tokenizer, SPLIT, 16, tmp_path)
    assert not from_cache and _same(rebuilt, tokenize(tokenizer, SPLIT, 16))
    assert tokenize_with_cache(tokenizer, SPLIT, 16, tmp_path)[1]


WRITER = """
import sys, time
from pathlib import Path
from transformers import AutoTokenizer
from trainers.data import TextSplit
from trainers.tokenize_cache import tokenize_with_cache
model_dir, cache, barrier, name = sys.argv[1:5]
tokenizer = AutoTokenizer.from_pretrained(model_dir)
split = TextSplit([f"sentence number {i} of many" for i in range(3000)], None, [i % 2 for i in range(3000)])
(Path(barrier) / name).touch()  # ready
while not (Path(barrier) / "go").exists():  # then start together
    time.sleep(0.005)
tokenized, from_cache = tokenize_with_cache(tokenizer, split, 32, cache)
print(len(tokenized), from_cache, sum(len(ids) for ids in tokenized.input_ids))
"""
WRITERS = 3


@pytest.mark.subprocess
def test_concurrent_writers_never_corrupt_the_cache(tiny_model_dir: Path, tmp_path: Path) -> None:
    cache, barrier = tmp_path / "cache", tmp_path / "barrier"
    barrier.mkdir()
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(tiny_model_dir), str(cache), str(barrier),
                                 f"ready-{n}"], stdout=subprocess.PIPE, text=True,
                                env={**os.environ, "OMP_NUM_THREADS": "1"}) for n in range(WRITERS)]
    try:
        for _ in range(6000):  # until every writer has loaded its tokenizer (a guard, not a timing)
            if len(list(barrier.glob("ready-*"))) == WRITERS or any(w.poll() is not None for w in writers):
                break
            time.sleep(0.01)
        (barrier / "go").touch()
        outputs = [writer.communicate(timeout=120)[0].split() for writer in writers]
    finally:
        for writer in writers:
            writer.kill()
    assert all(writer.returncode == 0 for writer in writers)
    assert len({(count, tokens) for count, _hit, tokens in outputs}) == 1  # all got the same result
    entries = list(cache.iterdir())
    assert len(entries) == 1 and entries[0].suffix == ".pt"  # one entry, no temporary files left
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    texts = [f"sentence number {i} of many" for i in range(3000)]
    split = TextSplit(texts, None, [i % 2 for i in range(3000)])
    loaded, from_cache = tokenize_with_cache(tokenizer, split, 32, cache)
    fresh = tokenize(tokenizer, split, 32)
    assert from_cache and len(loaded) == len(fresh)
    assert all(torch.equal(x, y) for x, y in zip(loaded.input_ids, fresh.input_ids, strict=True))
