"""The supervisor: one detached process that owns a sweep until every planned trial has ended.

It launches trials into free slots, follows their logs, applies the policies, and obeys the
commands clients append to ``control.jsonl``. Everything it knows it can rebuild from the sweep
directory (trial logs, ``launch.json`` records, ``decisions.jsonl``, its own ``supervisor.json``),
so after a crash ``seedtui run`` starts a new one that adopts trials still running, keeps the
finished ones, resumes suspended ones and runs failed and missing ones again.

Run as ``python -m seedtui.core.engine.supervisor SWEEP_DIR`` (``launch_detached`` does this).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

from seedtui.core.engine.config import ConfigError, load_sweep_config, validate_tfp
from seedtui.core.engine.control import read_commands, read_state, write_state
from seedtui.core.engine.decisions import Decision, append_decision, read_decisions
from seedtui.core.engine.launcher import (
    TrialProcess,
    adopt_trial,
    last_line,
    launch_trial,
    log_size,
    move_failed_log_aside,
    write_stop_request,
)
from seedtui.core.engine.plan import make_plan, tfp_override
from seedtui.core.engine.policies.divergence import divergence_decision, flag_diverging
from seedtui.core.engine.procs import SIGKILL, SIGTERM, acquire_lock, signal_group
from seedtui.core.engine.ray_backend import RayOptions, RayTrialProcess
from seedtui.core.engine.slots import Slot, SlotPool, make_slots
from seedtui.core.engine.summary import write_summary
from seedtui.log import EVENTS_FILE, STDERR_FILE, TRIALS_DIR, append_event, read_events
from seedtui.state import TrialLogReader, TrialState

LOCK_FILE = "supervisor.lock"
# re-write supervisor.json at least this often, so remote clients see a fresh heartbeat
HEARTBEAT_S = 2.0


def log(message: str) -> None:
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}", flush=True)


class Supervisor:
    def __init__(self, sweep_dir: Path, *, poll_s: float = 0.5) -> None:
        self.sweep_dir = Path(sweep_dir).resolve()
        self.config = load_sweep_config(self.sweep_dir / "sweep.toml")
        self.poll_s = poll_s
        previous = read_state(self.sweep_dir) or {}
        self.control_offset = int(previous.get("control_offset", 0))
        self.paused = bool(previous.get("paused", False))
        self.override: dict[str, Any] | None = previous.get("policy_override")
        if self.override is not None and self.override.get("config_policy") != self.config.policy.rule:
            self.override = None  # the config was edited since: it wins over an old apply_tfp
        self.plan = make_plan(self.config, self.override)
        self.ray: RayOptions | None = None
        """Set when the trials run on a Ray cluster (``[resources] backend = "ray"``)."""
        if self.config.resources.backend == "ray":
            from seedtui.core.engine.ray_backend import cluster_capacity, connect

            self.ray = RayOptions.from_resources(self.config.resources)
            connect(self.ray.address)
            # as many as the alive nodes fit; more only if asked (Ray queues them: autoscalers)
            count = max(cluster_capacity(self.ray), self.config.resources.max_concurrent)
            self.pool = SlotPool([Slot(index=i, gpu=None) for i in range(count)])
        else:
            self.pool = SlotPool(make_slots(self.config.resources))
        self.readers: dict[str, TrialLogReader] = {}
        self.processes: dict[str, TrialProcess | RayTrialProcess] = {}
        self.promoted: set[str] = set()
        self.stopping = False
        self.signalled: str | None = None
        """Name of a stop signal received; handled at the next step, not inside the handler."""
        self.started = time.time()
        self._last_state_write = 0.0
        self._rebuild()

    # --- rebuilding from the directory ---------------------------------------------------------
    def trial_dir(self, trial: str) -> Path:
        return self.sweep_dir / TRIALS_DIR / trial

    def _reader(self, trial: str) -> TrialLogReader:
        reader = TrialLogReader(self.trial_dir(trial) / EVENTS_FILE)
        reader.poll()
        return reader

    def _rebuild(self) -> None:
        attached: dict[str, RayTrialProcess] = {}
        if self.ray is not None:
            from seedtui.core.engine.ray_backend import reattach_trials

            attached, lost = reattach_trials(self.sweep_dir)
            for trial, reason in lost.items():
                log(f"{trial}: {reason}")
        for trial in self.plan.trial_ids:
            process: TrialProcess | RayTrialProcess | None = (
                attached.get(trial) if self.ray is not None else adopt_trial(self.trial_dir(trial)))
            if process is not None:
                slot = self.pool.hold(int(process.extra.get("slot") or 0), trial) or self.pool.acquire(trial)
                process.slot = slot
                # from where this run began, not the log's end: the trainer may have written its end
                # event already and be exiting (its end must count when it is reaped)
                process.extra["log_offset"] = _run_start_offset(self.trial_dir(trial) / EVENTS_FILE)
                self.processes[trial] = process
                log(f"adopted {trial} (pid {process.pid}), still running")
            reader = self._reader(trial)
            if trial not in self.processes and reader.state.status in ("running", "failed"):
                if self.ray is not None or not _ran_elsewhere(reader.state):
                    n = move_failed_log_aside(self.trial_dir(trial))
                    log(f"{trial} had failed (or lost its process): log moved to events.failed-{n}.jsonl")
                    reader = self._reader(trial)
            self.readers[trial] = reader
        decisions = read_decisions(self.sweep_dir)
        if self.plan.tfp is not None:
            tfp = self.plan.tfp
            mine = [d for d in decisions if d.get("rule") == "tfp" and abs(float(d["rung"]) - tfp.f) < 1e-9
                    and d.get("trial") in tfp.cohort]
            tfp.decided = bool(mine)
            self.promoted = {d["trial"] for d in mine if d["action"] == "promote"}
        if self.plan.asha is not None:
            self.plan.asha.restore(decisions, greater_is_better=self._greater_is_better())
        if self.plan.divergence is not None:
            self.plan.divergence.flagged = {d["trial"] for d in decisions if d.get("rule") == "divergence"}
        # stops decided before a crash but not carried out
        for decision in decisions:
            if decision.get("action") == "stop" and decision.get("trial") in self.readers:
                state = self.readers[decision["trial"]].state
                if state.status in ("running", "suspended"):
                    self.stop_trial(decision["trial"], by=str(decision["rule"]),
                                    reason=str(decision["reason"]))

    def _greater_is_better(self) -> bool:
        for reader in self.readers.values():
            if reader.state.start is not None:
                return reader.state.greater_is_better
        return True

    # --- the loop --------------------------------------------------------------------------------
    def run(self) -> int:
        log(f"supervising {self.sweep_dir} ({len(self.plan.trial_ids)} of {self.plan.grid_size} grid trials "
            f"planned, {len(self.pool.slots)} slots: {', '.join(s.label for s in self.pool.slots)})")
        self.write_state(force=True)
        while True:
            if self.step():
                break
            time.sleep(self.poll_s)
        failed = [t for t, r in self.readers.items() if r.state.status == "failed"]
        exit_code = 1 if failed else 0
        state = "stopped" if self.stopping else "finished"
        write_summary(self.sweep_dir, self.config, self.plan, self.states())
        self.write_state(force=True, state=state, exit_code=exit_code)
        log(f"sweep {state}" + (f"; failed: {', '.join(failed)}" if failed else ""))
        return exit_code

    def step(self) -> bool:
        """One round; True when the sweep is over."""
        if self.signalled is not None and not self.stopping:
            self.handle({"action": "stop_sweep", "id": self.signalled})
        for command in self._new_commands():
            self.handle(command)
        for process in self.processes.values():
            if isinstance(process, RayTrialProcess):
                process.pump()  # copies the new lines of its log into the sweep dir
        for reader in self.readers.values():
            reader.poll()
        self._reap()
        self._escalate()
        if not self.stopping:
            self._apply_policies()
            if not self.paused:
                self._launch_ready()
        self.write_state()
        return not self.processes and (self.stopping or not self._launchable_exists())

    def states(self) -> dict[str, TrialState]:
        return {trial: reader.state for trial, reader in self.readers.items()}

    # --- launching -------------------------------------------------------------------------------
    def _next_launch(self, trial: str) -> tuple[float | None, bool] | None:
        """(stop_at_fraction, resume) if ``trial`` should be launched now, else None."""
        if trial in self.processes:
            return None
        status = self.readers[trial].state.status
        tfp = self.plan.tfp
        if status == "queued":
            undecided_cohort = tfp is not None and not tfp.decided and trial in tfp.cohort
            return (tfp.f if undecided_cohort and tfp is not None else None), False
        if status == "suspended":
            if tfp is not None and trial in tfp.cohort and trial not in self.promoted:
                return None  # waits at its milestone for the t/f/p decision
            return None, True
        return None

    def _launchable_exists(self) -> bool:
        return any(self._next_launch(trial) is not None for trial in self.plan.trial_ids)

    def _launch_ready(self) -> None:
        for trial in self.plan.trial_ids:
            if self.pool.free_count == 0:
                return
            launch = self._next_launch(trial)
            if launch is None:
                continue
            slot = self.pool.acquire(trial)
            assert slot is not None
            stop_at_fraction, resume = launch
            wi, do = self.plan.seeds[trial]
            offset = log_size(self.trial_dir(trial))
            process: TrialProcess | RayTrialProcess
            if self.ray is not None:
                from seedtui.core.engine.ray_backend import launch_trial_on_ray

                process = launch_trial_on_ray(self.config, wi, do, stop_at_fraction=stop_at_fraction,
                                              resume=resume, options=self.ray)
                process.slot = slot
                where = f"Ray actor {process.actor_name}"
            else:
                process = launch_trial(self.config, wi, do, slot, stop_at_fraction=stop_at_fraction,
                                       resume=resume)
                where = f"{slot.label} (pid {process.pid})"
            process.extra["log_offset"] = offset
            self.processes[trial] = process
            what = "started" if stop_at_fraction is None else f"started to f={stop_at_fraction:g}"
            what = "resumed" if resume else what
            log(f"{trial} {what} on {where}")

    # --- processes ending --------------------------------------------------------------------------
    def _reap(self) -> None:
        for trial, process in list(self.processes.items()):
            code = process.exit_code()
            if code is None:
                continue
            reader = self.readers[trial]
            reader.poll(final=True)
            ends = [e for e in read_events(self.trial_dir(trial) / EVENTS_FILE,
                                           int(process.extra.get("log_offset", 0)), final=True).events
                    if e.get("event") == "end"]
            last_end = ends[-1] if ends else None
            if process.stop_by is not None and (last_end is None or last_end.get("status") == "suspended"):
                self._append_end(trial, "stopped", by=process.stop_by, reason=process.stop_reason)
            elif last_end is None:
                detail = last_line(self.trial_dir(trial) / STDERR_FILE) or "see stderr.log"
                self._append_end(trial, "failed", reason=f"the trainer exited with code {code} without "
                                                          f"an end event: {detail}")
                if code == 2 and not self.stopping:
                    # bad flags or data: every trial of this config would fail the same way
                    log(f"the trainer rejected its input ({detail}); no more trials are launched. Fix the "
                        "config and run it again.")
                    self.stopping = True
            del self.processes[trial]
            if process.slot is not None:
                self.pool.release(process.slot)
            reader.poll(final=True)
            where = f" on node {process.node}" if isinstance(process, RayTrialProcess) else ""
            log(f"{trial} ended {reader.state.status}{where} (exit code {code})")
            if (isinstance(process, RayTrialProcess) and process.node_lost and self.ray is not None
                    and self.ray.requeue_on_node_failure and not self.stopping):
                n = move_failed_log_aside(self.trial_dir(trial))
                self.readers[trial] = self._reader(trial)
                log(f"{trial} re-queued ({process.failure_reason}); its log is kept as "
                    f"events.failed-{n}.jsonl")

    def _append_end(self, trial: str, status: str, *, reason: str, by: str | None = None) -> None:
        state = self.readers[trial].state
        fields: dict[str, Any] = {"status": status, "step": state.last_step, "reason": reason,
                                  "written_by": "supervisor"}
        if by is not None:
            fields["by"] = by
        best = state.best_score()
        if best is not None:
            fields["best_score"] = best
        self.trial_dir(trial).mkdir(parents=True, exist_ok=True)
        append_event(self.trial_dir(trial) / EVENTS_FILE, "end", **fields)
        self.readers[trial].poll(final=True)

    def _escalate(self) -> None:
        grace = self.config.resources.kill_grace_s
        for trial, process in self.processes.items():
            if process.term_sent_at is None or process.kill_sent:
                continue
            if time.time() - process.term_sent_at >= grace and process.is_ours():
                log(f"{trial} did not stop within {grace:g}s: SIGKILL to its process group")
                _signal(process, SIGKILL)
                process.kill_sent = True

    # --- stopping ----------------------------------------------------------------------------------
    def stop_trial(self, trial: str, *, by: str, reason: str) -> bool:
        """Stop one of this sweep's trials, whatever state it is in; False if there was nothing to stop."""
        if trial not in self.readers:
            log(f"ignored a stop of {trial}: not a trial of this sweep")
            return False
        process = self.processes.get(trial)
        if process is not None:
            if process.stop_by is not None:
                return True
            if not process.is_ours():
                log(f"not signalling {trial}: pid {process.pid} is no longer its process")
                return False
            write_stop_request(process.directory, by=by, reason=reason)
            process.stop_by, process.stop_reason = by, reason
            process.term_sent_at = time.time()
            _signal(process, SIGTERM)
            log(f"{trial}: SIGTERM sent ({by}: {reason})")
            return True
        status = self.readers[trial].state.status
        if status in ("queued", "suspended"):
            self._append_end(trial, "stopped", by=by, reason=reason)
            log(f"{trial} ({status}) marked stopped ({by}: {reason})")
            return True
        return False

    def _apply_policies(self) -> None:
        states = self.states()
        decisions: list[Decision] = []
        if self.plan.tfp is not None:
            decisions += self.plan.tfp.decide(states)
        if self.plan.asha is not None:
            decisions += self.plan.asha.observe([states[t] for t in self.plan.trial_ids
                                                 if states[t].start is not None])
        if self.plan.divergence is not None:
            decisions += self.plan.divergence.observe([states[t] for t in self.plan.trial_ids])
        for decision in decisions:
            append_decision(self.sweep_dir, decision)
            log(f"{decision.rule}: {decision.action} {decision.trial} ({decision.reason})")
            if decision.action == "promote":
                self.promoted.add(decision.trial)
            elif decision.action == "stop":
                self.stop_trial(decision.trial, by=decision.rule, reason=decision.reason)

    # --- commands ----------------------------------------------------------------------------------
    def _new_commands(self) -> list[dict[str, Any]]:
        commands, self.control_offset = read_commands(self.sweep_dir, self.control_offset)
        return commands

    def handle(self, command: dict[str, Any]) -> None:
        action = command["action"]
        log(f"command {command.get('id')}: {action} {_args(command)}")
        if action == "kill":
            self.stop_trial(str(command.get("trial")), by=str(command.get("by") or "user"),
                            reason=str(command.get("reason") or "stopped by the user"))
        elif action == "kill_diverged":
            min_fraction = float(command.get("min_fraction") or (
                self.config.policy.divergence.min_fraction if self.config.policy.divergence else 0.3))
            states = self.states()
            for trial in flag_diverging(list(states.values()), min_fraction=min_fraction):
                decision = divergence_decision(states[trial], min_fraction, rule="divergence")
                append_decision(self.sweep_dir, decision)
                self.stop_trial(trial, by="user", reason=f"kill_diverged: {decision.reason}")
        elif action == "apply_tfp":
            self._apply_tfp(command)
        elif action in ("pause", "resume"):
            self.paused = action == "pause"
            self.write_state(force=True)
        elif action == "stop_sweep":
            self.stopping = True
            for trial in list(self.processes):
                self.stop_trial(trial, by="user", reason="the sweep was stopped")
        else:
            log(f"ignored unknown command {action!r}")

    def _apply_tfp(self, command: dict[str, Any]) -> None:
        try:
            tfp = validate_tfp(int(command["t"]), float(command["f"]), int(command["p"]),
                               grid_size=len(self.plan.trial_ids), prefix="apply_tfp")
        except (ConfigError, KeyError, TypeError, ValueError) as error:
            log(f"ignored apply_tfp: {error}")
            return
        override = tfp_override(tfp, self.plan, self.states(), self.config.policy.order_seed)
        override["config_policy"] = self.config.policy.rule
        self.override = override
        divergence = self.plan.divergence
        self.plan = make_plan(self.config, override)
        self.plan.divergence = divergence
        self.promoted = set()
        self.write_state(force=True)
        log(f"t/f/p applied: cohort {', '.join(override['cohort'])}")

    # --- state file ---------------------------------------------------------------------------------
    def write_state(self, *, force: bool = False, state: str = "running",
                    exit_code: int | None = None) -> None:
        now = time.time()
        if not force and now - self._last_state_write < HEARTBEAT_S:
            return
        self._last_state_write = now
        write_state(self.sweep_dir, {
            "pid": os.getpid(), "host": socket.gethostname(), "started": self.started, "heartbeat": now,
            "state": state, "paused": self.paused, "stopping": self.stopping, "exit_code": exit_code,
            "control_offset": self.control_offset, "policy_override": self.override,
            "planned": list(self.plan.trial_ids), "grid_size": self.plan.grid_size,
            "slots": [s.label for s in self.pool.slots],
            "running": {t: p.pid for t, p in self.processes.items()},
            "backend": self.config.resources.backend,
            "nodes": {t: p.node for t, p in self.processes.items() if isinstance(p, RayTrialProcess)},
        })


def _args(command: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in command.items() if k not in ("t", "id", "action"))


def _signal(process: TrialProcess | RayTrialProcess, signum: int) -> bool:
    """Signal a trial's process group, here or (through its actor) on its Ray node."""
    if isinstance(process, RayTrialProcess):
        return process.signal(signum)
    return signal_group(process.pgid, signum)


def _run_start_offset(path: Path) -> int:
    """Byte offset of the log's last ``start`` or ``resume`` line: where the running trainer's
    events begin (0 when there is none)."""
    try:
        data = path.read_bytes()
    except OSError:
        return 0
    offset = position = 0
    for line in data.splitlines(keepends=True):
        if b'"start"' in line or b'"resume"' in line:  # cheap filter before parsing
            try:
                event = json.loads(line)
            except ValueError:
                event = None
            if isinstance(event, dict) and event.get("event") in ("start", "resume"):
                offset = position
        position += len(line)
    return offset


def _ran_elsewhere(state: TrialState) -> bool:
    return state.start is not None and state.start.get("host") not in (None, socket.gethostname())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m seedtui.core.engine.supervisor SWEEP_DIR", file=sys.stderr)
        return 2
    sweep_dir = Path(args[0]).resolve()
    if acquire_lock(sweep_dir / LOCK_FILE) is None:
        log(f"another supervisor holds {sweep_dir / LOCK_FILE}; exiting")
        return 3
    try:
        supervisor = Supervisor(sweep_dir)
    except ConfigError as error:
        log(f"bad sweep configuration: {error}")
        return 2

    def on_signal(signum: int, _frame: object) -> None:
        # SIGTERM/SIGINT: stop the trials and end cleanly; SIGHUP (a dropped terminal) is ignored
        supervisor.signalled = signal.Signals(signum).name

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    return supervisor.run()



def __getattr__(name: str) -> Any:
    if name == "launch_detached":
        from seedtui.core.engine.detach import launch_detached

        return launch_detached
    raise AttributeError(name)


if __name__ == "__main__":
    sys.exit(main())
