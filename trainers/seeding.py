"""Which seed drives which random stream: the one place the trainer seeds anything."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class RandomStreams:
    """The trial's three independent sources of randomness."""

    head_init: torch.Generator
    """Seeded by the WI seed; draws the new classification head and nothing else."""
    do_seed: int
    """Seeds each epoch's shuffling generator (see ``epoch_order``)."""
    dropout_seed: int
    """The seed the global RNG was given last; dropout is all that draws from it while training."""

    def epoch_order(self, epoch: int, size: int) -> torch.Tensor:
        """The order of the ``size`` training examples in ``epoch`` (0-based): a function of the DO seed
        and the epoch alone, so a resumed trial recomputes it instead of storing it."""
        return epoch_order(self.do_seed, epoch, size)


def seed_random_streams(wi_seed: int, do_seed: int, dropout_seed: int) -> RandomStreams:
    """Seed every random stream of a trial. Call it after the pretrained model is loaded.

    - WI seed -> a private ``torch.Generator`` for the new head's N(0, 0.02^2) weights. The pretrained
      weights are loaded, never drawn, so the WI seed cannot reach them.
    - DO seed -> one private ``torch.Generator`` per epoch, seeded from (DO, epoch), that permutes the
      training set. Nothing else reads it.
    - dropout seed -> the global RNGs (torch CPU and CUDA, Python ``random``, NumPy), seeded here, last,
      like the paper's code whose final ``set_seed`` call used the DO seed; by default the dropout seed
      is the DO seed. Dropout masks are the only draws from them during training.
    """
    head_init = torch.Generator(device="cpu")
    head_init.manual_seed(wi_seed)
    random.seed(dropout_seed)
    np.random.seed(dropout_seed)
    torch.manual_seed(dropout_seed)  # also seeds every CUDA device
    return RandomStreams(head_init=head_init, do_seed=do_seed, dropout_seed=dropout_seed)


def epoch_order(do_seed: int, epoch: int, size: int) -> torch.Tensor:
    """A permutation of ``range(size)`` drawn from a generator seeded by (DO seed, epoch)."""
    # SeedSequence mixes the pair into a well-spread 64-bit seed, so nearby (seed, epoch) pairs do not
    # give correlated Mersenne Twister streams.
    mixed_seed = int(np.random.SeedSequence([do_seed, epoch]).generate_state(1, dtype=np.uint64)[0])
    generator = torch.Generator(device="cpu")
    generator.manual_seed(mixed_seed)
    return torch.randperm(size, generator=generator)
