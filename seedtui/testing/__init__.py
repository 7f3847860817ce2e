"""Fakes and SYNTHETIC sweeps shared by the tests and the benchmarks (fixtures, not results).

They live in the package, not under ``tests/``, so ``bench/`` programs and the tests build the same
sweeps from one implementation. Nothing here is imported by seedtui itself, and this package imports
no Textual and no torch. Modules:

- ``trial_log``: one trial's event log with given eval scores (the one start-event fixture);
- ``curves``: RTE-like curve matrices and sweeps written from them (statistics, planner);
- ``replay_sweep``: a timed sweep with every trial status and a decision (replay, TUI);
- ``fake_backend``, ``clock``: the supervisor's fake backend and injected clock;
- ``cli``: the ``seedtui`` command run in-process, to its exit code.
"""
