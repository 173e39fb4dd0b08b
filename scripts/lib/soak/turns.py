"""Taking turns with other heavy jobs on a shared machine: the soak holds a lock file
(flock) while it loads the machine, for at most `hold` seconds at a time, and hands it
over at a quiescent point — so a benchmark waiting for the same lock gets its turn, and
the soak waits for the benchmark. Without a path it holds nothing."""

from __future__ import annotations

import fcntl
import time


class TurnTaking:
    def __init__(self, path: str | None, hold: float = 8 * 60):
        self.path, self.hold = path, hold
        self._file = None
        self._since = 0.0

    def acquire(self) -> float:
        """Blocks until the lock is ours; returns the seconds spent waiting."""
        if not self.path:
            return 0.0
        started = time.monotonic()
        self._file = open(self.path, "a")
        fcntl.flock(self._file, fcntl.LOCK_EX)
        self._since = time.monotonic()
        return self._since - started

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def pass_on_if_due(self) -> float:
        """After `hold` seconds: lets a waiting job in, then takes the lock back.
        Returns the seconds spent waiting (0 when not due)."""
        if self._file is None or time.monotonic() - self._since < self.hold:
            return 0.0
        self.release()
        time.sleep(0.5)  # a waiter blocked in flock gets the lock in this gap
        return self.acquire() + 0.5
