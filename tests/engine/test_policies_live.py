"""The t/f/p and ASHA policies applied by a real supervisor to real trainer subprocesses."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from seedtui.core.engine.detach import launch_detached
from seedtui.core.engine.policies import score_at_rung
from seedtui.log.decisions import read_decisions
from seedtui.state import load_trials

from .conftest import read_log, supervisor_done, wait_for

pytestmark = pytest.mark.subprocess


def test_tfp_6_half_2_keeps_the_two_best_and_stops_four_at_half(sweep_config: Callable[..., Path],
                                                                 varied_model_dir: Path) -> None:
    config = sweep_config("tfp", wi_seeds="1-2", do_seeds="1-3", model=str(varied_model_dir),
                          data={"eval_limit": 128},
                          policy={"rule": "tfp", "tfp": {"t": 6, "f": 0.5, "p": 2}})
    sweep_dir = launch_detached(config)
    wait_for(lambda: supervisor_done(sweep_dir), what="the sweep to finish")
    states = {t.trial_id: t for t in load_trials(sweep_dir)}
    assert len(states) == 6
    completed = {t for t, s in states.items() if s.status == "completed"}
    stopped = {t for t, s in states.items() if s.status == "stopped"}
    assert len(completed) == 2 and len(stopped) == 4
    for trial in stopped:
        state = states[trial]
        assert state.stopped_by == "tfp"
        assert state.total_steps is not None and state.end_step == state.total_steps // 2  # at half
        assert max(state.eval_steps) == state.total_steps // 2  # it trained no further
    for trial in completed:
        events = [e["event"] for e in read_log(sweep_dir, trial)]
        assert events.count("resume") == 1 and events.count("start") == 1  # suspended, then resumed
    # the kept two have the best best-so-far scores at f
    at_f: dict[str, float] = {}
    for t, s in states.items():
        score = score_at_rung(s, 0.5)
        assert score is not None
        at_f[t] = score
    assert min(at_f[t] for t in completed) >= max(at_f[t] for t in stopped)

    decisions = read_decisions(sweep_dir)
    assert len(decisions) == 6 and all(d["rule"] == "tfp" and d["rung"] == 0.5 for d in decisions)
    assert {d["trial"] for d in decisions if d["action"] == "promote"} == completed
    assert {d["trial"] for d in decisions if d["action"] == "stop"} == stopped
    assert sorted(d["rank"] for d in decisions) == [1, 2, 3, 4, 5, 6]
    threshold = sorted(at_f[t] for t in completed)[0]
    for d in decisions:
        assert d["of"] == 6 and d["score"] == at_f[d["trial"]] and d["threshold"] == threshold
        assert d["reason"]
    summary = json.loads((sweep_dir / "summary.json").read_text())
    assert summary["counts"] == {"completed": 2, "stopped": 4}
    assert not list(sweep_dir.glob("trials/*/checkpoint/*"))  # stopped and completed trials keep none


def test_asha_stops_trials_by_its_rule(sweep_config: Callable[..., Path], varied_model_dir: Path) -> None:
    # 64 steps, so the supervisor sees the first rung well before the end
    config = sweep_config("asha", wi_seeds="1-3", do_seeds="1-2", model=str(varied_model_dir),
                          data={"train_limit": 256, "eval_limit": 128},
                          trainer={"batch_size": 4, "evals_per_epoch": 8},
                          policy={"rule": "asha", "asha": {"reduction_factor": 2, "min_fraction": 0.25}})
    sweep_dir = launch_detached(config)
    wait_for(lambda: supervisor_done(sweep_dir), what="the sweep to finish")
    states = {t.trial_id: t for t in load_trials(sweep_dir)}
    decisions = read_decisions(sweep_dir)
    assert decisions and all(d["rule"] == "asha" for d in decisions)
    # replay Ray's rule over the log: at each rung, a result below the (1 - 1/rf) percentile of the
    # results recorded there before it is stopped (unless its trial had already ended)
    recorded: dict[float, list[float]] = {}
    for d in decisions:
        earlier = recorded.setdefault(d["rung"], [])
        cutoff = float(np.percentile(earlier, 50)) if earlier else None
        below = cutoff is not None and d["score"] < cutoff
        assert d["action"] == ("stop" if below and "already ended" not in d["reason"] else "keep"), d
        earlier.append(d["score"])
    stopped_by_rule = {d["trial"] for d in decisions if d["action"] == "stop"}
    assert stopped_by_rule, "no trial was below the cutoff in this run"
    for trial, state in states.items():
        if trial in stopped_by_rule:
            # a tiny trial trains its last 48 steps in well under a second: the SIGTERM that follows
            # the decision can land after its last step, and then it ends completed, all steps trained
            stopped = state.status == "stopped" and state.stopped_by == "asha"
            assert stopped or (state.status == "completed" and state.last_step == state.total_steps), trial
        else:
            assert state.status == "completed"
    assert any(states[trial].status == "stopped" for trial in stopped_by_rule), "the rule stopped nothing"
