"""SYNTHETIC RTE-like curves and the sweeps written from them, for tests and benches: fixtures, not results.

RTE-like curves: accuracies on a 277-example dev set (so scores are multiples of 1/277), a share
of trials stuck at the majority-class baseline (the paper's "failed" runs), the rest climbing
towards a trial-specific plateau that depends on both seeds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from seedtui.testing.trial_log import DEFAULT_MAJORITY, write_trial

DEV_SIZE = 277
MAJORITY = DEFAULT_MAJORITY


def rte_like_curves(
    wi_count: int = 25, do_count: int = 25, evals: int = 30, *, seed: int = 0, quantise: bool = True
) -> np.ndarray:
    """(wi_count * do_count, evals) accuracies, rows ordered wi-major (row = wi * do_count + do)."""
    rng = np.random.default_rng(seed)
    wi_effect = rng.normal(0.0, 0.02, wi_count)
    do_effect = rng.normal(0.0, 0.015, do_count)
    plateau = 0.66 + wi_effect[:, None] + do_effect[None, :] + rng.normal(0.0, 0.02, (wi_count, do_count))
    failed = rng.random((wi_count, do_count)) < 0.25
    speed = rng.uniform(0.05, 0.4, (wi_count, do_count))
    steps = np.arange(1, evals + 1)
    climb = 1.0 - np.exp(-speed[..., None] * steps)
    curves = MAJORITY + (plateau[..., None] - MAJORITY) * climb
    curves = np.where(failed[..., None], MAJORITY, curves)
    curves = curves + rng.normal(0.0, 0.015, curves.shape)
    curves = np.clip(curves, 0.0, 1.0).reshape(wi_count * do_count, evals)
    if quantise:
        curves = np.round(curves * DEV_SIZE) / DEV_SIZE
    return curves


def write_sweep(root: Path, curves: np.ndarray, wi_count: int, do_count: int, **kwargs: Any) -> Path:
    """A sweep directory holding one log per row of ``curves`` (wi-major order)."""
    for row, scores in enumerate(curves):
        write_trial(root, row // do_count, row % do_count, scores, **kwargs)
    return root
