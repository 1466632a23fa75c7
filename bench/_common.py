"""Small helpers shared by the benchmarks: percentiles, peak memory, a plain-text table."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Sequence
from pathlib import Path


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation between closest ranks."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary_ms(samples: Sequence[float]) -> tuple[str, str, str]:
    """Median, p95 and max of samples given in seconds, formatted in milliseconds."""
    return (f"{statistics.median(samples) * 1000:.2f}", f"{percentile(samples, 95) * 1000:.2f}",
            f"{max(samples) * 1000:.2f}")


def peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(who).ru_maxrss / 1024


def proc_status_mib(pid: int, field: str) -> float:
    """A memory field (VmHWM, VmRSS) of a live process, from /proc/PID/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise LookupError(f"{field} not in /proc/{pid}/status")


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU time a live process has used so far, from /proc/PID/stat."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A left-aligned plain-text table with a title line."""
    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(cells[0], widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells[1:]]
    return "\n".join(lines)


class Stopwatch:
    """`with Stopwatch() as sw: ...` then `sw.seconds`."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._start = 0.0

    def __enter__(self) -> Stopwatch:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._start


NO_PACING = {"PACE_PRIVATE_PER_SECOND": "0", "PACE_GROUP_PER_MINUTE": "0",
             "PACE_OVERALL_PER_SECOND": "0"}
"""The bot's pacing off, like the emulator's flood limits: what is measured is the bot."""
