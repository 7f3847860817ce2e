"""Disk: ``seedtui status`` shows what a sweep takes (its checkpoints apart), and
``[resources] max_checkpoint_gb`` caps what t/f/p keeps: a cohort launch waits while one more
checkpoint would pass the cap, and when nothing running could free space the sweep stops with one
line naming the key (exit 2). In-process, on the fake backend (its checkpoints are a few bytes: the
caps below are in billionths of a GB)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seedtui.cli import app
from seedtui.core.engine.config import ConfigError, load_sweep_config
from seedtui.core.engine.tomlwrite import dumps_toml
from seedtui.log.decisions import read_decisions
from seedtui.state.disk_use import GB, checkpoint_use, disk_use, format_size
from seedtui.testing.clock import FakeClock
from seedtui.testing.fake_backend import FakeBackend

from .inprocess import fake_backend, make_sweep, statuses, step_until, supervisor_on

FAKE_CHECKPOINT_BYTES = len(json.dumps({"step": 4}))
"""What a fake trainer's checkpoint takes at the milestone (step 4 of 8)."""


def _tfp_sweep(tmp_path: Path, clock: FakeClock, cap_bytes: float | None) -> tuple[Path, FakeBackend]:
    resources: dict[str, object] = {"max_concurrent": 2, "kill_grace_s": 5}
    if cap_bytes is not None:
        resources["max_checkpoint_gb"] = cap_bytes / GB
    sweep_dir = make_sweep(tmp_path, wi_seeds="1-3", do_seeds="1-3", resources=resources,
                           policy={"rule": "tfp", "tfp": {"t": 6, "f": 0.5, "p": 2}})
    return sweep_dir, fake_backend(sweep_dir, clock)


def test_disk_use_counts_every_file_once_and_the_checkpoints_apart(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    for trial, size in (("wi1-do1", 300), ("wi1-do2", 500)):
        (sweep / "trials" / trial / "checkpoint").mkdir(parents=True)
        (sweep / "trials" / trial / "checkpoint" / "checkpoint.pt").write_bytes(b"x" * size)
        (sweep / "trials" / trial / "events.jsonl").write_bytes(b"y" * 40)
    (sweep / "trials" / "wi1-do3").mkdir()
    (sweep / "decisions.jsonl").write_bytes(b"z" * 7)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "big").write_bytes(b"w" * 10_000)
    os.symlink(outside, sweep / "link")  # not followed: not the sweep's
    os.symlink(outside / "big", sweep / "trials" / "wi1-do3" / "big")
    use = disk_use(sweep)
    assert use.total_bytes == 300 + 500 + 2 * 40 + 7
    assert (use.checkpoints.bytes, use.checkpoints.trials, use.checkpoints.largest_bytes) == (800, 2, 500)
    assert checkpoint_use(tmp_path / "missing").bytes == 0
    assert [format_size(n) for n in (1_234_000_000, 261_400_000, 72_700, 7, 0)] == [
        "1.23 GB", "261 MB", "72.7 kB", "7 B", "0 B"]


def test_status_shows_the_disk_the_sweep_and_its_checkpoints_take(tmp_path: Path, clock: FakeClock) -> None:
    sweep_dir, backend = _tfp_sweep(tmp_path, clock, cap_bytes=1000)
    supervisor = supervisor_on(sweep_dir, backend, clock)
    step_until(supervisor, lambda: list(statuses(supervisor).values()).count("suspended") == 2,
               what="two cohort trials at their milestone")
    supervisor.write_state(force=True)
    result = CliRunner().invoke(app, ["status", str(sweep_dir)])
    assert result.exit_code == 0, result.output
    disk = next(line for line in result.output.splitlines() if line.startswith("disk: "))
    expected = disk_use(sweep_dir)
    checkpoints = format_size(2 * FAKE_CHECKPOINT_BYTES)
    assert disk == (f"disk: {format_size(expected.total_bytes)}, of which checkpoints {checkpoints} "
                    f"(2 trials) of max_checkpoint_gb = {1000 / GB:g}")


def test_status_of_a_recorded_sweep_without_a_supervisor_still_counts_and_sizes_it(tmp_path: Path) -> None:
    from seedtui.testing.trial_log import write_trial

    sweep_dir = tmp_path / "recorded"
    write_trial(sweep_dir, 1, 1, [0.6, 0.7], evals_per_epoch=2)
    write_trial(sweep_dir, 1, 2, [0.6], evals_per_epoch=2, status="stopped")
    result = CliRunner().invoke(app, ["status", str(sweep_dir)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "no supervisor (no supervisor.json): a recorded or copied sweep"
    assert lines[1] == "trials: completed 1  stopped 1"
    total = format_size(disk_use(sweep_dir).total_bytes)
    assert lines[2].startswith(f"disk: {total}, of which checkpoints 0 B")
    # a folder that is no sweep at all is still refused
    result = CliRunner().invoke(app, ["status", str(tmp_path)])
    assert result.exit_code == 2 and "is not a sweep directory" in result.output


def test_a_cap_the_tfp_cohort_cannot_fit_under_stops_the_sweep_in_one_line(
        tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]) -> None:
    # room for two checkpoints, and t = 6 must all be kept until the decision
    sweep_dir, backend = _tfp_sweep(tmp_path, clock, cap_bytes=2.5 * FAKE_CHECKPOINT_BYTES)
    supervisor = supervisor_on(sweep_dir, backend, clock)
    assert supervisor.run() == 2
    last = capsys.readouterr().out.splitlines()[-1]
    assert "[resources] max_checkpoint_gb" in last and "too small" in last and "Traceback" not in last
    assert checkpoint_use(sweep_dir).bytes <= 2.5 * FAKE_CHECKPOINT_BYTES  # never past the cap
    assert sorted(statuses(supervisor).values()).count("suspended") == 2
    assert read_decisions(sweep_dir) == []
    assert json.loads((sweep_dir / "supervisor.json").read_text())["exit_code"] == 2


def test_a_cap_the_cohort_fits_under_changes_nothing(tmp_path: Path, clock: FakeClock) -> None:
    sweep_dir, backend = _tfp_sweep(tmp_path, clock, cap_bytes=6 * FAKE_CHECKPOINT_BYTES)
    supervisor = supervisor_on(sweep_dir, backend, clock)
    assert supervisor.run() == 0
    assert sorted(statuses(supervisor).values()) == ["completed"] * 2 + ["stopped"] * 4
    assert checkpoint_use(sweep_dir).bytes == 0  # and none is kept after the sweep


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", '"ten"'])
def test_a_bad_cap_is_a_one_line_error_naming_the_key(tmp_path: Path, value: str) -> None:
    path = tmp_path / "bad.toml"
    document = dumps_toml({"name": "x", "task": "rte", "wi_seeds": [1], "do_seeds": [1],
                           "data": {"dir": str(tmp_path)}})
    path.write_text(document + f"\n[resources]\nmax_checkpoint_gb = {value}\n")
    with pytest.raises(ConfigError, match="resources.max_checkpoint_gb"):
        load_sweep_config(path)


def test_a_restarted_supervisor_counts_the_checkpoints_its_adopted_trials_will_write(
        tmp_path: Path, clock: FakeClock) -> None:
    sweep_dir, backend = _tfp_sweep(tmp_path, clock, cap_bytes=3.5 * FAKE_CHECKPOINT_BYTES)
    first = supervisor_on(sweep_dir, backend, clock)
    step_until(first, lambda: (list(statuses(first).values()).count("suspended") == 2
                               and len(first.running) == 1),
               what="two checkpoints kept and a third cohort trial on its way to its milestone")
    # the first supervisor is dropped as kill -9 would end it; the next one adopts the running trial
    second = supervisor_on(sweep_dir, backend, clock)
    assert len(second.running) == 1
    assert second.run() == 2  # a fourth would pass the cap: it was never launched
    assert len(backend.launches) == 3
    assert checkpoint_use(sweep_dir).bytes <= 3.5 * FAKE_CHECKPOINT_BYTES
