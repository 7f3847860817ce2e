"""Starting a sweep's supervisor as a detached process, the way tmux keeps a session.

The supervisor gets its own session (no controlling terminal, so a dropped SSH connection sends
it no SIGHUP), stdin from /dev/null and its output in ``SWEEP_DIR/supervisor.log``. It outlives
the client that started it; clients find it again through ``supervisor.json``.
"""

from __future__ import annotations

import subprocess
import sys
import time
import tomllib
from pathlib import Path

from seedtui.core.engine.config import (
    ConfigError,
    SweepConfig,
    load_sweep_config,
    parse_sweep_config,
    training_identity,
    write_resolved_config,
)
from seedtui.core.engine.control import SUPERVISOR_MODULE, read_state, supervisor_status
from seedtui.log.files import SUPERVISOR_LOG_FILE, SWEEP_CONFIG_FILE, TRIALS_DIR

SUPERVISOR_LOG = SUPERVISOR_LOG_FILE
START_TIMEOUT_S = 30.0


class SupervisorStartError(RuntimeError):
    """The supervisor process exited before it took charge of the sweep."""


def prepare_sweep(config: SweepConfig) -> Path:
    """Create the sweep directory and write ``sweep.toml``; refuse a directory that holds a sweep
    trained with different settings (its trials would not be comparable)."""
    sweep_dir = config.sweep_dir
    resolved = sweep_dir / SWEEP_CONFIG_FILE
    if resolved.exists():
        try:
            earlier = parse_sweep_config(tomllib.loads(resolved.read_text(encoding="utf-8")), base=sweep_dir)
        except (ConfigError, tomllib.TOMLDecodeError, OSError):
            earlier = None
        if earlier is not None:
            old, new = training_identity(earlier), training_identity(config)
            for section in new:
                if old.get(section) != new.get(section):
                    raise ConfigError(section, f"differs from the sweep already in {sweep_dir} "
                                               f"({old.get(section)!r} there); use another sweep_dir")
    sweep_dir.mkdir(parents=True, exist_ok=True)
    (sweep_dir / TRIALS_DIR).mkdir(exist_ok=True)
    write_resolved_config(config, resolved)
    return sweep_dir


def launch_detached(config_path: Path, *, config: SweepConfig | None = None) -> Path:
    """Start the supervisor for the sweep ``config_path`` describes and return its directory.

    ``config`` may carry overrides already applied (e.g. ``--t/--f/--p``). If a live supervisor
    already owns that sweep, nothing is started. Raises ConfigError on a bad configuration and
    SupervisorStartError if the supervisor dies while starting."""
    if config is None:
        config = load_sweep_config(Path(config_path))
    sweep_dir = config.sweep_dir
    info = supervisor_status(sweep_dir)
    if info is not None and info.alive:
        return sweep_dir
    prepare_sweep(config)
    with open(sweep_dir / SUPERVISOR_LOG, "ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", SUPERVISOR_MODULE, str(sweep_dir)],
            stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True, close_fds=True, cwd=sweep_dir,
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        state = read_state(sweep_dir)
        if state is not None and state.get("pid") == process.pid:
            return sweep_dir
        code = process.poll()
        if code is not None:
            if code == 3:  # another supervisor won the race for the lock: it owns the sweep
                return sweep_dir
            raise SupervisorStartError(f"the supervisor exited with code {code}:\n{_tail(sweep_dir)}")
        time.sleep(0.05)
    raise SupervisorStartError(
        f"the supervisor did not start within {START_TIMEOUT_S:g}s:\n{_tail(sweep_dir)}")


def _tail(sweep_dir: Path, lines: int = 15) -> str:
    try:
        text = (sweep_dir / SUPERVISOR_LOG).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
