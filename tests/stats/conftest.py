"""Fixtures for the statistics tests: small sweeps written as real event logs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from seedtui.testing.curves import rte_like_curves, write_sweep


@pytest.fixture
def small_sweep(tmp_path: Path) -> Path:
    """A complete 4 x 3 RTE-like sweep: 10 evals per trial, one epoch."""
    return write_sweep(tmp_path / "sweep", rte_like_curves(4, 3, 10, seed=3), 4, 3)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)
