"""Runs sessions on threads until told to stop, and can hold them all at a quiescent point."""

from __future__ import annotations

import collections
import contextlib
import threading
import traceback

from sessions import Target


class Gate:
    """Sessions pass it one at a time; `quiesce` closes it and waits for those inside."""

    def __init__(self):
        self._changed = threading.Condition()
        self._closed = False
        self._inside = 0

    @contextlib.contextmanager
    def session(self):
        with self._changed:
            while self._closed:
                self._changed.wait()
            self._inside += 1
        try:
            yield
        finally:
            with self._changed:
                self._inside -= 1
                self._changed.notify_all()

    @contextlib.contextmanager
    def quiesced(self):
        with self._changed:
            self._closed = True
            while self._inside:
                self._changed.wait()
        try:
            yield
        finally:
            with self._changed:
                self._closed = False
                self._changed.notify_all()


class Tally:
    """Sessions per kind, and failures that were not the test's own doing (with examples)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.sessions = collections.Counter()
        self.failures = collections.Counter()
        self.examples: list[str] = []

    def record(self, kind: str, error: BaseException | None) -> None:
        with self._lock:
            self.sessions[kind] += 1
            if error is not None:
                self.failures[kind] += 1
                if len(self.examples) < 20:
                    self.examples.append(f"{kind}: {''.join(traceback.format_exception_only(error)).strip()}")


class Load:
    """One thread per schedule; each runs its sessions in turn, TLS 1.3 and 1.2 alternately."""

    def __init__(self, target: Target, schedules: list[list], gate: Gate, tally: Tally):
        self.stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(target, schedule, offset, gate, tally), daemon=True)
                         for offset, schedule in enumerate(schedules)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def join(self) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout=120)

    def _run(self, target: Target, schedule: list, offset: int, gate: Gate, tally: Tally) -> None:
        turn = offset
        while not self.stop.is_set():
            kind = schedule[turn % len(schedule)]
            version = "1.3" if (turn // len(schedule)) % 2 == 0 else "1.2"
            turn += 1
            with gate.session():
                try:
                    kind(target, version)
                    error = None
                except Exception as caught:  # noqa: BLE001 - every failure is tallied
                    error = caught
            tally.record(f"{kind.__name__}/{version}", error)
