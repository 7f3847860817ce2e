"""The supervisor: one detached process that owns a sweep until every planned trial has ended.

A state machine over two injected things: a backend (``backend.Backend``: local processes, Ray
actors, or a fake in tests) that starts and signals trials, and a clock (``clock.Clock``). Each
``step`` reads new commands, collects the trials that exited, follows the logs, escalates stops,
applies the policies and launches trials into free slots. Everything it knows it can rebuild from
the sweep directory (``supervisor_recovery``); commands are carried out in ``supervisor_commands``.

Run as ``python -m seedtui.core.engine.supervisor SWEEP_DIR`` (``launch_detached`` does this).
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from seedtui.core.engine.backend import Backend, LaunchRequest, TrialHandle, make_backend
from seedtui.core.engine.checkpoint_cap import CheckpointCap
from seedtui.core.engine.clock import SYSTEM_CLOCK, Clock
from seedtui.core.engine.config import ConfigError, load_sweep_config
from seedtui.core.engine.control import write_state
from seedtui.core.engine.plan import make_plan
from seedtui.core.engine.procs import SIGKILL, SIGTERM, acquire_lock
from seedtui.core.engine.slots import SlotPool
from seedtui.core.engine.summary import write_summary
from seedtui.core.engine.supervisor_commands import answer
from seedtui.core.engine.supervisor_reaping import reap
from seedtui.core.engine.supervisor_recovery import previous_state, rebuild
from seedtui.core.engine.supervisor_writes import WriteGuard, describe, end_partial_line
from seedtui.core.recording import keep_parsed_logs
from seedtui.log import EVENTS_FILE, append_event
from seedtui.log.control import command_from_record, command_tail
from seedtui.log.decisions import Decision, append_decision, decisions_path
from seedtui.log.files import SUPERVISOR_LOCK_FILE, SWEEP_CONFIG_FILE, delete_checkpoint
from seedtui.log.files import trial_dir as trial_directory
from seedtui.log.jsonl import file_size
from seedtui.log.launch_records import write_stop_request
from seedtui.log.trial_env import is_launcher_start
from seedtui.state import SWEEP_STOP, TrialLogReader, TrialState
from seedtui.state.follower import SweepFollower

LOCK_FILE = SUPERVISOR_LOCK_FILE
# re-write supervisor.json at least this often, so remote clients see a fresh heartbeat
HEARTBEAT_S = 2.0
SWEEP_STOP_GRACE_S = 120.0
"""The least time a trial the sweep's stop interrupted gets before SIGKILL (``kill_grace_s`` if
longer): finishing an evaluation and writing a BERT-large checkpoint with its AdamW state can take
longer than the 15 s a trial stopped for good gets, and a trial killed then starts over."""


class Supervisor:
    """Owns one sweep directory: ``run`` steps until every planned trial has ended.

    ``backend`` defaults to the one ``[resources] backend`` names (``make_backend``), ``clock`` to the
    system's; tests pass a ``FakeBackend`` and a ``FakeClock`` and call ``step`` or ``run`` in-process."""

    def __init__(self, sweep_dir: Path, *, backend: Backend | None = None, clock: Clock = SYSTEM_CLOCK,
                 poll_s: float = 0.5) -> None:
        self.sweep_dir = Path(sweep_dir).resolve()
        # every path handed to a trainer, a backend or a record is the resolved one, so a restarted
        # supervisor recognises its trials' command lines whichever symlink the sweep was reached by
        self.config = replace(load_sweep_config(self.sweep_dir / SWEEP_CONFIG_FILE), sweep_dir=self.sweep_dir)
        self.clock = clock
        self.poll_s = poll_s
        self.writes = WriteGuard(self.log, clock)
        """Every write of the supervisor goes through it: a full disk is logged, not fatal."""
        self.gave_up: tuple[str, int] | None = None
        """Why the supervisor stopped the sweep on its own (nothing could be written: exit 1; the
        checkpoint cap cannot be met: exit 2), and its exit code."""
        self.unwritten_decisions: list[Decision] = []
        """Decisions taken while ``decisions.jsonl`` could not be written: appended, in order, as
        soon as it can (the log is the only record of why a trial was stopped)."""
        previous, offset = previous_state(self.sweep_dir, self.log)
        self.commands = command_tail(self.sweep_dir, offset)
        self.paused = bool(previous.get("paused", False))
        self.override: dict[str, Any] | None = previous.get("policy_override")
        if self.override is not None and self.override.get("config_policy") != self.config.policy.rule:
            self.override = None  # the config was edited since: it wins over an old apply_tfp
        self.plan = make_plan(self.config, self.override)
        self.backend = backend if backend is not None else make_backend(self.config)
        self.checkpoint_cap = CheckpointCap(self.config.resources.max_checkpoint_gb, self.sweep_dir, self.log)
        self.pool = SlotPool(self.backend.slots())
        self.follower = SweepFollower(self.sweep_dir, settle=False, decisions=False, expected=())
        """Reads the trials' logs; the supervisor settles lost trials itself, from its backend."""
        self.trials: list[str] = list(self.plan.trial_ids)
        """The trials it follows: those planned when it started (``apply_tfp`` may plan fewer)."""
        self.running: dict[str, TrialHandle] = {}
        self.promoted: set[str] = set()
        self.stopping = False
        self.signalled: str | None = None
        """Name of a stop signal received; handled at the next step, not inside the handler."""
        self.started = clock.time()
        self._last_state_write = -HEARTBEAT_S
        rebuild(self)

    def log(self, message: str) -> None:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.clock.time()))
        try:
            print(f"{stamp} {message}", flush=True)
        except OSError:
            pass  # supervisor.log is on the full disk too: the line is lost, the sweep is not

    def trial_dir(self, trial: str) -> Path:
        return trial_directory(self.sweep_dir, trial)

    def reader(self, trial: str) -> TrialLogReader:
        """The reader of a followed trial's log (started on first use)."""
        reader = self.follower.reader(trial)
        if reader is None:
            self.follower.track(trial)
            reader = self.follower.reader(trial)
            assert reader is not None
            reader.poll()
        return reader

    def read_again(self, trial: str) -> TrialState:
        """Read a trial's log from its start (after its failed log was moved aside)."""
        self.follower.restart(trial)
        return self.reader(trial).state

    def states(self) -> dict[str, TrialState]:
        return {trial: self.reader(trial).state for trial in self.trials}

    def greater_is_better(self) -> bool:
        for state in self.states().values():
            if state.start is not None and not is_launcher_start(state.start):
                return state.greater_is_better
        return True

    # --- the loop --------------------------------------------------------------------------------
    def run(self) -> int:
        slots = ", ".join(s.label for s in self.pool.slots)
        self.log(f"supervising {self.sweep_dir} ({len(self.plan.trial_ids)} of {self.plan.grid_size} grid "
                 f"trials planned, {len(self.pool.slots)} slots: {slots})")
        self.write_state(force=True)
        while not self._guarded_step():
            self.clock.sleep(self.poll_s)
        failed = [t for t, s in self.states().items() if s.status == "failed"]
        exit_code = self.gave_up[1] if self.gave_up else 1 if failed else 0
        state = "stopped" if self.stopping else "finished"
        self.writes.attempt("summary.json", lambda: write_summary(self.sweep_dir, self.config, self.plan,
                                                                  self.states()))
        self.write_state(force=True, state=state, exit_code=exit_code)
        self.log(f"sweep {state}" + (f"; failed: {', '.join(failed)}" if failed else ""))
        if self.unwritten_decisions:
            self.log(f"{len(self.unwritten_decisions)} decision(s) could not be written to decisions.jsonl: "
                     + "; ".join(f"{d.action} {d.trial} ({d.reason})" for d in self.unwritten_decisions))
        if self.gave_up:
            self.log(self.gave_up[0])
        self._keep_parsed_logs()
        return exit_code

    def _keep_parsed_logs(self) -> None:
        """The sweep's logs parsed and kept for its replays (``keep_parsed_logs``; 625 trials: ~0.4 s
        of CPU once), after the sweep's end is written. The cache only ever saves time: whatever
        goes wrong there is one line here, never the sweep's failure."""
        try:
            keep_parsed_logs(self.sweep_dir)
        except Exception as error:  # noqa: BLE001 - a cache must not fail a finished sweep
            self.log(f"the parsed logs were not kept for replays ({type(error).__name__}: {error})")

    def _guarded_step(self) -> bool:
        """``step``, with any write failure it did not expect logged in one line instead of ending
        the supervisor (what is on disk stays valid; the next step tries again)."""
        try:
            return self.step()
        except OSError as error:
            self.writes.failed("to the sweep directory", error)
            # a step that still fails long after the sweep was stopped for it would never end
            return self.stopping and self.writes.failing_for() >= 2 * self.writes.limit_s

    def step(self) -> bool:
        """One round; True when the sweep is over."""
        if self.signalled is not None and not self.stopping:
            self.log(f"{self.signalled}: stopping the sweep")
            self.stop_sweep()
        if self.writes.given_up() and not self.stopping:
            self.give_up(f"nothing could be written to {self.sweep_dir} for {self.writes.limit_s:g} s "
                         f"({self.writes.last_failure}): the sweep was stopped; free space (or fix the "
                         f"permissions) and run it again (seedtui run {self.sweep_dir})", exit_code=1)
        self.write_decisions()
        for record in self.commands.poll():
            command = command_from_record(record)
            if command is not None:
                answer(self, command)
        exited = self.backend.poll(self.running)
        self.follower.poll(discover=False)
        reap(self, exited)
        self._escalate()
        if not self.stopping:
            self._apply_policies()
            if not self.paused:
                self._launch_ready()
        self.write_state()
        return not self.running and (self.stopping or not self._launchable_exists())

    def give_up(self, why: str, *, exit_code: int) -> None:
        """Stop the sweep on the supervisor's own account (``stop_sweep``: its trials are interrupted,
        not lost); ``why`` is its last line and ``exit_code`` its exit."""
        self.gave_up = (why, exit_code)
        self.log(why)
        self.stop_sweep()

    # --- launching -------------------------------------------------------------------------------
    def _next_launch(self, trial: str) -> tuple[float | None, bool] | None:
        """(stop_at_fraction, resume) if ``trial`` should be launched now, else None."""
        if trial in self.running:
            return None
        state = self.reader(trial).state
        status = state.status
        tfp = self.plan.tfp
        if status == "queued":
            undecided_cohort = tfp is not None and tfp.decides and not tfp.decided and trial in tfp.cohort
            return (tfp.f if undecided_cohort and tfp is not None else None), False
        if status == "suspended":
            undecided_cohort = (tfp is not None and tfp.decides and not tfp.decided and trial in tfp.cohort
                                and trial not in self.promoted)
            if state.interrupted:  # suspended by the sweep's stop on its way: it goes on where it was
                return (tfp.f if undecided_cohort and tfp is not None else None), True
            if tfp is not None and trial in tfp.cohort and trial not in self.promoted:
                return None  # waits at its milestone for the t/f/p decision
            return None, True
        return None

    def _checkpoint_fits(self) -> bool:
        """Whether a trial launched to its milestone may write its checkpoint under
        ``max_checkpoint_gb`` (``checkpoint_cap``); gives up when the wait could never end."""
        being_written = sum(1 for h in self.running.values() if h.extra.get("writes_checkpoint"))
        if self.checkpoint_cap.room_for_one_more(being_written):
            return True
        if not self.running:
            self.give_up(self.checkpoint_cap.why_stuck(), exit_code=2)
        return False

    def _launchable_exists(self) -> bool:
        return any(self._next_launch(trial) is not None for trial in self.plan.trial_ids)

    def _launch_ready(self) -> None:
        if self.writes.launches_wait():
            return
        for trial in self.plan.trial_ids:
            if self.pool.free_count == 0:
                return
            launch = self._next_launch(trial)
            if launch is None:
                continue
            if launch[0] is not None and not self._checkpoint_fits():
                return
            slot = self.pool.acquire(trial)
            assert slot is not None
            stop_at_fraction, resume = launch
            wi, do = self.plan.seeds[trial]
            offset = file_size(self.trial_dir(trial) / EVENTS_FILE)
            request = LaunchRequest(trial_id=trial, wi_seed=wi, do_seed=do, directory=self.trial_dir(trial),
                                    slot=slot, stop_at_fraction=stop_at_fraction, resume=resume)
            handle = self.writes.produce("a launch", partial(self.backend.launch, request),
                                         launch=True)
            if handle is None:
                self.pool.release(slot)  # it is launched again once writes work
                return
            handle.extra["log_offset"] = offset
            handle.extra["resume"] = resume
            handle.extra["writes_checkpoint"] = stop_at_fraction is not None
            self.running[trial] = handle
            what = "started" if stop_at_fraction is None else f"started to f={stop_at_fraction:g}"
            what = "resumed" if resume else what
            self.log(f"{trial} {what} on {self.backend.where(handle)}")

    # --- trials ending (``supervisor_reaping``) ---------------------------------------------------
    def append_end(self, trial: str, status: str, *, reason: str, by: str | None = None) -> None:
        state = self.reader(trial).state
        fields: dict[str, Any] = {"status": status, "step": state.last_step, "reason": reason,
                                  "written_by": "supervisor"}
        if by is not None:
            fields["by"] = by
        best = state.best_score()
        if best is not None:
            fields["best_score"] = best
        def write() -> None:
            self.trial_dir(trial).mkdir(parents=True, exist_ok=True)
            append_event(self.trial_dir(trial) / EVENTS_FILE, "end", t=self.clock.time(), **fields)

        # unwritten, the trial reads as lost on the next run, which runs it again
        self.writes.attempt("a trial's end", write)
        self.reader(trial).poll(final=True)

    def discard_checkpoint_if_final(self, trial: str) -> None:
        """A trial whose fate is final (stopped, failed, diverged) will not resume: free its checkpoint
        (hundreds of MB; on Ray without shared storage it is on the node, and goes with the actor's
        directory there)."""
        if self.reader(trial).state.is_finished:
            self.writes.attempt("a checkpoint (deleting it)",
                                partial(delete_checkpoint, self.trial_dir(trial)))

    def _escalate(self) -> None:
        for trial, handle in self.running.items():
            if handle.term_sent_at is None or handle.kill_sent:
                continue
            grace = self.config.resources.kill_grace_s
            if handle.stop_by == SWEEP_STOP:  # it finishes an evaluation and writes a checkpoint first
                grace = max(grace, SWEEP_STOP_GRACE_S)
            if self.clock.time() - handle.term_sent_at >= grace and self.backend.is_ours(handle):
                self.log(f"{trial} did not stop within {grace:g}s: SIGKILL to its process group")
                self.backend.signal(handle, SIGKILL)
                handle.kill_sent = True

    # --- stopping --------------------------------------------------------------------------------
    def stop_trial(self, trial: str, *, by: str, reason: str) -> str | None:
        """Stop one of this sweep's trials, whatever state it is in. None once the stop is under way
        (or done); otherwise why there was nothing to stop."""
        if trial not in self.trials:
            return f"{trial} is not a trial of this sweep"
        handle = self.running.get(trial)
        if handle is not None:
            if handle.stop_by is not None:
                return None  # already being stopped
            if not self.backend.is_ours(handle):
                if trial not in self.backend.poll({trial: handle}):
                    return f"not signalling {trial}: pid {handle.pid} is no longer its process"
                # it has just exited (e.g. suspended at its milestone), not yet reaped: nothing to
                # signal, but the stop stands: the trial is marked stopped when it is reaped
                handle.stop_by, handle.stop_reason = by, reason
                self.log(f"{trial}: not signalled (pid {handle.pid} is no longer its process); "
                         f"marked stopped when reaped ({by}: {reason})")
                return None
            # unwritten, the trainer ends 'stopped' by 'signal'; the supervisor still knows who stopped it
            self.writes.attempt("a stop request",
                                lambda: write_stop_request(self.trial_dir(trial), by=by, reason=reason))
            handle.stop_by, handle.stop_reason = by, reason
            handle.term_sent_at = self.clock.time()
            self.backend.signal(handle, SIGTERM)
            self.log(f"{trial}: SIGTERM sent ({by}: {reason})")
            return None
        status = self.reader(trial).state.status
        if status in ("queued", "suspended"):
            self.append_end(trial, "stopped", by=by, reason=reason)
            self.discard_checkpoint_if_final(trial)
            self.log(f"{trial} ({status}) marked stopped ({by}: {reason})")
            return None
        if status == "running":
            return f"{trial} runs, but not under this supervisor"
        return f"{trial} has already ended ({status})"

    def stop_sweep(self) -> None:
        """Stop every running trial and launch nothing more; the loop ends when they are gone. The
        trials are interrupted, not stopped for good: each suspends (or is re-queued) and the sweep's
        next run continues it."""
        self.stopping = True
        for trial in list(self.running):
            # not judged, interrupted: the trainer checkpoints and ends suspended (docs/engine.md)
            self.stop_trial(trial, by=SWEEP_STOP, reason="the sweep was stopped")

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
            self.record_decision(decision)
            self.log(f"{decision.rule}: {decision.action} {decision.trial} ({decision.reason})")
            if decision.action == "promote":
                self.promoted.add(decision.trial)
            elif decision.action == "stop":
                self.stop_trial(decision.trial, by=decision.rule, reason=decision.reason)

    def record_decision(self, decision: Decision) -> None:
        """Append a decision to ``decisions.jsonl``, stamped with the supervisor's clock (later, in
        order, when the file cannot be written now)."""
        self.unwritten_decisions.append(replace(decision, t=self.clock.time()))
        self.write_decisions()

    def write_decisions(self) -> None:
        while self.unwritten_decisions:
            first = self.unwritten_decisions[0]

            def write() -> None:
                if "decisions.jsonl" in self.writes.failing_since:  # a failed write may have cut a line
                    end_partial_line(decisions_path(self.sweep_dir))
                append_decision(self.sweep_dir, first)  # noqa: B023 (called at once)

            if not self.writes.attempt("decisions.jsonl", write):
                return
            self.unwritten_decisions.pop(0)

    # --- state file ------------------------------------------------------------------------------
    def write_state(self, *, force: bool = False, state: str = "running",
                    exit_code: int | None = None) -> None:
        now = self.clock.time()
        if not force and now - self._last_state_write < HEARTBEAT_S:
            return
        self._last_state_write = now
        state_record = {
            "pid": os.getpid(), "host": socket.gethostname(), "started": self.started, "heartbeat": now,
            "state": state, "paused": self.paused, "stopping": self.stopping, "exit_code": exit_code,
            "control_offset": self.commands.offset, "policy_override": self.override,
            "planned": list(self.plan.trial_ids), "grid_size": self.plan.grid_size,
            "slots": [s.label for s in self.pool.slots],
            "running": {t: h.pid for t, h in self.running.items()},
            "backend": self.backend.name,
            "nodes": self.backend.nodes(self.running),
        }
        self.writes.attempt("supervisor.json", lambda: write_state(self.sweep_dir, state_record))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m seedtui.core.engine.supervisor SWEEP_DIR", file=sys.stderr)
        return 2
    sweep_dir = Path(args[0]).resolve()
    try:
        if acquire_lock(sweep_dir / LOCK_FILE) is None:
            print(f"another supervisor holds {sweep_dir / LOCK_FILE}; exiting", flush=True)
            return 3
        supervisor = Supervisor(sweep_dir)
    except ConfigError as error:
        print(f"bad sweep configuration: {error}", flush=True)
        return 2
    except OSError as error:  # the sweep directory cannot be written (full, read-only, permissions)
        print(f"cannot start the supervisor of {sweep_dir}: {describe(error)}", flush=True)
        return 1

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
