"""The multi-trial worker (``trainers.pack``) in this process: a trial trained in a pack writes exactly
the log it writes alone (losses, learning rates, scores, evaluation steps: compared with ``==``, no
tolerance), a trial stopped in a pack leaves its pack-mates' logs unchanged, and a trial suspended at
its milestone in a pack resumes alone or in another pack to the same end as a straight run alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from seedtui.log import EVENTS_FILE, read_events
from seedtui.log.pack_queue import DoneRecords, submit
from trainers.pack import PackWorker

SEEDS = [(1, 1), (1, 2), (2, 1), (2, 2)]


def trial_name(wi: int, do: int) -> str:
    return f"wi{wi}-do{do}"


def seed_flags(wi: int, do: int, trial_dir: Path) -> list[str]:
    return ["--wi-seed", str(wi), "--do-seed", str(do), "--trial-dir", str(trial_dir)]


def read_log(trial_dir: Path) -> list[dict[str, Any]]:
    result = read_events(trial_dir / EVENTS_FILE, final=True)
    assert result.malformed == 0
    return result.events


def comparable(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events without what says when and where they were written (time, pid, trial directory)."""
    kept = []
    for event in events:
        event = {k: v for k, v in event.items() if k not in ("t", "pid")}
        if "config" in event:
            event["config"] = {k: v for k, v in event["config"].items()
                               if k not in ("trial_dir", "stop_at_fraction", "resume")}
        kept.append(event)
    return kept


def training(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The train and eval events: what a suspend and resume must not change."""
    return [event for event in comparable(events) if event["event"] in ("train", "eval")]


@pytest.fixture(scope="module")
def alone(base_flags: list[str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """Each trial of SEEDS trained alone by ``trainers.finetune`` (shared by this module's tests)."""
    from trainers.finetune import main

    root = tmp_path_factory.mktemp("alone")
    logs = {}
    for wi, do in SEEDS:
        trial_dir = root / trial_name(wi, do)
        assert main([*base_flags, *seed_flags(wi, do, trial_dir)]) == 0
        logs[trial_name(wi, do)] = read_log(trial_dir)
    return logs


def queue_trials(pack_dir: Path, root: Path, base_flags: list[str], seeds: list[tuple[int, int]],
                 *extra: str) -> dict[str, float]:
    """Queue one ``run`` per seed pair to the worker of ``pack_dir``; trial -> its launch stamp."""
    launches = {}
    for n, (wi, do) in enumerate(seeds):
        name = trial_name(wi, do)
        (root / name).mkdir(parents=True, exist_ok=True)
        argv = [*base_flags, *seed_flags(wi, do, root / name), *extra]
        launches[name] = float(n)
        assert submit(pack_dir, {"op": "run", "trial": name, "trial_dir": str(root / name), "argv": argv,
                                 "launch": float(n)})
    return launches


def run_pack(worker: PackWorker, *, rounds: int | None = None) -> None:
    """Take the queued work and train until every trial has left the pack (or for ``rounds`` rounds)."""
    done = 0
    worker.take_work()
    while worker.trials and (rounds is None or done < rounds):
        worker.round()
        worker.take_work()
        done += 1


def test_a_pack_of_four_trains_each_trial_exactly_as_alone(
        alone: dict[str, list[dict[str, Any]]], base_flags: list[str], tmp_path: Path) -> None:
    pack_dir = tmp_path / "pack"
    pack_dir.mkdir()
    launches = queue_trials(pack_dir, tmp_path / "trials", base_flags, SEEDS)
    worker = PackWorker(pack_dir)
    run_pack(worker)
    assert not worker.trials
    assert DoneRecords(pack_dir).poll() == {(name, launch): 0 for name, launch in launches.items()}
    for name, expected in alone.items():
        packed = read_log(tmp_path / "trials" / name)
        assert packed[-1]["status"] == "completed"
        assert comparable(packed) == comparable(expected), name  # exact: losses, lr, scores, steps, start
    losses = {name: [e["loss"] for e in events if e["event"] == "train"] for name, events in alone.items()}
    assert len({tuple(v) for v in losses.values()}) == len(SEEDS)  # the four trials do differ


def test_stopping_one_trial_of_a_pack_leaves_the_other_three_unchanged(
        alone: dict[str, list[dict[str, Any]]], base_flags: list[str], tmp_path: Path) -> None:
    pack_dir = tmp_path / "pack"
    pack_dir.mkdir()
    root = tmp_path / "trials"
    launches = queue_trials(pack_dir, root, base_flags, SEEDS)
    worker = PackWorker(pack_dir)
    run_pack(worker, rounds=3)
    victim = trial_name(*SEEDS[1])
    (root / victim / "stop_request.json").write_text(json.dumps({"by": "user", "reason": "looks hopeless"}))
    assert submit(pack_dir, {"op": "stop", "trial": victim, "launch": launches[victim]})
    run_pack(worker)
    stopped = read_log(root / victim)
    assert stopped[-1]["status"] == "stopped" and stopped[-1]["by"] == "user"
    assert stopped[-1]["reason"] == "looks hopeless" and stopped[-1]["step"] == 3
    assert comparable(stopped[:-1]) == comparable(alone[victim])[:len(stopped) - 1]  # its steps were its own
    for name in alone:
        if name != victim:
            assert comparable(read_log(root / name)) == comparable(alone[name]), name


def test_a_trial_suspended_in_a_pack_resumes_alone_or_in_another_pack_to_the_straight_end(
        alone: dict[str, list[dict[str, Any]]], base_flags: list[str], tmp_path: Path) -> None:
    from trainers.finetune import main

    root = tmp_path / "trials"
    first = tmp_path / "pack1"
    first.mkdir()
    queue_trials(first, root, base_flags, SEEDS[:2], "--stop-at-fraction", "0.5")
    queue_trials(first, root, base_flags, SEEDS[2:])  # pack-mates that train straight through
    run_pack(PackWorker(first))
    suspended = [trial_name(*seeds) for seeds in SEEDS[:2]]
    for name in suspended:
        assert read_log(root / name)[-1]["status"] == "suspended"
    alone_name, packed_name = suspended
    wi, do = SEEDS[0]
    assert main([*base_flags, *seed_flags(wi, do, root / alone_name), "--resume"]) == 0
    second = tmp_path / "pack2"
    second.mkdir()
    queue_trials(second, root, base_flags, [SEEDS[1]], "--resume")
    run_pack(PackWorker(second))
    for name in alone:
        log = read_log(root / name)
        assert log[-1]["status"] == "completed"
        assert training(log) == training(alone[name]), name


def test_a_trial_the_worker_cannot_start_exits_2_alone_and_sigterm_stops_the_whole_pack(
        base_flags: list[str], tmp_path: Path) -> None:
    pack_dir = tmp_path / "pack"
    pack_dir.mkdir()
    root = tmp_path / "trials"
    launches = queue_trials(pack_dir, root, base_flags, SEEDS[:2])
    broken = queue_trials(pack_dir, root, base_flags, [SEEDS[2]], "--resume")  # no checkpoint to resume
    worker = PackWorker(pack_dir)
    run_pack(worker, rounds=2)
    name = trial_name(*SEEDS[2])
    assert DoneRecords(pack_dir).poll() == {(name, broken[name]): 2}  # exit 2, as the trainer alone
    assert "no checkpoint" in (root / name / "stderr.log").read_text().splitlines()[-1]
    assert not (root / name / EVENTS_FILE).exists()
    worker.stop_all("SIGTERM")  # what the worker's SIGTERM handler leads to
    late = {"op": "run", "trial": "late", "trial_dir": str(root), "argv": [], "launch": 9.0}
    assert not submit(pack_dir, late)  # it takes no more work
    run_pack(worker)
    for trial in launches:
        end = read_log(root / trial)[-1]
        assert end["status"] == "stopped" and end["by"] == "signal" and end["step"] == 2
    assert len(DoneRecords(pack_dir).poll()) == 3
