"""What every benchmark script prints its figures with: percentiles, timers, the CPU, CPU time and memory.

Imported as `from common import …` (a script run as `python benchmarks/x.py` has benchmarks/ on its path),
before any import of index/: importing it puts this checkout on the import path, so the scripts time this
checkout's index/ and not the one an editable install of another checkout points at.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from index.build.builder import StageProgress

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
# The instruction sets FAISS and ONNX Runtime pick kernels by: int8 arithmetic wants VNNI, bf16 its own.
CPU_FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_bf16", "amx_int8")

# Last on the path: still ahead of an editable install's finder (it sits after the path finder), and behind
# PYTHONPATH, which runtimes.py sets to time the previous release's index/ with these scripts.
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The sample below which `fraction` of the samples lie (nearest rank), for p95 columns."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def p50_p95(samples: Sequence[float]) -> tuple[float, float]:
    """Median and 95th percentile of latency samples."""
    return statistics.median(samples), percentile(samples, 0.95)


def timed(action: Callable[[], T]) -> tuple[float, T]:
    """Seconds an action took, and what it returned."""
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def timed_ms(action: Callable[[], object]) -> float:
    """Milliseconds an action took, for latency samples."""
    return timed(action)[0] * 1000


class StageTimer:
    """A build progress callback (index.build.builder.StageProgress) noting each stage's seconds and units."""

    def __init__(self) -> None:
        self.started: dict[str, float] = {}
        self.seconds: dict[str, float] = {}
        self.units: dict[str, tuple[int, str]] = {}

    def __call__(self, event: StageProgress) -> None:
        now = time.perf_counter()
        self.started.setdefault(event.stage, now)  # every stage reports done=0 when it starts
        if event.finished:
            self.seconds[event.stage] = now - self.started[event.stage]
            self.units[event.stage] = (event.done, event.unit)


def cpu_description() -> str:
    """CPU model, logical CPUs, the vector instruction sets of CPU_FLAGS it has, and the load now."""
    model, flags = "", set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and not model:
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    except OSError:  # not Linux: no flags to show
        pass
    shown = " ".join(f for f in CPU_FLAGS if f in flags) or "none of " + " ".join(CPU_FLAGS)
    return (f"{model or platform.processor() or platform.machine()}, {os.cpu_count()} logical CPUs "
            f"({len(os.sched_getaffinity(0))} usable); flags: {shown}; load average {os.getloadavg()[0]:.1f}")


def cpu_seconds() -> float:
    """User and system CPU time of this process and its finished children (a build's tokenising workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_mib(field: str) -> float:
    """VmRSS (resident now), VmHWM (peak), RssAnon or RssFile (memory-mapped files) of this process, MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def eval_questions(pattern: str = "*.jsonl") -> list[str]:
    """The questions of eval/ files matching pattern, file by file in name order."""
    from index.answer.evaluate import read_questions

    return [q.text for path in sorted((ROOT / "eval").glob(pattern)) for q in read_questions(path)]
