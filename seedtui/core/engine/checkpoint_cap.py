"""``[resources] max_checkpoint_gb``: a cap on the space a sweep's checkpoints may take.

t/f/p keeps a checkpoint for every trial of its cohort until the decision (t of them: 261 MB each
for MiniLM, about 3.3 GB for BERT-large with its AdamW state), and the sweep's own stop leaves one
per running trial. With a cap, a launch that will write a checkpoint (a cohort trial, launched to its
milestone) waits while the checkpoints on disk, those its running cohort trials are about to write
and its own would pass the cap (each counted at the size of the largest so far; before the first
exists nothing is known and launches go ahead). When such a launch waits and no trial runs that
could free space, the wait would never end: the supervisor stops the sweep with one line naming the
key. Checkpoints written by the sweep's stop are not held back (they keep work from being lost).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from seedtui.state.disk_use import GB, CheckpointUse, checkpoint_use, format_size


class CheckpointCap:
    """The supervisor's check of the cap before each launch that will write a checkpoint."""

    def __init__(self, cap_gb: float | None, sweep_dir: Path, log: Callable[[str], None]) -> None:
        self.cap_bytes = None if cap_gb is None else cap_gb * GB
        self.sweep_dir = sweep_dir
        self.log = log
        self.waiting = False
        self.use = CheckpointUse()

    def room_for_one_more(self, being_written: int) -> bool:
        """Whether one more checkpoint fits beside those on disk and ``being_written`` more (running
        trials that will write one). Logs once when launches start waiting."""
        if self.cap_bytes is None:
            return True
        self.use = checkpoint_use(self.sweep_dir)
        needed = self.use.bytes + (being_written + 1) * self.use.largest_bytes
        if needed <= self.cap_bytes:
            if self.waiting:
                self.log("checkpoints fit under max_checkpoint_gb again: launching")
            self.waiting = False
            return True
        if not self.waiting:
            self.log(f"waiting to launch: {self.use.trials} checkpoints take {format_size(self.use.bytes)}, "
                     f"{being_written + 1} more of {format_size(self.use.largest_bytes)} would pass "
                     f"[resources] max_checkpoint_gb = {self.cap_bytes / GB:g}")
        self.waiting = True
        return False

    def why_stuck(self) -> str:
        """The one line when a launch waits for space that nothing will free."""
        assert self.cap_bytes is not None
        kept, next_one = format_size(self.use.bytes), format_size(self.use.largest_bytes)
        return (f"[resources] max_checkpoint_gb = {self.cap_bytes / GB:g} is too small for this sweep: "
                f"{self.use.trials} checkpoints kept for the t/f/p decision take {kept} and the next needs "
                f"{next_one} more; raise it (or lower t) and run the sweep again")
