"""How the supervisor carries out the commands clients append to ``control.jsonl``.

Every command gets an answer: ``done`` (with what was done, where that says more) or ``rejected``
with the reason. A command that breaks the rules of ``seedtui.log.control.command_problems`` (a
NaN fraction, a ``t`` of 1e999, an unknown action: written by hand or by an old client) is
rejected here like one the sweep cannot carry out (a trial it does not have): nothing a client
writes can stop the supervisor, and the offset always moves past the line.
"""

from __future__ import annotations

import traceback
from typing import TYPE_CHECKING

from seedtui.core.engine.config import ConfigError, validate_tfp
from seedtui.core.engine.plan import make_plan, tfp_override
from seedtui.core.engine.policies.divergence import divergence_decision, flag_diverging
from seedtui.log.control import ControlCommand, ControlReply, append_reply, command_problems

if TYPE_CHECKING:
    from seedtui.core.engine.supervisor import Supervisor

DEFAULT_DIVERGED_FRACTION = 0.3
"""``kill_diverged`` without ``min_fraction`` and without ``[policy.divergence]`` in the config."""


class Rejected(Exception):
    """Raised inside a handler: the command cannot be carried out, for the reason given."""


def answer(supervisor: Supervisor, command: ControlCommand) -> ControlReply:
    """Carry out one command and answer it in ``control-replies.jsonl`` (commands without an id,
    written by hand, are carried out unanswered)."""
    args = "".join(f" {k}={v}" for k, v in command.args.items())
    try:
        outcome, reason = "done", carry_out(supervisor, command)
    except Rejected as error:
        outcome, reason = "rejected", str(error)
    except Exception as error:  # a bug must not poison the sweep: the line would crash every restart
        traceback.print_exc()
        outcome = "rejected"
        reason = f"the supervisor failed to carry it out ({type(error).__name__}: {error})"
    supervisor.log(f"command {command.id or '(no id)'}: {command.action}{args}: {outcome}"
                   + (f": {reason}" if reason else ""))
    reply = ControlReply(id=command.id, action=command.action, outcome=outcome, reason=reason,
                         t=supervisor.clock.time())
    if command.id:
        supervisor.writes.attempt("control-replies.jsonl", lambda: append_reply(supervisor.sweep_dir, reply))
    return reply


def carry_out(supervisor: Supervisor, command: ControlCommand) -> str:
    """Carry out one command; returns what was done ("" when the action says it all). Raises
    ``Rejected`` with the reason when it cannot be carried out."""
    problems = command_problems(command.action, command.args)
    if problems:
        raise Rejected("; ".join(problems))
    args = command.args
    if command.action == "kill":
        why_not = supervisor.stop_trial(str(args["trial"]), by=str(args.get("by") or "user"),
                                        reason=str(args.get("reason") or "stopped by the user"))
        if why_not is not None:
            raise Rejected(why_not)
        return ""
    if command.action == "kill_diverged":
        return _kill_diverged(supervisor, args.get("min_fraction"))
    if command.action == "apply_tfp":
        return _apply_tfp(supervisor, int(args["t"]), float(args["f"]), int(args["p"]))
    if command.action in ("pause", "resume"):
        supervisor.paused = command.action == "pause"
        supervisor.write_state(force=True)
        return ""
    # stop_sweep
    supervisor.stop_sweep()
    return ""


def _kill_diverged(supervisor: Supervisor, min_fraction: float | None) -> str:
    if min_fraction is None:
        configured = supervisor.config.policy.divergence
        min_fraction = configured.min_fraction if configured is not None else DEFAULT_DIVERGED_FRACTION
    states = supervisor.states()
    stopped = []
    for trial in flag_diverging(list(states.values()), min_fraction=min_fraction):
        decision = divergence_decision(states[trial], min_fraction, rule="divergence")
        supervisor.record_decision(decision)
        if supervisor.stop_trial(trial, by="user", reason=f"kill_diverged: {decision.reason}") is None:
            stopped.append(trial)
    return f"stopped {', '.join(stopped)}" if stopped else "no trial is diverging"


def _apply_tfp(supervisor: Supervisor, t: int, f: float, p: int) -> str:
    config = supervisor.config
    try:
        tfp = validate_tfp(t, f, p, grid_size=len(supervisor.plan.trial_ids), evals=config.evals_per_trial,
                           prefix="apply_tfp")
    except (ConfigError, ValueError) as error:
        raise Rejected(str(error)) from None
    override = tfp_override(tfp, supervisor.plan, supervisor.states(), config.policy.order_seed,
                            launched=list(supervisor.running))
    override["config_policy"] = config.policy.rule
    supervisor.override = override
    divergence = supervisor.plan.divergence
    supervisor.plan = make_plan(config, override)
    supervisor.plan.divergence = divergence
    supervisor.promoted = set()
    supervisor.write_state(force=True)
    return f"t/f/p applied (f = {tfp.f:g}): cohort {', '.join(override['cohort'])}"
