"""Slots: where a trial may run. One per (GPU, k) for ``trials_per_gpu`` trials per GPU, or
``max_concurrent`` CPU slots when there is no GPU. A slot gives the trial its environment.

With ``trials_per_process`` = N > 1 each of those places is one multi-trial worker process
(``trainers.pack``) and holds N slots, its seats: ``process`` names the worker, ``seat`` the place in it."""

from __future__ import annotations

import os
from dataclasses import dataclass

from seedtui.core.engine.config import ResourcesConfig
from seedtui.core.engine.gpus import detect_gpus


@dataclass(frozen=True)
class Slot:
    index: int
    gpu: int | None
    """The GPU index the trial sees as its only device, or None for a CPU slot."""
    cpu_threads: int | None = None
    """Threads per CPU trial (per worker, in a pack), so concurrent trials do not oversubscribe the cores."""
    process: int | None = None
    """The multi-trial worker this slot is a seat of (``trials_per_process`` > 1), else None."""
    seat: int = 0

    @property
    def label(self) -> str:
        if self.process is not None:
            return f"{self.process_label}:{self.seat}"
        return f"gpu{self.gpu}" if self.gpu is not None else f"cpu{self.index}"

    @property
    def process_label(self) -> str:
        """The label of the place (GPU share or CPU slot) the slot's process runs in."""
        if self.gpu is not None:
            return f"gpu{self.gpu}" if self.process is None else f"gpu{self.gpu}-{self.process}"
        return f"cpu{self.index if self.process is None else self.process}"

    @property
    def device(self) -> str:
        return "cuda" if self.gpu is not None else "cpu"

    def environment(self, base: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ if base is None else base)
        env["CUDA_VISIBLE_DEVICES"] = "" if self.gpu is None else str(self.gpu)
        if self.cpu_threads is not None and "OMP_NUM_THREADS" not in env:
            env["OMP_NUM_THREADS"] = str(self.cpu_threads)
        return env


def make_slots(resources: ResourcesConfig, gpus: list[int] | None = None) -> list[Slot]:
    """The sweep's slots. ``gpus`` overrides detection (``resources.gpus`` = "auto")."""
    if isinstance(resources.gpus, tuple):
        gpu_list = list(resources.gpus)
    else:  # "auto"
        gpu_list = detect_gpus() if gpus is None else gpus
    if gpu_list:
        places = [Slot(index=i, gpu=gpu) for i, gpu in
                  enumerate(g for g in gpu_list for _ in range(resources.trials_per_gpu))]
    else:
        threads = max(1, (os.cpu_count() or 1) // resources.max_concurrent)
        places = [Slot(index=i, gpu=None, cpu_threads=threads) for i in range(resources.max_concurrent)]
    per_process = resources.trials_per_process
    if per_process == 1:
        return places
    return [Slot(index=place.index * per_process + seat, gpu=place.gpu, cpu_threads=place.cpu_threads,
                 process=place.index, seat=seat) for place in places for seat in range(per_process)]


class SlotPool:
    """Which slots are free; a trial holds one from launch until its process is gone."""

    def __init__(self, slots: list[Slot]) -> None:
        self.slots = slots
        self._busy: dict[int, str] = {}

    def acquire(self, trial_id: str) -> Slot | None:
        for slot in self.slots:
            if slot.index not in self._busy:
                self._busy[slot.index] = trial_id
                return slot
        return None

    def hold(self, slot_index: int, trial_id: str) -> Slot | None:
        """Mark a given slot busy (a trial adopted after a restart); None if it does not exist."""
        for slot in self.slots:
            if slot.index == slot_index and slot.index not in self._busy:
                self._busy[slot.index] = trial_id
                return slot
        return None

    def release(self, slot: Slot) -> None:
        self._busy.pop(slot.index, None)

    @property
    def free_count(self) -> int:
        return len(self.slots) - len(self._busy)
