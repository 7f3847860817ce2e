"""Every file name of a sweep directory, in one place, with the path helpers that join them.

A sweep directory looks like this (``docs/log-format.md`` describes each file)::

    SWEEP_DIR/
      sweep.toml              the resolved config the supervisor runs
      supervisor.json         the supervisor's state and heartbeat
      supervisor.log          the detached supervisor's stdout and stderr
      supervisor.lock         held by the one running supervisor
      control.jsonl           commands from clients (seedtui.log.control)
      control-replies.jsonl   the supervisor's answers to them
      decisions.jsonl         every policy decision (t/f/p, divergence, ASHA)
      summary.json            the headless run's summary
      trials/<trial_id>/
        events.jsonl          the trial's event log (seedtui.log.events)
        stderr.log            the trainer's stderr
        events.failed-<n>.jsonl, stderr.failed-<n>.log   a failed run's log, moved aside
        launch.json           how and where the local launcher started it
        ray.json              where the Ray backend placed it
        stop_request.json     a graceful stop request for the trainer
        checkpoint/checkpoint.pt   the suspend/resume checkpoint

Nothing else in seedtui or trainers spells one of these names: they import them from here, so a
rename is one edit and a reader can never look for a file under a name the writer does not use.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

# --- the sweep directory ---
SWEEP_CONFIG_FILE = "sweep.toml"
SUPERVISOR_STATE_FILE = "supervisor.json"
SUPERVISOR_LOG_FILE = "supervisor.log"
SUPERVISOR_LOCK_FILE = "supervisor.lock"
CONTROL_FILE = "control.jsonl"
CONTROL_REPLIES_FILE = "control-replies.jsonl"
DECISIONS_FILE = "decisions.jsonl"
SUMMARY_FILE = "summary.json"
TRIALS_DIR = "trials"

# --- one trial's directory ---
EVENTS_FILE = "events.jsonl"
STDERR_FILE = "stderr.log"
LAUNCH_FILE = "launch.json"
RAY_RECORD_FILE = "ray.json"
STOP_REQUEST_FILE = "stop_request.json"
CHECKPOINT_DIR = "checkpoint"
CHECKPOINT_FILE = "checkpoint.pt"

_TRIAL_ID = re.compile(r"^wi(-?\d+)-do(-?\d+)$")

PathLike = str | os.PathLike[str]


def trial_id(wi_seed: int, do_seed: int) -> str:
    """The directory name and ``trial`` field of the trial with these seeds, e.g. ``wi7-do12``."""
    return f"wi{wi_seed}-do{do_seed}"


def parse_trial_id(name: str) -> tuple[int, int] | None:
    """``(wi_seed, do_seed)`` of a trial id such as ``wi7-do12``, or None if it is not one."""
    match = _TRIAL_ID.match(name)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2))


def failed_events_name(n: int) -> str:
    """``events.failed-<n>.jsonl``: the log of a failed run, moved aside before its re-run."""
    return f"events.failed-{n}.jsonl"


def failed_stderr_name(n: int) -> str:
    """``stderr.failed-<n>.log``: the stderr of a failed run, moved aside with its log."""
    return f"stderr.failed-{n}.log"


def trials_dir(sweep_dir: PathLike) -> Path:
    """``SWEEP_DIR/trials``: one directory per trial below it."""
    return Path(sweep_dir) / TRIALS_DIR


def trial_dir(sweep_dir: PathLike, trial: str) -> Path:
    """``SWEEP_DIR/trials/<trial>``."""
    return Path(os.path.join(sweep_dir, TRIALS_DIR, trial))  # one Path built, not three (625 trials)


def events_path(sweep_dir: PathLike, trial: str) -> Path:
    """The event log of one trial of a sweep."""
    return Path(os.path.join(sweep_dir, TRIALS_DIR, trial, EVENTS_FILE))


def stderr_path(sweep_dir: PathLike, trial: str) -> Path:
    """The trainer's stderr of one trial of a sweep."""
    return trial_dir(sweep_dir, trial) / STDERR_FILE


def checkpoint_path(trial_directory: PathLike) -> Path:
    """``TRIAL_DIR/checkpoint/checkpoint.pt``: the one suspend/resume checkpoint of a trial."""
    return Path(trial_directory) / CHECKPOINT_DIR / CHECKPOINT_FILE


def delete_checkpoint(trial_directory: PathLike) -> None:
    """Remove a trial's suspend/resume checkpoint once its fate is final (the trainer when it
    completes, the supervisor when it stops a suspended trial): hundreds of MB each."""
    shutil.rmtree(Path(trial_directory) / CHECKPOINT_DIR, ignore_errors=True)


def is_sweep_dir(path: PathLike) -> bool:
    """Whether ``path`` holds a ``trials/`` directory, i.e. is a sweep directory."""
    return (Path(path) / TRIALS_DIR).is_dir()


def iter_event_files(root: PathLike) -> Iterator[Path]:
    """Every ``events.jsonl`` under ``root`` (a sweep dir, a trial dir, or any tree), sorted."""
    root_path = Path(root)
    if root_path.is_file():
        yield root_path
        return
    yield from sorted(root_path.rglob(EVENTS_FILE))
