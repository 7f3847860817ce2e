"""How the supervisor settles trials that exited: the ``end`` a trainer could not write itself, the
slot it frees, its checkpoint once its fate is final, and a re-queue (log moved aside, run again
from its start) when it must start over: a resume whose checkpoint is gone, a node lost on Ray, a
trial the sweep's stop interrupted before it could checkpoint.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from seedtui.core.engine.backend import TrialHandle
from seedtui.core.engine.launcher import move_failed_log_aside
from seedtui.log import EVENTS_FILE, STDERR_FILE, read_events
from seedtui.log.files import delete_checkpoint
from seedtui.log.text_tail import last_line
from seedtui.state import SWEEP_STOP
from trainers.config import EXIT_BAD_INPUT

if TYPE_CHECKING:
    from seedtui.core.engine.supervisor import Supervisor


def reap(supervisor: Supervisor, exited: dict[str, int]) -> None:
    """Settle the trials that exited: their ``end`` (written when the trainer could not), their slot,
    their checkpoint (deleted once their fate is final), and a re-queue when they must start over."""
    for trial, code in exited.items():
        handle = supervisor.running.pop(trial)
        reader = supervisor.reader(trial)
        reader.poll(final=True)
        requeue = _end_of(supervisor, trial, handle, code)
        if handle.slot is not None:
            supervisor.pool.release(handle.slot)
        reader.poll(final=True)
        supervisor.discard_checkpoint_if_final(trial)
        where = supervisor.backend.where(handle)
        supervisor.log(f"{trial} ended {reader.state.status} on {where} (exit code {code})")
        requeue = requeue or supervisor.backend.requeue_reason(handle)
        if requeue is not None and (not supervisor.stopping or handle.stop_by == SWEEP_STOP):
            n = supervisor.writes.produce("a failed log aside",
                                          partial(move_failed_log_aside, supervisor.trial_dir(trial)))
            if n is None:
                continue  # its log stays; the next run's recovery moves it
            delete_checkpoint(supervisor.trial_dir(trial))  # it starts over: an older checkpoint is stale
            supervisor.read_again(trial)
            supervisor.log(f"{trial} re-queued ({requeue}); its log is kept as events.failed-{n}.jsonl")


def _end_of(supervisor: Supervisor, trial: str, handle: TrialHandle, code: int) -> str | None:
    """Write the ``end`` a trainer that exited did not write itself; returns why the trial should
    run again from its start, if it should."""
    ends = [e for e in read_events(supervisor.trial_dir(trial) / EVENTS_FILE,
                                   int(handle.extra.get("log_offset", 0)), final=True).events
            if e.get("event") == "end"]
    last_end = ends[-1] if ends else None
    if handle.stop_by == SWEEP_STOP:
        return _end_of_interrupted(supervisor, trial, last_end)
    if handle.stop_by is not None and (last_end is None or last_end.get("status") == "suspended"):
        supervisor.append_end(trial, "stopped", by=handle.stop_by, reason=handle.stop_reason)
        return None
    if last_end is not None:
        return None
    if code == 0 and supervisor.config.trainer.command is not None:
        # a command-template script need not log: its exit code says how it ended
        supervisor.append_end(trial, "completed",
                              reason="the command exited with code 0 without an end event")
        return None
    detail = last_line(supervisor.trial_dir(trial) / STDERR_FILE) or f"see {STDERR_FILE}"
    supervisor.append_end(trial, "failed", reason=f"the trainer exited with code {code} without an end "
                                              f"event: {detail}")
    if code != EXIT_BAD_INPUT or supervisor.stopping:
        return None
    if handle.extra.get("resume"):
        # its checkpoint is missing or unreadable: this trial starts over, the sweep goes on
        return f"it could not resume ({detail})"
    supervisor.log(f"the trainer rejected its input ({detail}); no more trials are launched. Fix the config "
             "and run it again.")
    supervisor.stopping = True
    return None


def _end_of_interrupted(supervisor: Supervisor, trial: str, last_end: dict[str, Any] | None) -> str | None:
    """A trial the sweep's stop ended: kept when it suspended (its checkpoint continues it on the
    next run) or reached another end on its own; re-queued from its start when it could not
    checkpoint (no ``end``: killed after the grace period; or ``stopped``: a trainer that cannot
    suspend)."""
    if last_end is not None and last_end.get("status") != "stopped":
        return None
    if last_end is None:
        supervisor.append_end(trial, "stopped", by=SWEEP_STOP, reason="the sweep was stopped before it could "
                                                                "checkpoint")
    return "the sweep was stopped before it could checkpoint; the next run starts it over"
