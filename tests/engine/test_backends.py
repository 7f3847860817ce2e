"""The local, Ray and fake backends implement the one interface the supervisor talks to."""

from __future__ import annotations

import inspect

import pytest

from seedtui.core.engine.backend import Backend
from seedtui.core.engine.local_backend import LocalBackend
from seedtui.core.engine.ray_backend.backend import RayBackend
from seedtui.testing.fake_backend import FakeBackend

METHODS = sorted(name for name, value in vars(Backend).items()
                 if callable(value) and not name.startswith("_"))


def test_the_interface_has_the_operations_the_supervisor_needs() -> None:
    assert METHODS == ["adopt", "is_ours", "launch", "nodes", "orphan_is_lost", "poll", "requeue_reason",
                       "signal", "slots", "where"]


@pytest.mark.parametrize("backend", [LocalBackend, RayBackend, FakeBackend])
def test_each_backend_implements_every_operation_with_its_signature(backend: type) -> None:
    for name in METHODS:
        implementation = getattr(backend, name, None)
        assert callable(implementation), f"{backend.__name__} has no {name}"
        expected = list(inspect.signature(getattr(Backend, name)).parameters)
        assert list(inspect.signature(implementation).parameters) == expected, f"{backend.__name__}.{name}"
    assert isinstance(backend.name, str)
