"""WI seeds compared across sweeps: read the sweeps, check their heads, rank the common seeds.

The one path behind ``seedtui compare``, the TUI's compare screen and the report's WI-ranks figure.
A WI seed draws the same classification head in two sweeps only when the heads have the same shape
and are drawn the same way; the start events say so (``model``, ``num_labels``, ``head_init_std``),
and when they disagree the comparison does not apply and :class:`ComparisonError` says why.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedtui.core.stats.concordance import (
    DEFAULT_PERMUTATIONS,
    Concordance,
    RankTable,
    SweepSeedMeans,
    common_wi_seeds,
    concordance,
    rank_table,
    sweep_seed_means,
)

TRAINER_NUM_LABELS = 2
"""Labels of the head seedtui's trainer builds for every task (``trainers.model.NUM_LABELS``); logs
whose start event has no ``num_labels`` were written by it."""
TRAINER_HEAD_INIT_STD = 0.02
"""SD of the normal seedtui's trainer draws a new head's weights from (``trainers.model.HEAD_INIT_STD``,
biases 0); logs whose start event has no ``head_init_std`` were written by it."""


class ComparisonError(ValueError):
    """The sweeps cannot be compared; the message says why (the CLI exits 2 with it)."""


@dataclass(frozen=True)
class HeadSpec:
    """What decides the head a WI seed draws: the model (its hidden size), the labels, the scheme."""

    model: str
    num_labels: int
    init_std: float

    def describe(self) -> str:
        return f"model {self.model}, {self.num_labels} labels, weights drawn from N(0, {self.init_std:g}^2)"


def head_spec(start: dict[str, Any]) -> HeadSpec:
    """The head of a trial, from its start event."""
    return HeadSpec(
        model=str(start.get("model", "?")),
        num_labels=int(start.get("num_labels", TRAINER_NUM_LABELS)),
        init_std=float(start.get("head_init_std", TRAINER_HEAD_INIT_STD)),
    )


@dataclass(frozen=True)
class SweepSeeds:
    """One sweep as the comparison sees it: its seed means and the heads of its used trials."""

    path: Path
    means: SweepSeedMeans
    heads: frozenset[HeadSpec]
    metric: str


def sweep_dirs(paths: Sequence[str | os.PathLike[str]], *, from_folder: bool = False
               ) -> list[tuple[Path, bool]]:
    """(sweep, named) for each path that is a sweep (named: True) and each sweep found inside a path
    that is a folder of sweeps (named: False), in order; ``from_folder``: the paths are sweeps that
    were found in a folder (the TUI's list), none of them named."""
    from seedtui.state import find_sweeps

    found: list[tuple[Path, bool]] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise ComparisonError(f"{path} does not exist")
        sweeps = find_sweeps(path)
        if not sweeps:
            raise ComparisonError(f"no sweep (no trials/ directory or trial logs) under {path}")
        named = sweeps == [path] and not from_folder
        found.extend((sweep, named) for sweep in sweeps if sweep not in (known for known, _ in found))
    return found


def sweep_names(paths: Sequence[Path]) -> list[str]:
    """Directory names, or the paths as given where two sweeps share a name."""
    names = [path.name or str(path) for path in paths]
    return [str(path) if names.count(name) > 1 else name for path, name in zip(paths, names, strict=True)]


def read_sweep(path: Path, name: str) -> SweepSeeds:
    """The grid of one sweep (completed trials, as ``seedtui stats`` uses them) and its heads."""
    from seedtui.core.stats.grid import build_grid
    from seedtui.state import load_trials

    trials = load_trials(path, skip_train=True)
    grid = build_grid(trials)
    if grid.n_trials == 0:
        raise ComparisonError(f"no usable (completed) trials in {path}")
    used = set(grid.trial_ids)
    heads = frozenset(head_spec(t.start) for t in trials if t.trial_id in used and t.start is not None)
    means = sweep_seed_means(name, grid.wi_seeds, grid.scores, grid.greater_is_better)
    return SweepSeeds(path, means, heads, grid.metric)


def why_heads_differ(sweeps: Sequence[SweepSeeds]) -> str | None:
    """None when every used trial of every sweep has the same kind of head; else the reason."""
    for sweep in sweeps:
        if len(sweep.heads) > 1:
            kinds = "; ".join(sorted(head.describe() for head in sweep.heads))
            return f"{sweep.means.name} mixes heads ({kinds})"
    first = next(iter(sweeps[0].heads))
    for sweep in sweeps[1:]:
        head = next(iter(sweep.heads))
        if head != first:
            return (f"a WI seed draws a different head in {sweep.means.name} ({head.describe()}) than in "
                    f"{sweeps[0].means.name} ({first.describe()})")
    return None


@dataclass(frozen=True)
class WiComparison:
    """The rank table of the common WI seeds, the tests of agreement, and the shared head."""

    table: RankTable
    agreement: Concordance
    head: HeadSpec
    metrics: list[str]
    """Each sweep's metric, in the order of ``table.sweeps``."""
    left_out: list[str]
    """Sweeps found in a folder but left out, each with why (they share too few WI seeds)."""

    def to_dict(self) -> dict[str, Any]:
        """The ``seedtui compare --json`` object (NaN written as null)."""
        table, agreement = self.table, self.agreement
        friedman = agreement.friedman
        return {
            "sweeps": list(table.sweeps),
            "wi_seeds": list(table.wi_seeds),
            "mean_best": dict(zip(table.sweeps, map(_floats, table.mean_best), strict=True)),
            "ranks": dict(zip(table.sweeps, map(_floats, table.ranks), strict=True)),
            "mean_rank": _floats(table.mean_rank),
            "kendall_w": _float(agreement.kendall_w),
            "friedman": {"statistic": _float(friedman.statistic), "p": _float(friedman.p)},
            "permutation": {"p": _float(agreement.permutation.p), "n": agreement.permutation.n},
        }


def _float(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _floats(values: Any) -> list[float | None]:
    return [_float(float(v)) for v in values]


def compare_sweeps(paths: Sequence[str | os.PathLike[str]], *, permutations: int = DEFAULT_PERMUTATIONS,
                   seed: int = 0, from_folder: bool = False) -> WiComparison:
    """Compare the WI seeds of the sweeps at ``paths`` (sweeps, or folders of sweeps).

    Every sweep named on its own is compared. Sweeps found in a folder that have no completed trial
    yet, or share fewer than 2 WI seeds with the others (say, seeds 11-15 next to sweeps with 1-5),
    are left out, and ``left_out`` says so (``from_folder``: every path is such a sweep)."""
    found = sweep_dirs(paths, from_folder=from_folder)
    if len(found) < 2:
        raise ComparisonError(f"comparing WI seeds needs at least 2 sweeps; found {len(found)}")
    dirs = [path for path, _ in found]
    sweeps: list[SweepSeeds] = []
    named: list[bool] = []
    unusable: list[str] = []
    for (path, is_named), name in zip(found, sweep_names(dirs), strict=True):
        try:
            sweeps.append(read_sweep(path, name))
            named.append(is_named)
        except ComparisonError as error:
            if is_named:
                raise
            unusable.append(f"{name}: {error}")
    if len(sweeps) < 2:
        raise ComparisonError(f"comparing WI seeds needs at least 2 sweeps with completed trials; found "
                              f"{len(sweeps)} ({'; '.join(unusable)})")
    sweeps, named, other_heads = _keep_one_head(sweeps, named)
    kept, dropped = _keep_shared(sweeps, named)
    reason = why_heads_differ(kept)
    if reason is not None:
        raise ComparisonError(f"the comparison does not apply: {reason}")
    table = rank_table([sweep.means for sweep in kept])
    if len(table.wi_seeds) < 2:
        listed = "; ".join(f"{s.means.name}: {_seed_list(s.means)}" for s in sweeps)
        raise ComparisonError(
            f"comparing WI seeds needs at least 2 WI seeds common to every sweep; found "
            f"{len(table.wi_seeds)} ({listed})"
        )
    return WiComparison(
        table=table,
        agreement=concordance(table.ranks, permutations, seed),
        head=next(iter(kept[0].heads)),
        metrics=[sweep.metric for sweep in kept],
        left_out=unusable + other_heads + [f"{s.means.name} ({_seed_list(s.means)}): shares fewer than 2 WI "
                                           "seeds with the others" for s in dropped],
    )


def _keep_one_head(sweeps: list[SweepSeeds], named: list[bool]
                   ) -> tuple[list[SweepSeeds], list[bool], list[str]]:
    """(kept, their named flags, why each other was left out): when the sweeps' heads differ, leave out
    the folder-found sweeps whose head is not the reference one: the head of the sweeps named on their
    own, else the one most sweeps share (the first found on a tie). Named sweeps are never left out:
    ``why_heads_differ`` then refuses them."""
    if why_heads_differ(sweeps) is None:
        return sweeps, named, []
    single = [next(iter(s.heads)) if len(s.heads) == 1 else None for s in sweeps]
    named_heads = [head for head, is_named in zip(single, named, strict=True)
                   if is_named and head is not None]
    candidates = named_heads or [head for head in single if head is not None]
    if not candidates:
        return sweeps, named, []
    reference = max(candidates, key=lambda head: (candidates.count(head), -candidates.index(head)))
    kept = [i for i, head in enumerate(single) if named[i] or head == reference]
    left_out = [f"{sweeps[i].means.name}: a WI seed draws a different head there "
                f"({'; '.join(sorted(h.describe() for h in sweeps[i].heads))})"
                for i in range(len(sweeps)) if i not in kept]
    return [sweeps[i] for i in kept], [named[i] for i in kept], left_out


def _keep_shared(sweeps: list[SweepSeeds], named: list[bool]) -> tuple[list[SweepSeeds], list[SweepSeeds]]:
    """(kept, left out): while the kept sweeps share fewer than 2 WI seeds, leave out the folder-found
    sweep whose absence leaves the most common seeds (the later one on a tie); never a named one."""
    kept = list(range(len(sweeps)))

    def shared(indices: list[int]) -> int:
        return len(common_wi_seeds([sweeps[i].means for i in indices]))

    while shared(kept) < 2 and len(kept) > 2:
        candidates = [i for i in kept if not named[i]]
        if not candidates:
            break
        drop = max(candidates, key=lambda i: (shared([j for j in kept if j != i]), i))
        kept.remove(drop)
    return [sweeps[i] for i in kept], [s for i, s in enumerate(sweeps) if i not in kept]


def _seed_list(means: SweepSeedMeans) -> str:
    scored = [seed for seed, mean in zip(means.wi_seeds, means.mean_best, strict=True) if math.isfinite(mean)]
    return "WI " + (", ".join(map(str, scored)) or "none")

