"""``RayTrialProcess``: the supervisor's handle on a trial running in a Ray actor.

It offers what the supervisor uses on a local ``TrialProcess`` (``exit_code``, ``is_ours``, the
stop bookkeeping) plus ``signal`` and ``pump``. Every call to the actor is asynchronous: ``pump``
looks at the previous ``sync`` reply without waiting and sends the next, so a slow or unplaced
actor never stalls the supervisor's loop. ``exit_code`` stays None until the trial's last bytes are
in the local log, so the supervisor reads a complete log when it reaps the trial.

When the actor dies (its node died, or it was removed) the trial gets an ``end`` event with status
``failed`` naming the node, unless someone had asked it to stop (then the supervisor's ``stopped``
stands) or its log had already ended.
"""

from __future__ import annotations

import signal as signals
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedtui.core.engine.ray_backend.cluster import describe_node, node_alive
from seedtui.core.engine.ray_backend.mirror import StreamMirror
from seedtui.log import EVENTS_FILE, append_event, read_events
from seedtui.log.launch_records import RayLaunchRecord

LOST_EXIT_CODE = -1
"""``exit_code()`` of a trial whose actor died: the trainer's own code is not known."""


@dataclass
class RayTrialProcess:
    trial_id: str
    directory: Path
    """The trial's directory in the local sweep directory (where its log is copied)."""
    actor: Any
    actor_name: str
    namespace: str
    started: float
    resume: bool
    events: StreamMirror | None
    """Copies the remote log here; None when the sweep dir is on storage the nodes share."""
    stderr: StreamMirror | None
    pid: int = 0
    """The trainer's pid on its node (0 until the actor reports it)."""
    pgid: int = 0
    node: str = ""
    """The IP of the node running the trial ("" until the actor is placed)."""
    node_id: str = ""
    slot: Any = None
    stop_by: str | None = None
    stop_reason: str = ""
    term_sent_at: float | None = None
    kill_sent: bool = False
    record: RayLaunchRecord | None = None
    """``ray.json``, completed with the node once the actor reports where it runs."""
    failure_reason: str | None = None
    """Why the trial ended without its trainer's word (its actor or node died)."""
    node_lost: bool = False
    """True when the trial failed because its node left the cluster (the sweep may re-queue it)."""
    extra: dict[str, Any] = field(default_factory=dict)
    _pending: Any = None
    _exit_code: int | None = None
    _finished: bool = False
    _released: bool = False
    _killed_by_us: bool = False

    # --- what the supervisor calls ---------------------------------------------------------------
    def pump(self) -> None:
        """Take the actor's last reply if it has come (append new log lines locally) and ask again."""
        if self._finished:
            return
        import ray
        from ray.exceptions import ActorUnavailableError, RayError

        if self._pending is None:
            self._send_sync()
            return
        ready, _ = ray.wait([self._pending], timeout=0)
        if not ready:
            return
        reference, self._pending = self._pending, None
        try:
            reply = ray.get(reference)
        except ActorUnavailableError:
            self._send_sync()  # a transient network problem: ask again
            return
        except RayError as error:  # the actor died (with its node, or was never placed)
            self._lost(error)
            return
        self._take(reply)
        if not self._finished:
            self._send_sync()

    def exit_code(self) -> int | None:
        """None while the trial runs or its log is still being copied; then its exit code
        (``LOST_EXIT_CODE`` when its actor died)."""
        self.pump()
        return self._exit_code if self._finished else None

    def is_ours(self) -> bool:
        """The actor is named for this sweep and trial, so the only question is whether it runs."""
        return not self._finished

    def signal(self, signum: int) -> bool:
        """Send ``signum`` to the trainer's process group on its node, with the stop request
        (``stop_by``/``stop_reason``) written beside it first. Calls to an actor still waiting to be
        placed run once it starts; SIGKILL to one that has not yet reported a trainer cancels the
        actor instead (the trainer, if it had started, dies with it)."""
        if self._finished:
            return False
        import ray

        request = None if self.stop_by is None else {"by": self.stop_by, "reason": self.stop_reason}
        if self.pid == 0 and signum == signals.SIGKILL:
            self._killed_by_us = True
            ray.kill(self.actor, no_restart=True)
            return True
        self.actor.signal.remote(int(signum), request)
        return True

    def release(self) -> None:
        """Free the actor's resources (its trainer is killed if it still runs)."""
        if self._released:
            return
        import ray

        self._released = True
        self._killed_by_us = True
        try:
            ray.kill(self.actor, no_restart=True)
        except Exception:  # already gone with its node: nothing to free
            pass

    # --- internals ---------------------------------------------------------------------------------
    def _send_sync(self) -> None:
        if self.events is None or self.stderr is None:  # shared storage: nothing to copy
            self._pending = self.actor.sync.remote(0, 0, 0)
            return
        self._pending = self.actor.sync.remote(self.events.remote_offset, self.stderr.remote_offset)

    def _take(self, reply: dict[str, Any]) -> None:
        if self.pid == 0:
            self.pid = self.pgid = int(reply["pid"])
            self.node, self.node_id = str(reply["node_ip"]), str(reply["node_id"])
            self.extra["hostname"] = reply.get("hostname", "")
            self.extra["remote_dir"] = reply.get("directory", "")
            if self.record is not None:
                self.record.node_id, self.record.node_ip = self.node_id, self.node
                self.record.remote_dir = str(reply.get("directory", ""))
                self.record.write(self.directory)
        if self.events is not None:
            self.events.feed(reply["events"])
        if self.stderr is not None:
            self.stderr.feed(reply["stderr"])
        if reply["exit_code"] is not None and not reply["more"]:
            for mirror in (self.events, self.stderr):
                if mirror is not None:
                    mirror.flush()
            self._exit_code = int(reply["exit_code"])
            self._finish()

    def _finish(self) -> None:
        self._finished = True
        self._pending = None
        self.release()

    def _lost(self, error: Exception) -> None:
        if self._killed_by_us:
            self._exit_code = -signals.SIGKILL
            self._finish()
            return
        where = describe_node(self.node_id, self.node)
        self.node_lost = bool(self.node_id) and not node_alive(self.node_id)
        if self.node_lost:
            self.failure_reason = f"the Ray node {where} running it died or left the cluster"
        elif not self.node_id:
            self.failure_reason = f"its Ray actor could not start: {_first_line(error)}"
        else:
            self.failure_reason = f"its Ray actor on node {where} died: {_first_line(error)}"
        for mirror in (self.events, self.stderr):
            if mirror is not None:
                mirror.flush()
        self._exit_code = LOST_EXIT_CODE
        if self.stop_by is None:
            self._append_failed_end()
        self._finish()

    def fail_unplaced(self, reason: str) -> None:
        """End a trial that could not be given an actor (its checkpoint's node is gone): a ``failed``
        end after its ``suspended`` one, and the handle finished at once."""
        self.failure_reason, self.node_lost = reason, True
        self._append_failed_end(even_after_an_end=True)
        self._exit_code, self._finished, self._released = LOST_EXIT_CODE, True, True

    def _append_failed_end(self, *, even_after_an_end: bool = False) -> None:
        path = self.directory / EVENTS_FILE
        events = read_events(path, final=True).events
        if events and events[-1].get("event") == "end" and not even_after_an_end:
            return  # the trainer said how it ended before its node went
        steps = [e["step"] for e in events if e.get("event") in ("train", "eval", "resume")]
        append_event(path, "end", status="failed", step=int(steps[-1]) if steps else 0,
                     reason=self.failure_reason or "its Ray actor died",
                     node=self.node, written_by="ray_backend")


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0][:300] if text else type(error).__name__


def wait_until_finished(process: RayTrialProcess, *, limit_s: float, every_s: float = 0.2) -> int | None:
    """Pump until the trial's process is gone and its log copied; its exit code, or None at the limit.
    (For scripts and tests; the supervisor pumps from its own loop.)"""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        code = process.exit_code()
        if code is not None:
            return code
        time.sleep(every_s)
    return None
