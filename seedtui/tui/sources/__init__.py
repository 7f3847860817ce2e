"""Where the app's events come from: a live sweep directory, a replay, or a fake (tests).

Every source has the same shape (``EventSource``): it produces batches in its own thread (or on
demand), calls the app's ``notify`` callback when there is something new, and the app drains the
batch on its own thread. Actions (kill, t/f/p, pause) go through the source, so a live sweep
sends engine commands and a replay rehearses them on a simulated copy.
"""

from seedtui.tui.sources.base import EventSource, SourceStatus, SourceUpdate
from seedtui.tui.sources.live import LiveSource
from seedtui.tui.sources.replay import ReplaySource

__all__ = ["EventSource", "LiveSource", "ReplaySource", "SourceStatus", "SourceUpdate"]
