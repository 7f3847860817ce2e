"""Small generated sweep directories for the report tests (fixtures, not results).

Scores come from a seeded additive model (a WI effect, a DO effect, noise, and a curve that
rises over training) so every statistic in the report has something to show.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pytest

from seedtui.testing.trial_log import write_trial as shared_write_trial

SWEEP_TOML = """\
# the resolved sweep (written by the engine)
[sweep]
task = "rte"
model = "tiny <bert> & co"
wi_seeds = [1, 2, 3, 4]
do_seeds = [1, 2, 3, 4, 5]
"""


def write_trial(root: Path, wi: int, do: int, scores: list[float], *, evals_per_epoch: int,
                status: str | None = "completed", total_evals: int | None = None,
                model: str = "tiny-bert", greater_is_better: bool = True) -> Path:
    """One trial log (the shared writer) with this file's dev set: 40 examples, baseline 0.5."""
    return shared_write_trial(
        root, wi, do, scores, evals_per_epoch=evals_per_epoch, status=status, total_evals=total_evals,
        train_loss=0.5, t0=1_000.0, model=model, metric="acc" if greater_is_better else "error",
        greater_is_better=greater_is_better, train_size=80, eval_size=40, majority_baseline=0.5,
        host="elsewhere", config={"task": "rte", "lr": 2e-5},
    )


def write_sweep(root: Path, wi_seeds: Iterable[int], do_seeds: Iterable[int], *, epochs: int = 3,
                evals_per_epoch: int = 2, seed: int = 0, unfinished: Iterable[tuple[int, int]] = (),
                absent: Iterable[tuple[int, int]] = (), sweep_toml: str | None = SWEEP_TOML,
                greater_is_better: bool = True) -> Path:
    """A sweep directory; ``unfinished`` trials stop half-way with no end event, ``absent`` ones
    have no log at all (holes in the grid)."""
    rng = np.random.default_rng(seed)
    wi_list, do_list = list(wi_seeds), list(do_seeds)
    wi_effect = dict(zip(wi_list, rng.normal(0, 0.04, len(wi_list)), strict=True))
    do_effect = dict(zip(do_list, rng.normal(0, 0.02, len(do_list)), strict=True))
    total_evals = epochs * evals_per_epoch
    # Learning saturates, so late evaluations differ by noise alone and the three EVP regimes
    # (best of all evals, of epoch ends, last eval) come apart as they do in real sweeps.
    rise = 0.15 * (1.0 - np.exp(-4.0 * np.linspace(0.0, 1.0, total_evals)))
    unfinished_set, absent_set = set(unfinished), set(absent)
    root.mkdir(parents=True, exist_ok=True)
    if sweep_toml is not None:
        (root / "sweep.toml").write_text(sweep_toml, encoding="utf-8")
    for wi in wi_list:
        for do in do_list:
            if (wi, do) in absent_set:
                continue
            noise = rng.normal(0, 0.02, total_evals)
            # Round to the eval set's resolution (40 examples), as real accuracies are.
            curve = np.round((0.55 + wi_effect[wi] + do_effect[do] + rise + noise) * 40) / 40
            scores = [float(s) for s in np.clip(curve, 0.0, 1.0)]
            if not greater_is_better:  # an error rate: the same sweep, mirrored
                scores = [1.0 - s for s in scores]
            if (wi, do) in unfinished_set:
                write_trial(root, wi, do, scores[: total_evals // 2], evals_per_epoch=evals_per_epoch,
                            status=None, total_evals=total_evals, greater_is_better=greater_is_better)
            else:
                write_trial(root, wi, do, scores, evals_per_epoch=evals_per_epoch,
                            greater_is_better=greater_is_better)
    return root


# Session-scoped: the report tests only read these directories.
@pytest.fixture(scope="session")
def small_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete 4 x 5 grid with 6 evals per trial."""
    return write_sweep(tmp_path_factory.mktemp("small") / "sweep", range(1, 5), range(1, 6))


@pytest.fixture(scope="session")
def incomplete_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3 x 4 grid with one trial stopped half-way without an end event, and one never started."""
    return write_sweep(tmp_path_factory.mktemp("partial") / "sweep", range(1, 4), range(1, 5),
                       unfinished=[(2, 3)], absent=[(3, 1)])


@pytest.fixture(scope="session")
def one_trial_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sweep(tmp_path_factory.mktemp("single") / "sweep", [7], [12], sweep_toml=None)
