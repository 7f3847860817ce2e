"""Where seedtui keeps what it can always make again: the trainer's tokenized data and the parsed
logs of replays. One root for both, so one variable moves or switches off every cache:

- ``$SEEDTUI_CACHE_DIR`` when set (``off``, ``no``, ``0`` or empty: no cache at all);
- else ``$XDG_CACHE_HOME/seedtui``;
- else ``~/.cache/seedtui``.

Each cache has its own directory under the root (``tokenized``, ``logs``). Nothing here creates
a directory: each cache makes its own when it first writes, and skips writing when it cannot.
"""

from __future__ import annotations

import os
from pathlib import Path

OFF_VALUES = ("", "off", "no", "0")


def seedtui_cache(name: str) -> Path | None:
    """The directory of the cache ``name`` under the root, or None when caching is off."""
    root = cache_root()
    return None if root is None else root / name


def cache_root() -> Path | None:
    """The root of seedtui's caches, or None when caching is off."""
    configured = os.environ.get("SEEDTUI_CACHE_DIR")
    if configured is not None:
        return None if configured.strip().lower() in OFF_VALUES else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "seedtui"
