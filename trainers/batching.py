"""Batches of token ids, padded only to the longest example in the batch (dynamic padding)."""

from __future__ import annotations

import torch
from torch.nn.utils.rnn import pad_sequence

from trainers.tokenize_cache import TokenizedSplit


def collate(split: TokenizedSplit, indices: list[int], pad_token_id: int) -> dict[str, torch.Tensor]:
    """Model inputs and labels of the examples at ``indices``, in that order."""
    input_ids = [split.input_ids[i] for i in indices]
    batch = {
        "input_ids": pad_sequence(input_ids, batch_first=True, padding_value=pad_token_id),
        "attention_mask": pad_sequence([torch.ones_like(ids) for ids in input_ids], batch_first=True),
        "labels": split.labels[indices],
    }
    if split.token_type_ids is not None:
        batch["token_type_ids"] = pad_sequence([split.token_type_ids[i] for i in indices], batch_first=True)
    return batch


def to_device(batch: dict[str, torch.Tensor], device: torch.device) -> dict[str, torch.Tensor]:
    if device.type != "cuda":
        return batch
    # pinned host memory lets the copy overlap the previous step's kernels
    return {key: value.pin_memory().to(device, non_blocking=True) for key, value in batch.items()}


def eval_batches(split: TokenizedSplit, batch_size: int) -> list[list[int]]:
    """Evaluation batches grouped by length (less padding); predictions are put back in order later."""
    lengths = split.lengths()
    by_length = sorted(range(len(split)), key=lambda i: (lengths[i], i))
    return [by_length[start:start + batch_size] for start in range(0, len(by_length), batch_size)]
