"""What the header says about a sweep, read from its ``sweep.toml`` (written by the engine).

Tolerant: a sweep directory without the file, or with a file this reader does not understand,
still opens (the header then falls back to the trials' start events).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from seedtui.log.files import SWEEP_CONFIG_FILE


@dataclass(frozen=True)
class SweepInfo:
    name: str
    task: str | None = None
    model: str | None = None
    wi_seeds: tuple[int, ...] = ()
    do_seeds: tuple[int, ...] = ()
    divergence_min_fraction: float | None = None
    order_seed: int = 0
    """The seed of the launch order under a policy (``[policy] order_seed``)."""
    tfp_t: int | None = None
    """``[policy.tfp] t`` when the sweep was launched under t/f/p: how many trials it runs."""
    backend: str | None = None
    """``[resources] backend`` (the engine's default, local, when sweep.toml leaves it out); None
    without a readable sweep.toml."""

    def tfp_cohort(self) -> list[str] | None:
        """The trials a t/f/p launch runs (the one rule's cohort, ``choose_cohort``: the first ``t``
        of the launch order); None without one."""
        return None if self._cohort is None else list(self._cohort)

    def launch_order(self) -> list[str] | None:
        """The grid in the order a policy launched it (None without a seed grid in sweep.toml)."""
        return None if self._launch_order is None else list(self._launch_order)

    # the status line asks for the cohort on every frame: worked out once (the info is frozen)
    @cached_property
    def _launch_order(self) -> tuple[str, ...] | None:
        from seedtui.policy.tfp_rule import launch_order

        grid = self.expected_trials()
        return tuple(launch_order(grid, self.order_seed)) if grid else None

    @cached_property
    def _cohort(self) -> tuple[str, ...] | None:
        from seedtui.policy.tfp_rule import choose_cohort

        order = self.launch_order()
        return None if self.tfp_t is None or order is None else tuple(choose_cohort(self.tfp_t, order))

    def expected_trials(self) -> list[str]:
        """Trial ids of the full WI x DO grid the configuration asks for."""
        return [f"wi{wi}-do{do}" for wi in self.wi_seeds for do in self.do_seeds]


def _int_list(value: Any) -> tuple[int, ...]:
    if isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return tuple(value)
    return ()


def read_sweep_info(sweep_dir: Path) -> SweepInfo:
    """The sweep's name, task, model and seed grid (name defaults to the directory's name)."""
    try:
        raw = tomllib.loads((sweep_dir / SWEEP_CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        raw = {}
    divergence = raw.get("policy", {}).get("divergence", {}) if isinstance(raw.get("policy"), dict) else {}
    min_fraction = divergence.get("min_fraction") if isinstance(divergence, dict) else None
    return SweepInfo(
        name=str(raw.get("name") or sweep_dir.resolve().name),
        task=str(raw["task"]) if isinstance(raw.get("task"), str) else None,
        model=str(raw["model"]) if isinstance(raw.get("model"), str) else None,
        wi_seeds=_int_list(raw.get("wi_seeds")),
        do_seeds=_int_list(raw.get("do_seeds")),
        divergence_min_fraction=float(min_fraction) if isinstance(min_fraction, (int, float)) else None,
        order_seed=_order_seed(raw.get("policy")),
        tfp_t=_tfp_t(raw.get("policy")),
        backend=_backend(raw) if raw else None,
    )


def _backend(raw: dict[str, Any]) -> str | None:
    resources = raw.get("resources", {})
    backend = resources.get("backend", "local") if isinstance(resources, dict) else None
    return backend if isinstance(backend, str) else None


def _order_seed(policy: Any) -> int:
    seed = policy.get("order_seed") if isinstance(policy, dict) else None
    return seed if isinstance(seed, int) and not isinstance(seed, bool) else 0


def _tfp_t(policy: Any) -> int | None:
    if not isinstance(policy, dict) or policy.get("rule") != "tfp" or not isinstance(policy.get("tfp"), dict):
        return None
    t = policy["tfp"].get("t")
    return t if isinstance(t, int) and not isinstance(t, bool) and t > 0 else None
