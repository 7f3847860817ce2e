"""The logging client and the command template, in-process: a no-op outside a sweep, the
placeholders and the environment agree, the config refuses unknown placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest

from seedtui.client import Trial
from seedtui.core.engine.config import ConfigError, parse_sweep_config
from seedtui.core.engine.trainer_command import trainer_argv
from seedtui.log.trial_env import PLACEHOLDER_ENV, TrialEnvironment, expand_command
from seedtui.state import load_trial


def test_outside_a_sweep_the_client_is_a_silent_no_op(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in PLACEHOLDER_ENV.values():
        monkeypatch.delenv(name, raising=False)
    trial = Trial.from_env()
    assert not trial.active and trial.resuming() is None and trial.checkpoint_dir is None
    trial.start(metric="accuracy", greater_is_better=True, total_steps=10, evals=2)
    trial.train(1, 0.5)
    trial.eval(5, 0.7, {"accuracy": 0.7})
    assert not trial.should_stop() and not trial.at_milestone()
    trial.end("completed")
    assert list(tmp_path.iterdir()) == []


def test_the_client_logs_a_trial_that_suspends_at_its_milestone_and_resumes(tmp_path: Path) -> None:
    environment = TrialEnvironment(trial_dir=tmp_path / "wi1-do2", wi_seed=1, do_seed=2, device="cpu",
                                   stop_at_fraction=0.5)
    first = Trial.from_env(environment.to_env())
    first.start(metric="f1", greater_is_better=True, total_steps=8, evals=4)
    milestones = []
    for step in (2, 4):
        first.eval(step, 0.1 * step)
        milestones.append(first.at_milestone())
    assert milestones == [False, True]  # f = 0.5 of 4 evaluations: after the second
    first.end("suspended")

    resumed = Trial.from_env(TrialEnvironment(environment.trial_dir, 1, 2, "cpu", resume=True).to_env())
    assert resumed.resuming() == 4
    resumed.start(metric="f1", greater_is_better=True, total_steps=8, evals=4)  # writes nothing
    for step in (6, 8):
        resumed.eval(step, 0.1 * step)
    resumed.end("completed")

    state = load_trial(environment.trial_dir / "events.jsonl")
    assert state.status == "completed" and state.eval_steps == [2, 4, 6, 8]
    assert state.metric == "f1" and state.start is not None and state.start["evals"] == 4
    assert state.start["config"]["stop_at_fraction"] == 0.5


def test_placeholders_and_environment_variables_hold_the_same_values(tmp_path: Path) -> None:
    trial = TrialEnvironment(trial_dir=tmp_path, wi_seed=3, do_seed=7, device="cuda", stop_at_fraction=0.25)
    template = ["{python}", "train.py", "--seed", "{wi}", "--data_seed", "{do}", "--out", "{trial_dir}/out",
                "--stop={stop_at_fraction}", "{resume}"]
    argv = expand_command(template, trial)
    assert argv[2:] == ["--seed", "3", "--data_seed", "7", "--out", f"{tmp_path}/out", "--stop=0.25", "0"]
    env = trial.to_env()
    assert TrialEnvironment.from_env(env) == trial
    names = ("WI_SEED", "DO_SEED", "STOP_AT_FRACTION")
    assert [env[f"SEEDTUI_{name}"] for name in names] == ["3", "7", "0.25"]
    # without a milestone, an argument made only of empty placeholders is left out
    straight = TrialEnvironment(trial_dir=tmp_path, wi_seed=3, do_seed=7, device="cpu")
    assert "--stop=" not in " ".join(expand_command(template, straight))


def _config(tmp_path: Path, command: object) -> dict[str, object]:
    return {"name": "byo", "task": "mine", "wi_seeds": "1-2", "do_seeds": "1-2",
            "trainer": {"command": command, "epochs": 1, "evals_per_epoch": 4}}


def test_the_config_refuses_an_unknown_placeholder_naming_trainer_command(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"trainer\.command.*\{seed\} is not a placeholder"):
        parse_sweep_config(_config(tmp_path, ["python", "t.py", "--seed", "{seed}"]), base=tmp_path)
    with pytest.raises(ConfigError, match=r"trainer\.command"):
        parse_sweep_config(_config(tmp_path, "python t.py"), base=tmp_path)


def test_a_command_sweep_launches_its_command_under_the_wrapper(tmp_path: Path) -> None:
    config = parse_sweep_config(_config(tmp_path, ["python", "t.py", "--seed", "{wi}"]), base=tmp_path)
    argv = trainer_argv(config, 2, 1, tmp_path / "trials" / "wi2-do1", device="cpu")
    assert argv[1:3] == ["-m", "seedtui.core.engine.command_trial"]
    assert argv[argv.index("--"):] == ["--", "python", "t.py", "--seed", "{wi}"]  # filled by the wrapper
    assert str(tmp_path / "trials" / "wi2-do1") in argv  # how the engine recognises the process
    assert config.trainer.workdir == tmp_path


def test_the_client_and_the_wrapper_import_neither_torch_nor_textual() -> None:
    import subprocess
    import sys

    code = ("import sys, seedtui.client, seedtui.core.engine.command_trial\n"
            "print(sorted(m for m in ('torch', 'textual', 'transformers') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_sweeps_metric_comes_from_a_script_not_from_the_launchers_stand_in(tmp_path: Path) -> None:
    from seedtui.core.engine.command_trial import record_process
    from seedtui.state import read_sweep

    trials = tmp_path / "sweep" / "trials"
    waiting = TrialEnvironment(trial_dir=trials / "wi1-do1", wi_seed=1, do_seed=1, device="cpu")
    record_process(waiting, task="mine", model="", program=["train.py"])  # its script has not logged yet
    logging = TrialEnvironment(trial_dir=trials / "wi1-do2", wi_seed=1, do_seed=2, device="cpu")
    record_process(logging, task="mine", model="", program=["train.py"])
    Trial.from_env(logging.to_env()).start(metric="loss", greater_is_better=False, total_steps=4, evals=2)

    sweep = read_sweep(tmp_path / "sweep", settle=False)
    assert sweep.trials["wi1-do1"].status == "running"  # shown running before it logs anything
    start = sweep.first_start()
    assert start is not None and start["metric"] == "loss" and start["task"] == "mine"
    assert not sweep.greater_is_better
