"""The trainer run by hand says what it is doing on stderr (``--progress``, or a terminal), and stays
quiet otherwise, so the engine's stderr.log keeps only warnings and errors."""

from __future__ import annotations

import io

import pytest

from tests.trainers.conftest import RunTrainer, of_kind
from trainers.progress import Progress


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_step_lines_are_spaced_out_and_every_eval_has_a_line() -> None:
    stream, clock = io.StringIO(), FakeClock()
    progress = Progress(True, stream, clock, step_interval_s=5.0)
    for step in range(1, 4):  # three steps within the same second: one line
        progress.step(step, 100, 0.5)
    clock.now = 5.0
    progress.step(4, 100, 0.25)
    progress.evaluation(4, 100, 1, 10, "acc", 0.625, 0.625)
    assert stream.getvalue().splitlines() == [
        "[trainer] step 1/100  loss 0.5000",
        "[trainer] step 4/100  loss 0.2500",
        "[trainer] eval 1/10 at step 4/100: acc 0.6250 (best 0.6250)",
    ]


def test_quiet_when_disabled_and_by_default_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    stream = io.StringIO()
    progress = Progress(False, stream)
    progress.say("loading")
    progress.step(1, 10, 0.5)
    progress.evaluation(1, 10, 1, 2, "acc", 0.5, 0.5)
    assert stream.getvalue() == ""
    assert not Progress.for_run(False).enabled  # pytest's captured stderr is not a terminal
    assert Progress.for_run(True).enabled


def test_a_trial_with_progress_says_each_setup_step_and_each_eval(
        run_trainer: RunTrainer, capsys: pytest.CaptureFixture[str]) -> None:
    code, events = run_trainer("--progress")
    assert code == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("[trainer] ")]
    said = "\n".join(lines)
    for expected in ("importing torch and transformers", "loading sst2 data",
                     "loading the tokenizer and model", "tokenizing 40 training and 16 eval examples",
                     "training on cpu: 10 steps (2 epochs of 5)", "completed at step 10"):
        assert expected in said
    evals = of_kind(events, "eval")
    eval_lines = [line for line in lines if line.startswith("[trainer] eval ")]
    assert len(eval_lines) == len(evals) == 4
    assert eval_lines[-1].startswith(f"[trainer] eval 4/4 at step 10/10: acc {evals[-1]['score']:.4f}")
    assert any(line.startswith("[trainer] step 1/10  loss ") for line in lines)
