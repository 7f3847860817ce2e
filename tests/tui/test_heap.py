"""The commands pause the garbage collector while a sweep opens and resume it once the sweep is
shown (``seedtui.tui.heap``); run in a process of its own, as ``seedtui replay`` runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample_logs" / "cola-minilm-5x5"

_SCRIPT = """
import asyncio, gc, json, sys
from pathlib import Path
from seedtui.tui import heap
from seedtui.tui.app import create_app, freeze_startup_heap
from seedtui.tui.sources.replay import ReplaySource

heap.RESUME_AFTER_LOADED_SECONDS = 0.2
seen = {"enabled_before": gc.isenabled()}
freeze_startup_heap()
seen["frozen_at_start"] = gc.get_freeze_count()

async def main():
    app = create_app(ReplaySource(Path(sys.argv[1]), speed=1.0), stats_seconds=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        while app.source.loading:
            await asyncio.sleep(0.01)
        seen["paused_while_loading"] = not gc.isenabled()
        for _ in range(300):  # the resume comes RESUME_AFTER_LOADED_SECONDS after the loaded screen
            await pilot.pause(0.01)
            if gc.isenabled():
                break
        seen["enabled_after"] = gc.isenabled()
        seen["frozen_after"] = gc.get_freeze_count()

asyncio.run(main())
print(json.dumps(seen))
"""


def test_collections_pause_while_a_replay_opens_and_resume_once_it_is_shown(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", _SCRIPT, str(SAMPLE)], capture_output=True, text=True,
                          timeout=120, cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO), "SEEDTUI_CACHE_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["enabled_before"] and seen["paused_while_loading"] and seen["enabled_after"]
    assert seen["frozen_after"] > seen["frozen_at_start"] > 0  # what the opening made is set aside too
