"""GPU utilisation and memory per GPU through NVML (pynvml), when it is importable."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GpuInfo:
    index: int
    utilization: int
    """Percent of time a kernel ran over the last sample period."""
    memory_used_mib: int
    memory_total_mib: int


class GpuProbe:
    """Reads every GPU's utilisation and memory; reads nothing when NVML is missing."""

    def __init__(self) -> None:
        self._nvml = None
        try:
            import pynvml  # type: ignore[import-not-found]

            pynvml.nvmlInit()
            self._nvml = pynvml
        except Exception:  # no pynvml, no driver, no GPU: the header just shows none
            self._nvml = None

    def read(self) -> tuple[GpuInfo, ...]:
        nvml = self._nvml
        if nvml is None:
            return ()
        gpus = []
        try:
            for index in range(nvml.nvmlDeviceGetCount()):
                handle = nvml.nvmlDeviceGetHandleByIndex(index)
                rates = nvml.nvmlDeviceGetUtilizationRates(handle)
                memory = nvml.nvmlDeviceGetMemoryInfo(handle)
                gpus.append(GpuInfo(index, int(rates.gpu), memory.used >> 20, memory.total >> 20))
        except Exception:  # a GPU that vanished mid-read: show what we have
            pass
        return tuple(gpus)
