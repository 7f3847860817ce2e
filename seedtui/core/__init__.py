"""The core: event log, trial state, statistics, planner, engine and replay timing.

Nothing under ``seedtui.core`` imports Textual or torch (tests/test_import_hygiene.py checks it),
so the headless mode, the statistics and the engine run without a screen or a GPU stack.
"""
