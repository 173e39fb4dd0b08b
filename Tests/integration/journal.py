"""A real systemd-journald for the tests, private to them.

libsystemd sends to the hard-coded `/run/systemd/journal/socket`. Rather than share that path
with a journald someone else runs on the machine (or start a second one that takes it over),
journald runs in its own mount namespace with a fresh tmpfs on /run: its socket exists only
there, and its journal files land in a directory of the test (bind-mounted as /run/log), read
with `journalctl -D`. Processes the test starts in that namespace (`launcher`) log to it; the
machine's own journal and other test runs never see these records, and nothing is left in
/run afterwards.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import time

from processes import terminate

JOURNALD = "/lib/systemd/systemd-journald"


class PrivateJournal:
    """systemd-journald in a private mount namespace; stop() ends it (by its own PID)."""

    def __init__(self, root: pathlib.Path):
        self.logs = root / "log"
        self.logs.mkdir(parents=True)
        script = (f"mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/journal /run/log && "
                  f"mount --bind '{self.logs}' /run/log && exec {JOURNALD}")
        self.output = open(root / "journald.out", "wb")
        # `sh` execs journald, so this PID is journald's and the namespace is its.
        self.process = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                                        stdin=subprocess.DEVNULL, stdout=self.output, stderr=subprocess.STDOUT)
        self._wait_for_socket()

    @property
    def directory(self) -> pathlib.Path:
        return self.logs / "journal"

    @property
    def launcher(self) -> list[str]:
        """Put before a command line to run it inside the journal's namespace (nsenter execs it,
        so the started process keeps its own PID)."""
        return ["nsenter", f"--target={self.process.pid}", "--mount", "--"]

    def _wait_for_socket(self, timeout: float = 10) -> None:
        socket_path = pathlib.Path(f"/proc/{self.process.pid}/root/run/systemd/journal/socket")
        deadline = time.monotonic() + timeout
        while not (socket_path.is_socket() and self.directory.is_dir()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("systemd-journald did not come up: "
                                   + (self.logs.parent / "journald.out").read_text(errors="replace"))
            time.sleep(0.05)

    def journalctl(self, *arguments: str) -> subprocess.CompletedProcess:
        """`journalctl -D <this journal> ARGUMENTS` as bytes (JSON output is fed on to other tools)."""
        return subprocess.run(["journalctl", "-D", str(self.directory), "--no-pager", *arguments],
                              capture_output=True, timeout=30, check=True)

    def entries(self, *arguments: str) -> list[dict]:
        """The entries `journalctl -o json ARGUMENTS` prints (matches, --since, …)."""
        output = self.journalctl("-o", "json", *arguments).stdout.decode()
        return [json.loads(line) for line in output.splitlines() if line.strip()]

    def wait_for_entries(self, count: int, *arguments: str, timeout: float = 10) -> list[dict]:
        """Waits until at least `count` entries match; returns them all."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.entries(*arguments)
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) >= count, f"expected {count} journal entries for {arguments}, got {found}"
                return found
            time.sleep(0.1)

    def stop(self) -> None:
        terminate(self.process)
        self.output.close()
