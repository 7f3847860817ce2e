"""Trials in multi-trial workers (``[resources] trials_per_process`` > 1), for the local backend.

Each process slot (a CPU slot, or a GPU share) runs one worker, ``python -m trainers.pack
SWEEP_DIR/packs/<place>-<n>``, that holds up to ``trials_per_process`` trials; the supervisor's slots
are its seats (``slots.Slot.process``/``seat``). Launching a trial queues a ``run`` to the seat's
worker (``pack_queue``), starting a worker first when there is none or the last one has closed.
To the supervisor each trial is still a trial with its own handle (``PackTrial``): its pid is the
worker's, its ``launch.json`` names the worker's directory (``pack_dir``), it is stopped through the
queue (never by a signal to the worker, which would stop its pack-mates), and it has "exited" when
the worker has recorded it done, or when the worker is gone: then a trial without an ``end`` is
marked failed by the supervisor, or run again when ``requeue_on_node_failure`` is set.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedtui.core.engine.config import SweepConfig
from seedtui.core.engine.procs import owns_process
from seedtui.core.engine.slots import Slot
from seedtui.core.engine.trainer_command import trainer_arguments
from seedtui.log.files import STOP_REQUEST_FILE
from seedtui.log.launch_records import read_launch_record, read_stop_request, write_launch_record
from seedtui.log.pack_queue import (
    PACKS_DIR,
    WORKER_LOG_FILE,
    WORKER_MODULE,
    DoneRecords,
    is_closed,
    submit,
)


@dataclass
class PackWorkerProcess:
    """One multi-trial worker, launched by this supervisor (``popen``) or found after a restart."""

    directory: Path
    pid: int
    pgid: int
    popen: subprocess.Popen[bytes] | None = None
    done: DoneRecords = field(init=False)

    def __post_init__(self) -> None:
        self.done = DoneRecords(self.directory)

    def alive(self) -> bool:
        if self.popen is not None:
            return self.popen.poll() is None
        return owns_process(self.pid, pgid=self.pgid, marker=str(self.directory))

    def exit_status(self) -> int:
        """The worker's exit code once it is gone (-1 when it was not our child)."""
        code = self.popen.poll() if self.popen is not None else None
        return -1 if code is None else code


@dataclass
class PackTrial:
    """The supervisor's handle on one trial in a worker (``backend.TrialHandle``)."""

    trial_id: str
    directory: Path
    worker: PackWorkerProcess
    launch: float
    """The launch time: the key of this run in the worker's queue and done records."""
    pid: int
    slot: Slot | None
    resume: bool
    stop_by: str | None = None
    stop_reason: str = ""
    term_sent_at: float | None = None
    kill_sent: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    worker_lost: bool = False
    """It "exited" because its worker did, without leaving the pack."""

    def exit_code(self) -> int | None:
        """The trial's exit code once it has left its worker (or the worker is gone), else None."""
        key = (self.trial_id, self.launch)
        code = self.worker.done.poll().get(key)
        if code is None and not self.worker.alive():
            code = self.worker.done.poll().get(key)  # it may have recorded it as it exited
            if code is None:
                self.worker_lost = True
                code = self.worker.exit_status()
        return code

    def is_ours(self) -> bool:
        return self.worker.alive() and (self.trial_id, self.launch) not in self.worker.done.poll()

    def send(self, op: str) -> bool:
        """Queue ``stop`` or ``kill`` for this trial; False when its worker is gone or takes nothing more."""
        if not self.is_ours():
            return False
        return submit(self.worker.directory, {"op": op, "trial": self.trial_id, "launch": self.launch})


class PackLauncher:
    """The workers of one sweep, by process slot; launches, stops and adopts trials in them."""

    def __init__(self, config: SweepConfig) -> None:
        self.config = config
        self.workers: dict[int, PackWorkerProcess] = {}
        self._by_dir: dict[Path, PackWorkerProcess] = {}

    def launch(self, slot: Slot, trial_id: str, wi_seed: int, do_seed: int, directory: Path, *,
               stop_at_fraction: float | None, resume: bool) -> PackTrial:
        assert slot.process is not None
        directory.mkdir(parents=True, exist_ok=True)
        (directory / STOP_REQUEST_FILE).unlink(missing_ok=True)  # a request from an earlier run
        arguments = trainer_arguments(self.config, wi_seed, do_seed, directory, device=slot.device,
                                      stop_at_fraction=stop_at_fraction, resume=resume)
        launch = time.time()
        record = {"op": "run", "trial": trial_id, "trial_dir": str(directory), "argv": arguments,
                  "launch": launch}
        worker = self.workers.get(slot.process)
        if worker is None or not worker.alive() or not submit(worker.directory, record):
            worker = self._start_worker(slot)
            if not submit(worker.directory, record):
                raise RuntimeError(f"the new worker in {worker.directory} closed before its first trial")
        write_launch_record(directory, {
            "pid": worker.pid, "pgid": worker.pgid, "host": socket.gethostname(), "t": launch,
            "slot": slot.index, "slot_label": slot.label, "resume": resume,
            "stop_at_fraction": stop_at_fraction,
            "argv": [*self._worker_argv(worker.directory), *arguments], "supervisor_pid": os.getpid(),
            "pack_dir": str(worker.directory),
        })
        return PackTrial(trial_id=trial_id, directory=directory, worker=worker, launch=launch, pid=worker.pid,
                         slot=slot, resume=resume)

    @staticmethod
    def _worker_argv(pack_dir: Path) -> list[str]:
        return [sys.executable, "-m", WORKER_MODULE, str(pack_dir)]

    def _start_worker(self, slot: Slot) -> PackWorkerProcess:
        packs = self.config.sweep_dir / PACKS_DIR
        packs.mkdir(parents=True, exist_ok=True)
        n = 1
        while True:  # a fresh directory per worker: an old one's queue and done records stay its own
            pack_dir = packs / f"{slot.process_label}-{n}"
            try:
                pack_dir.mkdir()
                break
            except FileExistsError:
                n += 1
        with open(pack_dir / WORKER_LOG_FILE, "ab") as stderr:
            popen = subprocess.Popen(
                self._worker_argv(pack_dir), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=stderr, env=slot.environment(), start_new_session=True, close_fds=True,
            )
        worker = PackWorkerProcess(pack_dir, popen.pid, popen.pid, popen)
        assert slot.process is not None
        self.workers[slot.process] = worker
        self._by_dir[pack_dir] = worker
        return worker

    def signal(self, handle: PackTrial, signum: int) -> bool:
        """SIGTERM/SIGINT: stop the trial after its current step; SIGKILL: drop it at once. Through the
        worker's queue: a signal to the worker would stop its pack-mates too."""
        return handle.send("kill" if signum == signal.SIGKILL else "stop")

    def adopt(self, directory: Path) -> PackTrial | None:
        """The trial of ``directory`` if its ``launch.json`` names a worker that still holds it."""
        record = read_launch_record(directory)
        if record is None or "pack_dir" not in record or record.get("host") != socket.gethostname():
            return None
        pack_dir = Path(str(record["pack_dir"]))
        worker = self._by_dir.get(pack_dir)
        if worker is None:
            worker = PackWorkerProcess(pack_dir, int(record["pid"]), int(record["pgid"]))
            if not worker.alive():
                return None
            self._by_dir[pack_dir] = worker
        slot = record.get("slot")
        per_process = self.config.resources.trials_per_process
        if isinstance(slot, int) and not is_closed(pack_dir):
            self.workers.setdefault(slot // per_process, worker)  # new trials may join it
        handle = PackTrial(trial_id=directory.name, directory=directory, worker=worker,
                           launch=float(record["t"]), pid=worker.pid, slot=None,
                           resume=bool(record.get("resume")), extra={"slot": slot})
        if not handle.is_ours():
            return None
        request = read_stop_request(directory)  # a stop the previous supervisor asked for: keep escalating it
        if request is not None and "by" in request:
            handle.stop_by, handle.stop_reason = str(request["by"]), str(request.get("reason", ""))
            handle.term_sent_at = time.time()
        return handle

    def requeue_reason(self, handle: PackTrial) -> str | None:
        if handle.worker_lost and handle.stop_by is None and self.config.resources.requeue_on_node_failure:
            return f"its multi-trial worker (pid {handle.pid}) is gone"
        return None
