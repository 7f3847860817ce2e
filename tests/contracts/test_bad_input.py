"""The bad-input table of issue 15: every door (the ``seedtui`` command line, a sweep config, the
trainer's flags, a control command) refuses what cannot run with one line naming the key or option,
exit code 2, and nothing written.

Each case runs the real entry point in this process: ``seedtui.cli.main`` (what the ``seedtui``
script runs: the command parser, the shortcuts, the commands) or ``trainers.finetune.main`` (what
``python -m trainers.finetune`` runs). "Nothing written" is checked on the whole test directory: the
same files, sizes and modification times before and after (no sweep directory, no trial directory,
no report, no ``control.jsonl``).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from seedtui.testing.cli import seedtui_exit_code

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_SWEEP = REPO_ROOT / "sample_logs" / "rte-minilm-5x5"
HUGE = str(2**63)


@dataclass(frozen=True)
class World:
    """A test directory: a recorded sweep with a supervisor record, a tiny RTE data dir, a file."""

    root: Path
    sweep: Path
    data: Path
    a_file: Path

    def config(self, *, top: str = "", trainer: str = "", resources: str = "", data: str | None = None,
               wi: str = '"1-2"', do: str = '"1-2"', epochs: str = "1") -> str:
        """A sweep config that runs (its sweep dir is ``root/runs/bad``) but for the given lines."""
        text = (f'name = "bad"\nsweep_dir = "{self.root / "runs" / "bad"}"\ntask = "rte"\n'
                f'wi_seeds = {wi}\ndo_seeds = {do}\n{top}\n'
                f'[data]\ndir = "{data if data is not None else self.data}"\n'
                f'[trainer]\nepochs = {epochs}\n{trainer}\n[resources]\n{resources}\n')
        path = self.root / "bad.toml"
        path.write_text(text)
        return str(path)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SEEDTUI_CACHE_DIR", str(tmp_path / "cache"))  # any tokenization would show
    sweep = tmp_path / "sweep"
    shutil.copytree(SAMPLE_SWEEP, sweep)
    state = {"pid": 999_999_999, "host": "elsewhere", "started": 1.0, "heartbeat": 1.0, "state": "finished"}
    (sweep / "supervisor.json").write_text(json.dumps(state))
    data = tmp_path / "data"
    data.mkdir()
    rows = ("index\tsentence1\tsentence2\tlabel\n0\tA cat.\tAn animal.\tentailment\n"
            "1\tA.\tB.\tnot_entailment\n")
    for name in ("train.tsv", "dev.tsv"):
        (data / name).write_text(rows)
    a_file = tmp_path / "a-file"
    a_file.write_text("not a directory\n")
    return World(tmp_path, sweep, data, a_file)


def _trainer(argv: list[str]) -> int:
    from trainers.finetune import main

    try:
        return main(argv)
    except SystemExit as done:  # argparse's own exit: a refusal that is not one line
        return done.code if isinstance(done.code, int) else 1


def _trainer_flags(world: World, *flags: str) -> list[str]:
    """A trainer command line that runs but for ``flags`` (given last, so they win)."""
    return ["--task", "rte", "--data-dir", str(world.data), "--trial-dir", str(world.root / "trial"),
            "--train-limit", "2", "--eval-limit", "2", "--epochs", "1", "--evals-per-epoch", "1", *flags]


Run = Callable[[], int]
Case = tuple[str, Callable[[World], Run], str]
"""(id, what prepares the case's input files and returns the run, the text the one-line message
must hold: the key or option)."""


def _cli(*argv: str | Callable[[World], str]) -> Callable[[World], Run]:
    def prepare(w: World) -> Run:
        args = [a(w) if callable(a) else a for a in argv]
        return lambda: seedtui_exit_code(args)
    return prepare


def _run_config(**parts: str) -> Callable[[World], Run]:
    def prepare(w: World) -> Run:
        path = w.config(**parts)
        return lambda: seedtui_exit_code(["run", path, "--headless"])
    return prepare


def _train(*flags: str | Callable[[World], str]) -> Callable[[World], Run]:
    def prepare(w: World) -> Run:
        argv = _trainer_flags(w, *[f(w) if callable(f) else f for f in flags])
        return lambda: _trainer(argv)
    return prepare


def _with_supervisor_json(text: str, *command: str) -> Callable[[World], Run]:
    def prepare(w: World) -> Run:
        (w.sweep / "supervisor.json").write_text(text)
        return lambda: seedtui_exit_code([command[0], str(w.sweep), *command[1:]])
    return prepare


def _sweep(w: World) -> str:
    return str(w.sweep)


CASES: list[Case] = [
    # seedtui's own options
    ("plan --budget 201 (above the 25 logged trials)", _cli("plan", _sweep, "--budget", "201"), "--max-t"),
    ("plan --f nan", _cli("plan", _sweep, "--t", "3", "--f", "nan", "--p", "1"), "--f"),
    ("plan --f inf", _cli("plan", _sweep, "--t", "3", "--f", "inf", "--p", "1"), "--f"),
    ("stats --seed -1", _cli("stats", _sweep, "--seed", "-1"), "--seed"),
    ("stats --seed 2^63", _cli("stats", _sweep, "--seed", HUGE), "--seed"),
    ("report --out <a directory>", _cli("report", _sweep, "--out", lambda w: str(w.root), "-q"), "--out"),
    ("report --seed -1", _cli("report", _sweep, "--seed", "-1", "-q"), "--seed"),
    ("a mistyped sweep path", _cli("runs/typo"), "runs/typo does not exist"),
    ("a mistyped config path", _cli("examples/typo.toml"), "typo.toml does not exist"),
    ("status: supervisor.json cut mid-write", _with_supervisor_json('{"pid": 12, "host": ', "status"),
     "supervisor.json"),
    ("ctl: supervisor.json with a wrong field", _with_supervisor_json('{"pid": "twelve"}', "ctl", "pause"),
     "supervisor.json"),
    ("ctl kill-diverged --min-fraction nan",
     _cli("ctl", _sweep, "kill-diverged", "--min-fraction", "nan"), "--min-fraction"),
    ("ctl apply-tfp --t 1e999", _cli("ctl", _sweep, "apply-tfp", "--t", "1e999", "--f", "0.5", "--p", "1"),
     "--t"),
    ("ctl apply-tfp --f 1e999", _cli("ctl", _sweep, "apply-tfp", "--t", "4", "--f", "1e999", "--p", "1"),
     "--f"),
    ("ctl --wait nan (would wait forever)", _cli("ctl", _sweep, "pause", "--wait", "nan"), "--wait"),
    ("kill --wait -1", _cli("kill", _sweep, "wi1-do1", "--wait", "-1"), "--wait"),
    ("kill: not a trial id", _cli("kill", _sweep, "wi1-do1; rm -rf /"), "trial id"),
    # the sweep config, through `seedtui run`
    ("config: seed 2^63", _run_config(wi=f"[{HUGE}]"), "wi_seeds"),
    ("config: negative seed", _run_config(do="[-1]"), "do_seeds"),
    ("config: device tpu9", _run_config(trainer='device = "tpu9"'), "trainer.device"),
    ("config: missing model path", _run_config(top='model = "./no-such-model"'), "model"),
    ("config: missing data dir", _run_config(data="no-such-data"), "data.dir"),
    ("config: epochs 0.5", _run_config(epochs="0.5"), "trainer.epochs"),
    ("config: lr nan", _run_config(trainer="lr = nan"), "trainer.lr"),
    ("config: lr inf", _run_config(trainer="lr = inf"), "trainer.lr"),
    ("config: kill_grace_s nan", _run_config(resources="kill_grace_s = nan"), "resources.kill_grace_s"),
    ("config: kill_grace_s inf", _run_config(resources="kill_grace_s = inf"), "resources.kill_grace_s"),
    # the trainer's flags
    ("trainer --max-grad-norm nan", _train("--max-grad-norm", "nan"), "--max-grad-norm"),
    ("trainer --max-grad-norm inf", _train("--max-grad-norm", "inf"), "--max-grad-norm"),
    ("trainer --weight-decay nan", _train("--weight-decay", "nan"), "--weight-decay"),
    ("trainer --weight-decay inf", _train("--weight-decay", "inf"), "--weight-decay"),
    ("trainer --lr nan", _train("--lr", "nan"), "--lr"),
    ("trainer --lr inf", _train("--lr", "inf"), "--lr"),
    ("trainer --wi-seed 2^63", _train("--wi-seed", HUGE), "--wi-seed"),
    ("trainer --do-seed 2^32", _train("--do-seed", str(2**32)), "--do-seed"),
    ("trainer --do-seed -1", _train("--do-seed", "-1"), "--do-seed"),
    ("trainer --device tpu9", _train("--device", "tpu9"), "--device"),
    ("trainer --epochs 0.5", _train("--epochs", "0.5"), "--epochs"),
    ("trainer: missing model path", _train("--model", lambda w: str(w.root / "no-such-model")), "--model"),
    ("trainer: missing data dir", _train("--data-dir", lambda w: str(w.root / "no-such-data")), "--data-dir"),
    ("trainer --trial-dir <a file>", _train("--trial-dir", lambda w: str(w.a_file)), "--trial-dir"),
    ("trainer --trial-dir <under a file>", _train("--trial-dir", lambda w: str(w.a_file / "t")),
     "--trial-dir"),
    ("trainer --trial-dir ''", _train("--trial-dir", ""), "--trial-dir"),
]


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``root`` with its size and modification time (ns)."""
    found = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(directory) / name
            stat = path.lstat()
            found[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    return found


@pytest.mark.parametrize(("prepare", "names"), [(prepare, names) for _, prepare, names in CASES],
                         ids=[case_id for case_id, _, _ in CASES])
def test_bad_input_is_one_line_naming_it_exit_2_and_nothing_written(
        world: World, capsys: pytest.CaptureFixture[str], prepare: Callable[[World], Run],
        names: str) -> None:
    run = prepare(world)
    before = _tree(world.root)
    code = run()
    out, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, f"exit {code}; stderr: {err!r}"
    assert len(lines) == 1, f"not one line: {err!r}"
    assert names in lines[0], f"{names!r} not named in {lines[0]!r}"
    assert "Traceback" not in err and out == ""
    assert _tree(world.root) == before
