"""Importers for runs already made: Hugging Face ``trainer_state.json`` files and long tables.

Each importer turns its input into ``ImportedRun`` records (pure parsing: no Textual, no torch, and
nothing is ever unpickled), and ``sweep_writer`` writes them as a normal sweep directory through
``seedtui.log``, so replay, stats, plan and report read an imported sweep like a recorded one.
Bad input raises ``ImportInputError`` with a message meant for the person who ran the import.
"""

from __future__ import annotations

from seedtui.importers.imported_run import EvalPoint, ImportedRun, ImportInputError, TrainPoint
from seedtui.importers.sweep_writer import write_sweep

__all__ = ["EvalPoint", "ImportInputError", "ImportedRun", "TrainPoint", "write_sweep"]
