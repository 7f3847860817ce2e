"""A (re)starting supervisor rebuilds everything it knows from the sweep directory.

Trial logs, launch records (through the backend), ``decisions.jsonl`` and the previous
``supervisor.json`` say it all, so after a crash or ``kill -9`` the next supervisor adopts the
trials still running, keeps finished ones, resumes suspended ones, runs failed and lost ones again
and carries out stop decisions that were logged but not yet applied.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seedtui.core.engine.launcher import move_failed_log_aside
from seedtui.log import EVENTS_FILE
from seedtui.log.decisions import read_decisions
from seedtui.log.events import run_start_offset
from seedtui.log.files import CONTROL_FILE, SUPERVISOR_STATE_FILE, failed_events_name
from seedtui.log.jsonl import file_size
from seedtui.log.supervisor_state import read_state, validate_supervisor_state

if TYPE_CHECKING:
    from seedtui.core.engine.supervisor import Supervisor


def previous_state(sweep_dir: Path, log: Callable[[str], None]) -> tuple[dict[str, Any], int]:
    """The last supervisor's ``supervisor.json`` and the ``control.jsonl`` offset to read from.

    No state (a new sweep): read every command, including those sent before this start. A state
    that breaks its schema (edited by hand, written by something else) is ignored, and the commands
    already in ``control.jsonl`` are taken as read: re-running them could stop trials twice."""
    state = read_state(sweep_dir)
    if state is None:
        return {}, 0
    problems = validate_supervisor_state(state)
    if problems:
        log(f"ignoring the previous {SUPERVISOR_STATE_FILE} ({'; '.join(problems)}); commands already in "
            f"{CONTROL_FILE} are not run again")
        return {}, file_size(Path(sweep_dir) / CONTROL_FILE)
    return state, int(state.get("control_offset", 0))


def rebuild(supervisor: Supervisor) -> None:
    """Adopt running trials, read every log, restore the policies' state, finish pending stops."""
    adoption = supervisor.backend.adopt(list(supervisor.plan.trial_ids))
    for trial, reason in adoption.lost.items():
        supervisor.log(f"{trial}: {reason}")
    for trial in supervisor.plan.trial_ids:
        handle = adoption.running.get(trial)
        if handle is not None:
            pool = supervisor.pool
            handle.slot = pool.hold(int(handle.extra.get("slot") or 0), trial) or pool.acquire(trial)
            # from where this run began, not the log's end: the trainer may have written its end
            # event already and be exiting (its end must count when it is reaped)
            handle.extra["log_offset"] = run_start_offset(supervisor.trial_dir(trial) / EVENTS_FILE)
            supervisor.running[trial] = handle
            supervisor.log(f"adopted {trial} (pid {handle.pid}), still running")
        state = supervisor.reader(trial).state
        if trial not in supervisor.running and state.status == "stopped" and state.interrupted:
            # the sweep's stop ended it before it could checkpoint, and no supervisor re-queued it
            n = move_failed_log_aside(supervisor.trial_dir(trial))
            supervisor.log(f"{trial} was interrupted by the sweep's stop without a checkpoint: log moved to "
                           f"{failed_events_name(n)}, it runs again from its start")
            supervisor.read_again(trial)
        elif (trial not in supervisor.running and state.status in ("running", "failed")
                and supervisor.backend.orphan_is_lost(state)):
            n = move_failed_log_aside(supervisor.trial_dir(trial))
            supervisor.log(f"{trial} had failed (or lost its process): log moved to {failed_events_name(n)}")
            supervisor.read_again(trial)
    _restore_policies(supervisor)
    tfp = supervisor.plan.tfp
    for trial, handle in supervisor.running.items():
        # an adopted cohort trial still on its way to the milestone will write a checkpoint there
        # (what [resources] max_checkpoint_gb counts before the next launch)
        handle.extra["writes_checkpoint"] = bool(tfp is not None and tfp.decides and not tfp.decided
                                                 and trial in tfp.cohort)


def _restore_policies(supervisor: Supervisor) -> None:
    decisions = read_decisions(supervisor.sweep_dir)
    plan = supervisor.plan
    if plan.tfp is not None:
        tfp = plan.tfp
        mine = [d for d in decisions if d.get("rule") == "tfp" and abs(float(d["rung"]) - tfp.f) < 1e-9
                and d.get("trial") in tfp.cohort]
        tfp.decided = bool(mine)
        supervisor.promoted = {d["trial"] for d in mine if d["action"] == "promote"}
    if plan.asha is not None:
        plan.asha.restore(decisions, greater_is_better=supervisor.greater_is_better())
    if plan.divergence is not None:
        plan.divergence.flagged = {d["trial"] for d in decisions if d.get("rule") == "divergence"}
    # stops decided before a crash but not carried out
    for decision in decisions:
        if decision.get("action") == "stop" and decision.get("trial") in supervisor.trials:
            state = supervisor.reader(decision["trial"]).state
            if state.status in ("running", "suspended"):
                supervisor.stop_trial(decision["trial"], by=str(decision["rule"]),
                                      reason=str(decision["reason"]))
