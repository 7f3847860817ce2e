"""Tokenize a split once and keep the token ids on disk for the other trials of a sweep.

The cache key hashes (the tokenizer's full serialization, the exact rows being tokenized, the max
length); the rows stand for the data files, after parsing and --train-limit/--eval-limit, so a changed
file, a changed column choice or a different prefix all get their own entry. Entries are written to a
temporary file in the cache directory and moved into place with ``os.replace``: several trials starting
at once may all tokenize, but a reader only ever sees a missing or a complete file.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from seedtui.log.atomic_file import atomic_binary_writer
from trainers.data import TextSplit

CACHE_FORMAT = 1


@dataclass
class TokenizedSplit:
    """Token ids of every example (unpadded; batches pad dynamically) and the labels."""

    input_ids: list[torch.Tensor]
    token_type_ids: list[torch.Tensor] | None
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.input_ids)

    def lengths(self) -> list[int]:
        return [len(ids) for ids in self.input_ids]


def tokenize_with_cache(tokenizer: Any, split: TextSplit, max_length: int,
                        cache_dir: str | os.PathLike[str] | None,
                        tokenizer_hash: str | None = None) -> tuple[TokenizedSplit, bool]:
    """The tokenized split and whether it came from the cache. ``cache_dir=None`` disables the cache.

    ``tokenizer_hash`` (from ``tokenizer_fingerprint``) saves hashing the vocabulary again per split."""
    if cache_dir is None:
        return tokenize(tokenizer, split, max_length), False
    path = Path(cache_dir) / f"{cache_key(tokenizer, split, max_length, tokenizer_hash)}.pt"
    cached = _load(path)
    if cached is not None:
        return cached, True
    tokenized = tokenize(tokenizer, split, max_length)
    try:
        _save_atomically(tokenized, path)
    except OSError as error:  # a read-only or full cache must not fail the trial
        print(f"warning: cannot write tokenization cache {path}: {error}", file=sys.stderr)
    return tokenized, False


def tokenize(tokenizer: Any, split: TextSplit, max_length: int) -> TokenizedSplit:
    encoded = tokenizer(split.texts, split.text_pairs, truncation=True, max_length=max_length,
                        padding=False, return_attention_mask=False)
    input_ids = [torch.tensor(ids, dtype=torch.long) for ids in encoded["input_ids"]]
    token_type_ids = None
    if "token_type_ids" in encoded:
        token_type_ids = [torch.tensor(ids, dtype=torch.long) for ids in encoded["token_type_ids"]]
    return TokenizedSplit(input_ids, token_type_ids, torch.tensor(split.labels, dtype=torch.long))


def cache_key(tokenizer: Any, split: TextSplit, max_length: int, tokenizer_hash: str | None = None) -> str:
    key = {"format": CACHE_FORMAT, "tokenizer": tokenizer_hash or tokenizer_fingerprint(tokenizer),
           "data": data_fingerprint(split), "max_length": max_length}
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:40]


def tokenizer_fingerprint(tokenizer: Any) -> str:
    """A hash of everything that decides the token ids: vocabulary, normalizer, special tokens."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is not None:
        serialized = json.loads(backend.to_str())
        # truncation/padding are per-call settings that a previous call leaves behind, not identity
        serialized.pop("truncation", None)
        serialized.pop("padding", None)
        text = json.dumps(serialized, sort_keys=True)
    else:
        text = json.dumps({"vocab": sorted(tokenizer.get_vocab().items()),
                           "special": tokenizer.all_special_tokens}, sort_keys=True)
    return hashlib.sha256(f"{type(tokenizer).__name__}\n{text}".encode()).hexdigest()


def data_fingerprint(split: TextSplit) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps([split.texts, split.text_pairs, split.labels]).encode())
    return digest.hexdigest()


def _save_atomically(tokenized: TokenizedSplit, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": CACHE_FORMAT,
        "lengths": torch.tensor(tokenized.lengths(), dtype=torch.long),
        "input_ids": _flatten(tokenized.input_ids),
        "token_type_ids": None if tokenized.token_type_ids is None else _flatten(tokenized.token_type_ids),
        "labels": tokenized.labels,
    }
    with atomic_binary_writer(path, fsync=True) as temp_file:
        torch.save(payload, temp_file)


def _load(path: Path) -> TokenizedSplit | None:
    """The cached split, or None when missing or unreadable (then it is simply rebuilt)."""
    if not path.is_file():
        return None
    try:
        payload = torch.load(path, weights_only=True)
        lengths = payload["lengths"].tolist()
        input_ids = list(torch.split(payload["input_ids"].long(), lengths))
        token_types = payload["token_type_ids"]
        token_type_ids = None if token_types is None else list(torch.split(token_types.long(), lengths))
        labels = payload["labels"]
    except Exception as error:  # a damaged entry is a miss, never a failed trial
        print(f"warning: ignoring unreadable tokenization cache {path}: {error}", file=sys.stderr)
        return None
    if payload.get("format") != CACHE_FORMAT or len(labels) != len(input_ids):
        return None
    return TokenizedSplit(input_ids, token_type_ids, labels)


def _flatten(sequences: list[torch.Tensor]) -> torch.Tensor:
    if not sequences:
        return torch.zeros(0, dtype=torch.int32)
    return torch.cat(sequences).to(torch.int32)
