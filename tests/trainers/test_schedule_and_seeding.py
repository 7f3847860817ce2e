"""The eval schedule, the suspend milestone and the DO seed's epoch orders, as pure functions."""

from __future__ import annotations

import torch

from seedtui.policy.schedule import eval_schedule, steps_per_epoch
from seedtui.policy.tfp_rule import suspend_step
from trainers.seeding import epoch_order, seed_random_streams


def test_steps_per_epoch_keeps_the_last_partial_batch() -> None:
    assert steps_per_epoch(64, 16) == 4
    assert steps_per_epoch(65, 16) == 5


def test_ten_evals_per_epoch_are_evenly_spaced_and_end_each_epoch() -> None:
    # RTE: 2490 / 16
    schedule = eval_schedule(steps_in_epoch=156, evals_per_epoch=10, epochs=3, protocol="default")
    steps = [e.step for e in schedule]
    assert len(steps) == 30 and steps[:10] == [15, 31, 46, 62, 78, 93, 109, 124, 140, 156]
    assert steps[10:20] == [156 + s for s in steps[:10]]
    assert [e.step for e in schedule if e.epoch_end] == [156, 312, 468]
    assert [e.index for e in schedule] == list(range(30))


def test_an_epoch_shorter_than_the_eval_count_evaluates_after_every_step() -> None:
    schedule = eval_schedule(steps_in_epoch=3, evals_per_epoch=10, epochs=2, protocol="default")
    assert [e.step for e in schedule] == [1, 2, 3, 4, 5, 6]
    assert [e.epoch_end for e in schedule] == [False, False, True] * 2


def test_the_suspend_step_is_always_a_scheduled_evaluation() -> None:
    rte = [e.step for e in eval_schedule(156, 10, 3, protocol="default")]
    # f = 0.2 of RTE: round(0.2 * 468) = 94 is off the schedule; the milestone is eval 6, step 93
    assert suspend_step(0.2, rte) == 93
    assert suspend_step(0.3, rte) == rte[8]
    assert all(suspend_step(k / 30, rte) == rte[k - 1] for k in range(1, 30))
    assert suspend_step(0.01, rte) == rte[0]  # at least one evaluation
    assert suspend_step(1.0, rte) is None  # f = 1 is the end: nothing to suspend
    assert suspend_step(0.99, rte) is None  # snaps to 30/30


def test_epoch_orders_depend_on_the_do_seed_and_epoch_only() -> None:
    order = epoch_order(7, 0, 100)
    assert sorted(order.tolist()) == list(range(100))
    assert torch.equal(order, epoch_order(7, 0, 100))
    assert not torch.equal(order, epoch_order(8, 0, 100))
    assert not torch.equal(order, epoch_order(7, 1, 100))
    # drawing from the global RNG (as dropout does) does not move the order
    torch.manual_seed(123)
    torch.rand(1000)
    assert torch.equal(order, epoch_order(7, 0, 100))


def test_seeding_gives_each_stream_its_own_seed() -> None:
    streams = seed_random_streams(wi_seed=1, do_seed=2, dropout_seed=3)
    after_seeding = torch.rand(5)
    torch.manual_seed(3)
    assert torch.equal(after_seeding, torch.rand(5))  # the global RNG follows the dropout seed
    head_draw = torch.normal(0.0, 0.02, size=(4,), generator=streams.head_init)
    wi_generator = torch.Generator().manual_seed(1)
    assert torch.equal(head_draw, torch.normal(0.0, 0.02, size=(4,), generator=wi_generator))
    assert torch.equal(streams.epoch_order(0, 10), epoch_order(2, 0, 10))
