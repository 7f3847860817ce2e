"""Launching one trial: ``python -m trainers.finetune`` in its own process group.

Each trial gets its own session (``start_new_session``), so a signal to its group reaches the
trainer and anything it spawned, and nothing else; the supervisor's own exit does not take it
down. What was launched (pid, process group, slot, command) is recorded in
``trials/<id>/launch.json`` so a restarted supervisor can adopt a trial still running and can
check, before it signals, that the pid is still that trial.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedtui.core.engine.config import SweepConfig
from seedtui.core.engine.procs import owns_process
from seedtui.core.engine.slots import Slot
from seedtui.core.engine.trainer_command import trainer_argv
from seedtui.log import EVENTS_FILE, STDERR_FILE, trial_id
from seedtui.log.files import STOP_REQUEST_FILE, failed_events_name, failed_stderr_name, trial_dir
from seedtui.log.launch_records import read_launch_record, read_stop_request, write_launch_record
from seedtui.state.liveness import process_alive


@dataclass
class TrialProcess:
    """A trial process this supervisor launched (``popen`` set) or adopted after a restart."""

    trial_id: str
    directory: Path
    pid: int
    pgid: int
    slot: Slot | None
    started: float
    resume: bool
    popen: subprocess.Popen[bytes] | None = None
    stop_by: str | None = None
    """Who asked it to stop (set when SIGTERM was sent)."""
    stop_reason: str = ""
    term_sent_at: float | None = None
    kill_sent: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def exit_code(self) -> int | None:
        """The exit code once the process is gone (None while it runs; -1 if unknown)."""
        if self.popen is not None:
            return self.popen.poll()
        return None if process_alive(self.pid) else -1

    def is_ours(self) -> bool:
        """Whether the pid is still this trial's process (checked before every signal)."""
        if self.popen is not None and self.popen.poll() is not None:
            return False
        return owns_process(self.pid, pgid=self.pgid, marker=str(self.directory))


def launch_trial(config: SweepConfig, wi_seed: int, do_seed: int, slot: Slot, *,
                 stop_at_fraction: float | None = None, resume: bool = False) -> TrialProcess:
    """Start the trainer for one trial and record the launch in ``launch.json``."""
    directory = trial_dir(config.sweep_dir, trial_id(wi_seed, do_seed))
    directory.mkdir(parents=True, exist_ok=True)
    (directory / STOP_REQUEST_FILE).unlink(missing_ok=True)  # a request from an earlier run
    argv = trainer_argv(config, wi_seed, do_seed, directory, device=slot.device,
                        stop_at_fraction=stop_at_fraction, resume=resume)
    with open(directory / STDERR_FILE, "ab") as stderr:
        popen = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
            env=slot.environment(), start_new_session=True, close_fds=True,
        )
    process = TrialProcess(
        trial_id=trial_id(wi_seed, do_seed), directory=directory, pid=popen.pid, pgid=popen.pid,
        slot=slot, started=time.time(), resume=resume, popen=popen,
    )
    record = {
        "pid": popen.pid, "pgid": popen.pid, "host": socket.gethostname(), "t": process.started,
        "slot": slot.index, "slot_label": slot.label, "resume": resume,
        "stop_at_fraction": stop_at_fraction, "argv": argv, "supervisor_pid": os.getpid(),
    }
    try:
        write_launch_record(directory, record)
    except OSError:
        # a full disk: without its record no restarted supervisor could adopt or stop it
        popen.kill()
        popen.wait()
        raise
    return process


def adopt_trial(directory: Path) -> TrialProcess | None:
    """The trial process recorded in ``launch.json`` if it still runs here, else None."""
    record = read_launch_record(directory)
    if record is None or record.get("host") != socket.gethostname():
        return None
    pid, pgid = int(record.get("pid", 0)), int(record.get("pgid", 0))
    if not owns_process(pid, pgid=pgid, marker=str(directory)):
        return None
    process = TrialProcess(
        trial_id=directory.name, directory=directory, pid=pid, pgid=pgid, slot=None,
        started=float(record.get("t", time.time())), resume=bool(record.get("resume")),
        extra={"slot": record.get("slot")},
    )
    request = read_stop_request(directory)  # a stop the previous supervisor asked for: keep escalating it
    if request is not None and "by" in request:
        process.stop_by, process.stop_reason = str(request["by"]), str(request.get("reason", ""))
        process.term_sent_at = time.time()
    return process


def move_failed_log_aside(directory: Path) -> int:
    """Rename a failed trial's log and stderr to ``events.failed-<n>.jsonl`` / ``stderr.failed-<n>.log``
    so its re-run starts a clean log; returns n."""
    n = 1
    while any((directory / name).exists() for name in (failed_events_name(n), failed_stderr_name(n))):
        n += 1
    if (directory / EVENTS_FILE).exists():
        (directory / EVENTS_FILE).replace(directory / failed_events_name(n))
    if (directory / STDERR_FILE).exists():
        (directory / STDERR_FILE).replace(directory / failed_stderr_name(n))
    return n
