"""The multi-trial worker: several trials of one sweep in one process, ``python -m trainers.pack PACK_DIR``.

One process loads the pretrained weights, the tokenizer and the tokenized data once, then trains the
trials the engine queues to it (``seedtui.log.pack_queue``) in lockstep: one optimizer step of
each in turn. Each trial has its own copy of the model, its own optimizer, scheduler and position, its
own head initialisation (WI generator), data order (DO generator) and dropout stream, its own
``events.jsonl``, ``stderr.log``, ``stop_request.json`` and checkpoint: it is ``trainers.trial``'s
``ActiveTrial``, advanced one step at a time, exactly as ``trainers.finetune`` advances it alone.

Why a trial in a pack trains exactly as it would alone (CPU, fp32): its model starts as a copy of the
same loaded weights, its head and data order come from its own generators, and the global RNG that
dropout draws from is swapped in before each of its steps and saved after (``rng_states`` /
``restore_rng_states``), so it draws the masks it would draw alone. Nothing else is shared but
read-only tensors.

Stopping: a ``stop`` line in the queue ends that trial ``stopped`` after its current step (its
``stop_request.json`` gives ``by`` and ``reason``, as for a trial alone); ``kill`` drops it at once.
SIGTERM or SIGINT to the worker stops every trial it holds (the whole pack) and it takes no more.
The worker exits once it has been idle (no trial) for ``--idle-exit-s`` seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

# Light modules only before the stop handlers are in place (as in trainers.finetune).
from seedtui.log import STDERR_FILE
from seedtui.log.pack_queue import close, queue_tail, record_done
from trainers.config import EXIT_BAD_INPUT, EXIT_FAILED, BadInput, parse_config
from trainers.control import StopFlag, stop_on_signals

if TYPE_CHECKING:
    from trainers.trial import ActiveTrial, SharedInputs

IDLE_EXIT_S = 10.0
EXIT_KILLED = -9
"""The exit code a dropped (``kill``) trial is reported with, as a process killed by SIGKILL."""


@dataclass
class PackedTrial:
    trial_id: str
    launch: float
    stop: StopFlag
    trial: ActiveTrial
    rng: dict[str, Any]
    """Its global RNG states (the dropout stream) while another trial steps."""
    stderr: TextIO


class PackWorker:
    """The worker's state: the shared inputs, the trials it holds, where it is in its queue."""

    def __init__(self, pack_dir: Path, *, idle_exit_s: float = IDLE_EXIT_S) -> None:
        self.pack_dir = Path(pack_dir)
        self.idle_exit_s = idle_exit_s
        self.queue = queue_tail(self.pack_dir)
        self.shared: SharedInputs | None = None
        self.trials: dict[str, PackedTrial] = {}
        self.stopping: str | None = None
        """The signal that stopped the whole pack, once one has."""

    # --- work in -----------------------------------------------------------------------------------
    def take_work(self) -> None:
        """Carry out what was queued since the last look."""
        for record in self.queue.poll():
            op, trial = record.get("op"), str(record.get("trial"))
            held = self.trials.get(trial)
            if op == "run":
                self._start(record)
            elif held is not None and held.launch == record.get("launch") and op == "stop":
                held.stop.signal_name = held.stop.signal_name or "SIGTERM"
            elif held is not None and held.launch == record.get("launch") and op == "kill":
                self._leave(held, EXIT_KILLED)

    def _start(self, record: dict[str, Any]) -> None:
        from trainers.checkpoint import rng_states
        from trainers.trial import ActiveTrial, load_shared_inputs, prepare_trial

        try:
            trial_id, launch, argv = str(record["trial"]), float(record["launch"]), list(record["argv"])
            stderr = open(Path(record["trial_dir"]) / STDERR_FILE, "a", encoding="utf-8")
        except (KeyError, TypeError, ValueError, OSError) as error:  # not the engine's record: say so, go on
            print(f"python -m trainers.pack: ignoring a run request it cannot use ({error!r})",
                  file=sys.stderr)
            return
        stop = StopFlag(signal_name=self.stopping)
        code: int | None = None
        with contextlib.redirect_stderr(stderr):
            try:
                config = parse_config(argv)
                if self.shared is None:
                    self.shared = load_shared_inputs(config)
                prepared = prepare_trial(config, stop, shared=self.shared)
                trial = ActiveTrial(prepared, stop)
            except BadInput as error:
                print(f"python -m trainers.pack: error: {error}", file=sys.stderr)
                code = EXIT_BAD_INPUT
            except SystemExit as error:  # argparse refused the flags (it has said why)
                code = error.code if isinstance(error.code, int) else EXIT_BAD_INPUT
            except Exception:
                traceback.print_exc()
                code = EXIT_FAILED
        if code is not None:
            stderr.close()
            record_done(self.pack_dir, trial_id, launch, code)
            return
        self.trials[trial_id] = PackedTrial(trial_id, launch, stop, trial, rng_states(), stderr)

    # --- training ----------------------------------------------------------------------------------
    def round(self) -> None:
        """One optimizer step of every trial held, each under its own RNG state and stderr."""
        from trainers.checkpoint import restore_rng_states, rng_states

        for packed in list(self.trials.values()):
            restore_rng_states(packed.rng)
            with contextlib.redirect_stderr(packed.stderr):
                exit_code = packed.trial.advance()
            packed.rng = rng_states()
            if exit_code is not None:
                self._leave(packed, exit_code)

    def _leave(self, packed: PackedTrial, exit_code: int) -> None:
        if exit_code == EXIT_KILLED:
            packed.trial.writer.close()  # as a killed process: no end event
        packed.stderr.close()
        del self.trials[packed.trial_id]
        record_done(self.pack_dir, packed.trial_id, packed.launch, exit_code)

    def stop_all(self, signal_name: str) -> None:
        """Stop every trial held and take no more work (SIGTERM to the worker)."""
        if self.stopping is None:
            self.stopping = signal_name
            close(self.pack_dir)
        for packed in self.trials.values():
            packed.stop.signal_name = packed.stop.signal_name or signal_name

    # --- the process -------------------------------------------------------------------------------
    def run(self, flag: StopFlag) -> int:
        idle_since = time.monotonic()
        while True:
            self.take_work()
            if flag.signal_name is not None:
                self.stop_all(flag.signal_name)
            if self.trials:
                self.round()
                idle_since = time.monotonic()
                continue
            if self.stopping is not None:
                self.take_work()  # what was queued before it closed: starts stopped, ends at once
                if not self.trials:
                    return 0
                continue
            if (time.monotonic() - idle_since >= self.idle_exit_s
                    and close(self.pack_dir, unless_beyond=self.queue.offset)):
                return 0
            time.sleep(0.05)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m trainers.pack",
        description="Train the trials queued in PACK_DIR/queue.jsonl in one process, one step of each in "
        "turn (the engine starts it for [resources] trials_per_process > 1; see docs/multi-trial.md).")
    parser.add_argument("pack_dir", help="The worker's directory (queue.jsonl, done.jsonl, closed).")
    parser.add_argument("--idle-exit-s", type=float, default=IDLE_EXIT_S,
                        help="Exit after this many seconds without a trial to train.")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    flag = StopFlag()
    with stop_on_signals(flag):
        args = build_parser().parse_args(argv)
        worker = PackWorker(Path(args.pack_dir), idle_exit_s=args.idle_exit_s)
        return worker.run(flag)


if __name__ == "__main__":
    sys.exit(main())
