"""tlsfloord's descriptors and memory, sampled at quiescent points (no load, every
connection closed), and their drift per hour.

Sampling under load would measure the load: every open session holds descriptors and
buffers. At a quiescent point tlsfloord holds only what it keeps for good (listeners,
epoll sets, timer and wake-up fds, the TLS contexts), so any growth there is a leak."""

from __future__ import annotations

import dataclasses
import os
import time

# The bounds the soak holds tlsfloord to (stated in README.md, "Soak").
FD_DRIFT_ALLOWED = 0  # descriptors at a quiescent point, against the one before any load
RSS_SLACK_KIB = 4096  # allocator warm-up and fragmentation, any run length
RSS_LOAD_DRIFT_KIB_PER_HOUR = 4096  # growth under load per hour, once the reloads' share is taken out


@dataclasses.dataclass
class Sample:
    at: float  # seconds under load since the soak started
    fds: int
    rss_kib: int
    reloads: int  # done by then


def descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kib(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def wait_for_baseline_fds(pid: int, baseline: int, timeout: float = 20) -> int:
    """Waits for lingering closes and slow clients to finish; returns the last count."""
    deadline = time.monotonic() + timeout
    while (count := descriptors(pid)) != baseline and time.monotonic() < deadline:
        time.sleep(0.1)
    return count


def slope_per_hour(samples: list[Sample], value) -> float:
    """Least-squares slope of value(sample) over time, per hour; 0 with fewer than 2 samples."""
    if len(samples) < 2:
        return 0.0
    mean_t = sum(s.at for s in samples) / len(samples)
    mean_v = sum(value(s) for s in samples) / len(samples)
    variance = sum((s.at - mean_t) ** 2 for s in samples)
    if variance == 0:
        return 0.0
    return sum((s.at - mean_t) * (value(s) - mean_v) for s in samples) / variance * 3600


@dataclasses.dataclass
class Drift:
    baseline_fds: int
    samples: list[Sample]
    reload_cost_kib: float = 0.0  # RSS per reload without load, measured at the end

    @property
    def settled(self) -> list[Sample]:
        """Samples after the first quiescent one (allocator warm-up)."""
        return self.samples[1:] if len(self.samples) > 2 else self.samples

    @property
    def fd_excess(self) -> int:
        return max((abs(s.fds - self.baseline_fds) for s in self.samples), default=0)

    @property
    def rss_growth_kib(self) -> int:
        settled = self.settled
        return settled[-1].rss_kib - settled[0].rss_kib if settled else 0

    @property
    def settled_reloads(self) -> int:
        settled = self.settled
        return settled[-1].reloads - settled[0].reloads if settled else 0

    @property
    def load_growth_kib(self) -> float:
        """RSS growth after warm-up that the reloads do not account for."""
        return self.rss_growth_kib - self.reload_cost_kib * self.settled_reloads

    def load_allowed_kib(self, hours: float) -> float:
        return RSS_SLACK_KIB + RSS_LOAD_DRIFT_KIB_PER_HOUR * hours

    def problems(self, hours: float) -> list[str]:
        found = []
        if self.fd_excess > FD_DRIFT_ALLOWED:
            found.append(f"descriptors at a quiescent point differ from the start by {self.fd_excess}")
        if self.load_growth_kib > self.load_allowed_kib(hours):
            found.append(f"RSS grew {self.load_growth_kib:.0f} KiB under load (reloads' share taken out), "
                         f"allowed {self.load_allowed_kib(hours):.0f} KiB")
        return found
