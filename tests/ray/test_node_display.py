"""Where each trial runs, as the headless mode shows it: read from real sweep-directory files
(``ray.json`` launch records, ``supervisor.json``, trial logs) without a cluster."""

from __future__ import annotations

import io
import os
import socket
from pathlib import Path
from typing import Any

from rich.console import Console

from seedtui.core.engine.control import write_state
from seedtui.core.engine.headless import follow_sweep, render_summary, status_line
from seedtui.core.engine.trial_nodes import ray_backend, sweep_nodes, trials_per_node
from seedtui.log import EVENTS_FILE, TRIALS_DIR, append_event, parse_trial_id
from seedtui.log.files import SUMMARY_FILE
from seedtui.log.launch_records import RayLaunchRecord
from seedtui.state import load_trial

HEAD_ID, WORKER_ID = "a1" * 28, "b2" * 28  # Ray node ids are 56 hex digits


def start_trial(sweep_dir: Path, trial: str, *, host: str, t: float = 1000.0) -> Path:
    """A trial directory whose log holds a valid start event written by ``host``."""
    wi, do = parse_trial_id(trial) or (0, 0)
    directory = sweep_dir / TRIALS_DIR / trial
    append_event(directory / EVENTS_FILE, "start", t=t, schema=1, trial=trial, wi_seed=wi, do_seed=do,
                 task="rte", model="tiny", metric="accuracy", greater_is_better=True, epochs=1,
                 steps_per_epoch=2, total_steps=2, evals_per_epoch=1, batch_size=8, lr=1e-4,
                 train_size=16, eval_size=8, majority_baseline=0.5, pid=4242, host=host, config={})
    return directory


def place_on_ray(directory: Path, node_id: str, node_ip: str) -> None:
    """The launch record as the Ray backend leaves it once the actor has said where it runs."""
    RayLaunchRecord(actor_name=f"{directory.name}.0000abcd", namespace="ns", started=1000.0, resume=False,
                    stop_at_fraction=None, events_local_start=0, stderr_local_start=0,
                    shared_storage=False, node_id=node_id, node_ip=node_ip).write(directory)


def states_of(sweep_dir: Path) -> list[Any]:
    return [load_trial(p / EVENTS_FILE) for p in sorted((sweep_dir / TRIALS_DIR).iterdir())]


def test_ray_trials_are_labelled_by_ip_and_node_id_so_nodes_sharing_an_ip_differ(tmp_path: Path) -> None:
    for trial, node in (("wi1-do1", HEAD_ID), ("wi2-do1", WORKER_ID), ("wi3-do1", WORKER_ID)):
        place_on_ray(start_trial(tmp_path, trial, host="vm"), node, "127.0.0.1")
    nodes = sweep_nodes(tmp_path, states_of(tmp_path), supervisor_state={"backend": "ray"})
    assert nodes == {"wi1-do1": "127.0.0.1 (a1a1a1a1)", "wi2-do1": "127.0.0.1 (b2b2b2b2)",
                     "wi3-do1": "127.0.0.1 (b2b2b2b2)"}
    assert trials_per_node(nodes) == [("127.0.0.1 (b2b2b2b2)", 2), ("127.0.0.1 (a1a1a1a1)", 1)]


def test_before_its_record_names_a_node_a_ray_trial_takes_the_supervisors_word_then_its_host(
        tmp_path: Path) -> None:
    placed = start_trial(tmp_path, "wi1-do1", host="gpu-node-7")
    RayLaunchRecord(actor_name="wi1-do1.0000abcd", namespace="ns", started=1000.0, resume=False,
                    stop_at_fraction=None, events_local_start=0, stderr_local_start=0,
                    shared_storage=False).write(placed)  # written at launch, before placement
    start_trial(tmp_path, "wi2-do1", host="gpu-node-8")
    supervisor = {"backend": "ray", "nodes": {"wi1-do1": "10.0.0.7"}}
    assert sweep_nodes(tmp_path, states_of(tmp_path), supervisor_state=supervisor) == {
        "wi1-do1": "10.0.0.7", "wi2-do1": "gpu-node-8"}


def test_local_trials_on_the_supervisors_machine_get_no_label_and_those_elsewhere_do(
        tmp_path: Path) -> None:
    start_trial(tmp_path, "wi1-do1", host="box-a")
    start_trial(tmp_path, "wi2-do1", host="box-b")
    (tmp_path / TRIALS_DIR / "wi3-do1").mkdir()  # queued: no log yet
    states = states_of(tmp_path)
    assert sweep_nodes(tmp_path, states, supervisor_state={"backend": "local", "host": "box-a"}) == {
        "wi2-do1": "box-b"}
    # no supervisor state: the supervisor is taken to run here
    assert sweep_nodes(tmp_path, states, supervisor_state=None, this_host="box-b") == {"wi1-do1": "box-a"}


def test_the_supervisor_state_decides_the_backend_and_without_one_ray_records_do(tmp_path: Path) -> None:
    directory = start_trial(tmp_path, "wi1-do1", host="vm")
    assert not ray_backend(None, [directory])
    place_on_ray(directory, HEAD_ID, "10.0.0.2")
    assert ray_backend(None, [directory])
    # a sweep run on Ray before and locally now: the old record no longer says where it runs
    assert not ray_backend({"backend": "local"}, [directory])


def test_status_line_and_summary_show_the_nodes() -> None:
    from seedtui.state import TrialState

    running = TrialState(trial_id="wi1-do1", status="running")
    line = status_line([running], 4, {"wi1-do1": "10.0.0.2 (a1a1a1a1)"})
    assert line.splitlines()[1].rstrip().endswith("on 10.0.0.2 (a1a1a1a1)")
    assert "on " not in status_line([running], 4).splitlines()[1]

    summary = {"sweep": "s", "policy": "none", "counts": {"completed": 3}, "grid_size": 3, "planned": 3}
    nodes = {"wi1-do1": "10.0.0.2 (a1a1a1a1)", "wi2-do1": "10.0.0.3 (b2b2b2b2)",
             "wi3-do1": "10.0.0.3 (b2b2b2b2)"}
    text = _render(render_summary(summary, nodes))
    assert "nodes" in text and "10.0.0.3 (b2b2b2b2): 2 trials  10.0.0.2 (a1a1a1a1): 1 trial" in text
    assert "nodes" not in _render(render_summary(summary))


def test_headless_follow_prints_each_trials_node_in_its_lines_and_summary(tmp_path: Path) -> None:
    # a finished Ray sweep as the supervisor leaves it: two trials, one per node, both completed
    for trial, node, ip in (("wi1-do1", HEAD_ID, "10.0.0.2"), ("wi2-do1", WORKER_ID, "10.0.0.3")):
        directory = start_trial(tmp_path, trial, host="vm")
        place_on_ray(directory, node, ip)
        append_event(directory / EVENTS_FILE, "end", t=1010.0, status="completed", step=2, reason="",
                     best_score=0.75)
    write_state(tmp_path, {"pid": os.getpid(), "host": socket.gethostname(), "started": 1000.0,
                           "heartbeat": 1010.0, "state": "finished", "exit_code": 0,
                           "planned": ["wi1-do1", "wi2-do1"], "backend": "ray", "nodes": {}})
    (tmp_path / SUMMARY_FILE).write_text('{"sweep": "s", "policy": "none", "counts": {"completed": 2}}')
    out = io.StringIO()
    assert follow_sweep(tmp_path, Console(file=out, width=200), poll_s=0.01) == 0
    lines = out.getvalue().splitlines()
    assert any(line.endswith("wi1-do1 started on 10.0.0.2 (a1a1a1a1)") for line in lines)
    assert any("wi2-do1 ended completed on 10.0.0.3 (b2b2b2b2) at step 2" in line for line in lines)
    assert any("10.0.0.2 (a1a1a1a1): 1 trial  10.0.0.3 (b2b2b2b2): 1 trial" in line for line in lines)


def _render(renderable: Any) -> str:
    out = io.StringIO()
    Console(file=out, width=200).print(renderable)
    return out.getvalue()
