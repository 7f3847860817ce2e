"""The real Hugging Face ``Trainer`` under the engine, through ``seedtui.integrations.transformers``:
the example script suspends at the t/f/p milestone, the promoted trial resumes from its own HF
checkpoint and ends with the same evaluations as a straight run of the same script by hand."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from seedtui.core.engine.supervisor import Supervisor
from seedtui.log.trial_env import PLACEHOLDER_ENV
from tests.byo.sweeps import command_sweep, events_of, statuses, step_until

pytest.importorskip("transformers")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "byo" / "hf_trainer.py"


def test_hf_trainer_suspends_at_the_milestone_and_resumes_to_a_straight_runs_end(
        tmp_path: Path, tiny_model_dir: Path, glue_dir: Path) -> None:
    script = [str(EXAMPLE), "--task", "sst2", "--data_dir", str(glue_dir / "SST-2"),
              "--model", str(tiny_model_dir), "--max_steps", "8", "--eval_steps", "2", "--batch_size", "8",
              "--train_limit", "64", "--eval_limit", "32", "--max_length", "32", "--lr", "1e-3"]
    sweep_dir = command_sweep(
        tmp_path, ["{python}", *script, "--seed", "{wi}", "--data_seed", "{do}",
                   "--output_dir", "{checkpoint_dir}"], wi_seeds=[1], do_seeds="1-2", evals=4,
        policy={"rule": "tfp", "tfp": {"t": 2, "f": 0.5, "p": 1}})
    supervisor = Supervisor(sweep_dir, poll_s=0.05)
    step_until(supervisor, lambda: supervisor.step(), what="the sweep to end")
    assert sorted(statuses(supervisor).values()) == ["completed", "stopped"]
    kept = next(s for s in supervisor.states().values() if s.status == "completed")
    events = events_of(sweep_dir, kept.trial_id)
    assert [e["status"] for e in events if e["event"] == "end"] == ["suspended", "completed"]
    assert kept.eval_steps == [2, 4, 6, 8] and kept.metric == "accuracy"
    assert kept.train_steps == list(range(1, 9))

    straight = tmp_path / "straight.json"  # the same script by hand: no sweep, the callback is silent
    env = {k: v for k, v in os.environ.items() if k not in PLACEHOLDER_ENV.values()}
    subprocess.run([sys.executable, *script, "--seed", str(kept.wi_seed), "--data_seed", str(kept.do_seed),
                    "--output_dir", str(tmp_path / "by-hand"), "--metrics_file", str(straight)],
                   env=env, check=True, capture_output=True)
    history = json.loads(straight.read_text())
    assert [entry["step"] for entry in history] == kept.eval_steps
    assert kept.eval_scores == [entry["eval_accuracy"] for entry in history]
    assert kept.eval_metrics[-1]["eval_loss"] == pytest.approx(history[-1]["eval_loss"], rel=1e-6)
