"""Which GPUs this machine has, without a hard dependency on NVML or torch.

Tried in order: NVML (``pynvml``) if importable; torch's CUDA count if torch is installed (asked
in a subprocess, because nothing in ``seedtui.core`` may import torch and importing it costs
seconds); otherwise none. ``CUDA_VISIBLE_DEVICES`` in our own environment narrows the answer.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import subprocess
import sys


def detect_gpus() -> list[int]:
    """Indices of the usable GPUs (as CUDA_VISIBLE_DEVICES would name them), possibly empty."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and visible.strip() in ("", "-1"):
        return []
    found = _nvml_gpus()
    if found is None:
        found = _torch_gpus()
    if not found:
        return []
    if visible is not None:
        wanted = [int(part) for part in visible.split(",") if part.strip().isdigit()]
        # torch numbers the visible devices 0..n-1; NVML numbers all of them
        return [g for g in wanted if g in found] if _nvml_available() else wanted[: len(found)]
    return found


def _nvml_available() -> bool:
    return importlib.util.find_spec("pynvml") is not None


def _nvml_gpus() -> list[int] | None:
    if not _nvml_available():
        return None
    try:
        import pynvml  # type: ignore[import-not-found]

        pynvml.nvmlInit()
        try:
            return list(range(pynvml.nvmlDeviceGetCount()))
        finally:
            pynvml.nvmlShutdown()
    except Exception:  # no driver, no device: NVML raises its own error types
        return None


def _torch_gpus() -> list[int]:
    if importlib.util.find_spec("torch") is None:
        return []
    if not glob.glob("/dev/nvidia[0-9]*") and sys.platform.startswith("linux"):
        return []  # no NVIDIA device node: skip the slow torch import
    try:
        result = subprocess.run(
            [sys.executable, "-c", "import torch; print(torch.cuda.device_count())"],
            capture_output=True, text=True, timeout=120,
        )
        count = int(result.stdout.strip() or 0)
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return []
    return list(range(count))
