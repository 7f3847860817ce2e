"""seedtui.core.replay: timing, delivery, and actions on the simulated copy (no app)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seedtui.core.recording import read_recording
from seedtui.core.replay import ReplayClock, ReplayTimeline, load_sweep_recordings, load_timeline
from seedtui.core.view.sweep_model import SweepModel
from seedtui.log import parse_trial_id, read_events
from seedtui.testing.replay_sweep import T0


def test_clock_scales_wall_time_by_speed_and_stops_when_paused() -> None:
    clock = ReplayClock(speed=4.0)
    clock.tick(100.0)
    assert clock.tick(102.5) == pytest.approx(10.0)
    clock.toggle_pause()
    assert clock.tick(200.0) == pytest.approx(10.0)
    clock.toggle_pause()
    clock.faster()
    assert clock.speed == 8.0
    assert clock.tick(201.0) == pytest.approx(18.0)
    for _ in range(40):
        clock.slower()
    assert clock.speed == pytest.approx(1 / 16)


def _events_until(logs: dict[str, list[dict]], t0: float, position: float) -> dict[str, list[dict]]:
    return {trial: [e for e in events if e["t"] - t0 <= position] for trial, events in logs.items()}


def test_advance_delivers_each_trials_events_up_to_the_position_in_order(sweep_dir: Path) -> None:
    logs = {trial: r.events() for trial, r in load_sweep_recordings(sweep_dir).items()}
    timeline = ReplayTimeline(logs)
    assert timeline.t0 == T0
    delivered: dict[str, list[dict]] = {}
    for position in (0.0, 5.5, 30.0, 30.0, 61.2):
        events, _ = timeline.advance_to(position)
        for trial, event in events:
            delivered.setdefault(trial, []).append(event)
    expected = {t: e for t, e in _events_until(logs, T0, 61.2).items() if e}
    assert delivered == expected
    events, _ = timeline.advance_to(10.0)  # never backwards
    assert events == [] and timeline.position == 61.2


def test_decisions_arrive_at_their_time(sweep_dir: Path) -> None:
    timeline = load_timeline(sweep_dir)
    decision_t = timeline.decisions[0]["t"] - T0
    assert timeline.advance_to(decision_t - 0.01)[1] == []
    assert [d["trial"] for d in timeline.advance_to(decision_t)[1]] == ["wi1-do1"]


def test_to_end_delivers_everything_and_next_eval_steps(sweep_dir: Path) -> None:
    logs = {trial: r.events() for trial, r in load_sweep_recordings(sweep_dir).items()}
    timeline = ReplayTimeline(logs)
    first_eval = min(e["t"] for events in logs.values() for e in events if e["event"] == "eval") - T0
    assert timeline.next_eval_position() == pytest.approx(first_eval)
    events, _ = timeline.to_end()
    assert len(events) == sum(len(e) for e in logs.values())
    assert timeline.next_eval_position() is None


def test_simulated_kill_truncates_the_trial_and_ends_it_stopped(sweep_dir: Path) -> None:
    timeline = load_timeline(sweep_dir)
    model = SweepModel(sweep_dir)
    model.apply(timeline.advance_to(60.0)[0])
    running = [t for t, s in model.trials.items() if s.status == "running"]
    victim = running[0]
    step_before = model.trials[victim].last_step
    assert timeline.kill(victim) is True
    model.apply(timeline.to_end()[0])
    state = model.trials[victim]
    assert state.status == "stopped" and state.stopped_by == "user"
    assert state.end_reason.startswith("SIMULATED")
    assert state.last_step == step_before
    assert timeline.kill(victim) is False  # already ended
    assert [d.trial for d in timeline.simulated] == [victim]
    # nothing was written: the log on disk still has every recorded event
    assert (
        len(read_events(sweep_dir / "trials" / victim / "events.jsonl", final=True).events)
        > len(state.train_losses) + len(state.eval_scores) + 1
    )


def test_simulated_tfp_keeps_the_p_best_at_the_milestone(sweep_dir: Path) -> None:
    logs = {trial: r.events() for trial, r in load_sweep_recordings(sweep_dir).items()}
    timeline = ReplayTimeline(logs)
    t, f, p = 12, 0.5, 3
    decisions = timeline.apply_tfp(t, f, p)
    stopped = {d.trial for d in timeline.simulated}
    model = SweepModel(sweep_dir)
    model.apply(timeline.to_end()[0])
    # no sweep.toml: the launch order is the grid, WI-major; the cohort is its first t trials
    order = sorted(logs, key=lambda trial: parse_trial_id(trial) or (0, 0))
    chosen = order[:t]
    assert set(order[t:]) <= stopped

    # independently: the milestone is evaluation k of E (f snapped to k/E); the score there is the
    # best of the first k evaluations; trials whose log ends before it are not compared
    def score_at_milestone(trial: str) -> float | None:
        events = logs[trial]
        start = events[0]
        evals = start["epochs"] * min(start["evals_per_epoch"], start["steps_per_epoch"])
        k = max(1, min(evals, int(f * evals + 0.5)))
        scores = [e["score"] for e in events if e["event"] == "eval"][:k]
        return max(scores) if len(scores) == k else None

    ranked = sorted(((s, trial) for trial in chosen if (s := score_at_milestone(trial)) is not None),
                    key=lambda pair: (-pair[0], order.index(pair[1])))
    assert [d.trial for d in decisions] == [trial for _, trial in ranked]
    assert [d.score for d in decisions] == [score for score, _ in ranked]
    kept = {trial for _, trial in ranked[:p]}
    assert {d.trial for d in decisions if d.action == "promote"} == kept
    for _, trial in ranked[p:]:
        assert trial in stopped
        assert model.trials[trial].status == "stopped"
        start = logs[trial][0]
        evals = start["epochs"] * min(start["evals_per_epoch"], start["steps_per_epoch"])
        assert len(model.trials[trial].eval_scores) == int(f * evals + 0.5)  # stopped right after eval k
    assert not kept & stopped


def test_rehearsing_the_recorded_tfp_sweep_reproduces_its_decisions() -> None:
    """Replaying sample_logs/cola-minilm-tfp with its recorded t, f, p decides exactly as its
    supervisor did: the same trials, actions, ranks, scores, thresholds and reasons."""
    sweep = Path(__file__).resolve().parents[2] / "sample_logs" / "cola-minilm-tfp"
    recorded = [json.loads(line) for line in (sweep / "decisions.jsonl").read_text().splitlines()]
    timeline = load_timeline(sweep)
    rehearsed = timeline.apply_tfp(12, 0.3, 4)
    fields = ("trial", "action", "rule", "rung", "rank", "of", "score", "threshold", "reason")
    assert [{k: d.to_dict()[k] for k in fields} for d in rehearsed] == [
        {k: r[k] for k in fields} for r in recorded]
    # and the rehearsal stops the stopped trials right after their milestone evaluation, as the run did
    model = SweepModel(sweep)
    model.apply(timeline.to_end()[0])
    for decision in recorded:
        state = model.trials[decision["trial"]]
        if decision["action"] == "stop":
            assert state.status == "stopped" and len(state.eval_scores) == 9
        else:
            assert state.status == "completed" and len(state.eval_scores) == 30


def test_paused_queue_holds_unstarted_trials_until_resumed(sweep_dir: Path) -> None:
    timeline = load_timeline(sweep_dir)
    model = SweepModel(sweep_dir)
    model.apply(timeline.advance_to(10.0)[0])
    held = timeline.pause_queue()
    assert held and all(model.trials.get(t) is None for t in held)
    model.apply(timeline.advance_to(100.0)[0])
    assert all(t not in model.trials for t in held)
    released = timeline.resume_queue()
    assert set(released) == set(held)
    logs = timeline.logs
    overdue = {t for t in held if logs[t][0]["t"] - T0 < 100.0}
    assert overdue and overdue != set(held)
    events, _ = timeline.advance_to(100.0)
    # the overdue ones start now, from their first event, rather than catching up on the time they were held
    assert {t for t, e in events if e["event"] == "start"} == overdue
    assert all(e["event"] == "start" for t, e in events if t in held)


def test_fast_reader_matches_the_tolerant_reader(tmp_path: Path, sweep_dir: Path) -> None:
    good = sweep_dir / "trials" / "wi2-do2" / "events.jsonl"
    assert read_recording(good).events() == read_events(good, final=True).events
    bad = tmp_path / "events.jsonl"
    lines = good.read_text().splitlines()
    bad.write_text(
        "\n".join([lines[0], "not json", json.dumps({"event": "train", "t": 1.0}), "", *lines[1:5]])
        + "\n"
        + lines[5][:10]
    )
    assert read_recording(bad).events() == read_events(bad, final=True).events
    assert len(read_recording(bad).events()) == 5
