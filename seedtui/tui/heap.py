"""The seedtui commands' use of Python's garbage collector while a sweep opens.

Everything an opening sweep makes lives as long as the app: the interpreter's start-up (modules,
classes, Textual: ~100,000 objects), the sweep's parsed logs, its trial states. The collector's
passes over them find nothing to free, and opening a 625-trial replay cost ~65 ms of them (measured
in a fresh process with ``gc.callbacks``: 200 young, 18 middle and one full collection). So the
commands take the start-up's objects out of its view (``freeze_startup_heap``) and pause it until
the sweep is loaded and shown (``resume_after_loading``): then one collection frees what the
opening left behind, and what survives is set aside too, so that later collections (a key press, a
live update) walk only what is new. Tests make many apps in one process and call neither: what is
set aside is never freed.
"""

from __future__ import annotations

import gc

RESUME_AFTER_LOADED_SECONDS = 1.0
"""How long after a sweep is loaded the paused collector resumes: after the screens that show it,
so that its one full collection (~25 ms at 625 trials) does not delay them."""

_paused = False


def freeze_startup_heap() -> None:
    """Set the interpreter's start-up objects aside for good and pause collections until
    ``resume_after_loading``. Called once by the ``seedtui`` commands before the app and its source
    are made (not by ``create_app``)."""
    global _paused
    gc.freeze()
    gc.disable()
    _paused = True


def collection_paused() -> bool:
    return _paused


def resume_after_loading() -> None:
    """Resume collections paused by ``freeze_startup_heap`` (nothing when none are): one full
    collection now, and what survives it set aside with the start-up's objects."""
    global _paused
    if not _paused:
        return
    _paused = False
    gc.collect()
    gc.freeze()
    gc.enable()
