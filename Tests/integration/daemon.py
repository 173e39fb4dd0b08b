"""Runs the real `tlsfloord` binary: writes its TOML config, starts it, reads its key=value log.

The daemon is never probed with a test connection to see whether it is up (that
would add a connection record to the log under test): readiness is its own
`event=listening` records plus the kernel's listen-socket table.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import signal
import subprocess
import threading
import time
from typing import Callable, Iterable

from ports import free_port

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]


def binary_path() -> pathlib.Path:
    """The daemon under test: $TLSFLOORD, else the debug build in the repository."""
    return pathlib.Path(os.environ.get("TLSFLOORD", REPO_ROOT / ".build" / "debug" / "tlsfloord"))


# ---------------------------------------------------------------- configuration

@dataclasses.dataclass(frozen=True)
class Listener:
    """One `[[listener]]` block. `listen`/`backend` are "host:port" or "[v6]:port"."""

    name: str
    protocol: str  # imap | pop3 | smtp
    tls: str  # implicit | starttls
    listen: str
    backend: str
    extra: dict = dataclasses.field(default_factory=dict)  # e.g. {"min_version": "1.3"}

    @classmethod
    def on_free_port(cls, name: str, protocol: str, tls: str, backend: str,
                     host: str = "127.0.0.1", **extra) -> "Listener":
        """A listener on a port of `host` that the kernel just reported free."""
        port = free_port(host)
        listen = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        return cls(name, protocol, tls, listen, backend, extra)

    @property
    def port(self) -> int:
        return int(self.listen.rsplit(":", 1)[1])

    @property
    def host(self) -> str:
        return self.listen.rsplit(":", 1)[0].strip("[]")


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (str, os.PathLike)):
        return json.dumps(str(value))  # JSON string escapes are valid TOML basic-string escapes.
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):  # an inline table, e.g. a listener's `legacy = { action = "explain" }`
        return "{ " + ", ".join(f"{key} = {toml_value(item)}" for key, item in value.items()) + " }"
    raise TypeError(f"no TOML form for {value!r}")


def toml_table(header: str, values: dict) -> str:
    lines = [header] + [f"{key} = {toml_value(value)}" for key, value in values.items() if value is not None]
    return "\n".join(lines) + "\n"


DEFAULT_LIMITS = {
    "max_connections": 200,
    "handshake_timeout": "10s",
    "idle_timeout": "5m",
    "backend_connect_timeout": "3s",
    "shutdown_grace": "10s",
    "buffer_limit": "256KiB",
}


def render_config(*, certificate, private_key, listeners: Iterable[Listener],
                  server: dict | None = None, tls: dict | None = None,
                  limits: dict | None = None, log: dict | None = None,
                  legacy: dict | None = None, abuse: dict | None = None,
                  certificates: Iterable[dict] = (), metrics: dict | None = None,
                  tables: dict[str, dict] | None = None) -> str:
    """A complete tlsfloor.toml; section dicts override the test defaults key by key
    (a value of None drops the key). `[legacy]`, `[abuse]` and `[metrics]` are written only when given;
    each of `certificates` becomes a `[[tls.certificates]]` entry; each of `tables`
    (e.g. {"history": {...}}) a table of its own after the listeners."""
    sections = [
        toml_table("[server]", {"hostname": "mail.example.test", "threads": 2, **(server or {})}),
        toml_table("[tls]", {"min_version": "1.2", "certificate": certificate,
                             "private_key": private_key, **(tls or {})}),
        *(toml_table("[[tls.certificates]]", entry) for entry in certificates),
        toml_table("[limits]", {**DEFAULT_LIMITS, **(limits or {})}),
        toml_table("[log]", {"target": "stderr", "level": "info", **(log or {})}),
    ]
    if legacy is not None:
        sections.append(toml_table("[legacy]", legacy))
    if abuse is not None:
        sections.append(toml_table("[abuse]", abuse))
    if metrics is not None:
        sections.append(toml_table("[metrics]", metrics))
    for listener in listeners:
        sections.append(toml_table("[[listener]]", {
            "name": listener.name, "protocol": listener.protocol, "tls": listener.tls,
            "listen": listener.listen, "backend": listener.backend, **listener.extra}))
    for name, values in (tables or {}).items():
        sections.append(toml_table(f"[{name}]", values))
    return "\n".join(sections)


# ---------------------------------------------------------------- log records

class LogFormatError(ValueError):
    pass


_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t"}


def parse_record(line: str) -> dict[str, str]:
    """Parses one `key=value key="quoted \\"value\\""` line; raises LogFormatError if malformed."""
    record: dict[str, str] = {}
    position, length = 0, len(line)
    while position < length:
        if line[position] == " ":
            position += 1
            continue
        equals = line.find("=", position)
        if equals <= position:
            raise LogFormatError(f"expected key= at column {position}: {line!r}")
        key = line[position:equals]
        if key in record:
            raise LogFormatError(f"duplicate key {key}: {line!r}")
        if not all(ch.isalnum() or ch in "_.-" for ch in key):
            raise LogFormatError(f"bad key {key!r}: {line!r}")
        position = equals + 1
        if position < length and line[position] == '"':
            position += 1
            value = []
            while True:
                if position >= length:
                    raise LogFormatError(f"unterminated quoted value for {key}: {line!r}")
                ch = line[position]
                if ch == "\\":
                    if position + 1 >= length or line[position + 1] not in _ESCAPES:
                        raise LogFormatError(f"bad escape in {key}: {line!r}")
                    value.append(_ESCAPES[line[position + 1]])
                    position += 2
                elif ch == '"':
                    position += 1
                    break
                else:
                    value.append(ch)
                    position += 1
            if position < length and line[position] != " ":
                raise LogFormatError(f"garbage after quoted value of {key}: {line!r}")
            record[key] = "".join(value)
        else:
            end = line.find(" ", position)
            end = length if end < 0 else end
            raw = line[position:end]
            if '"' in raw:
                raise LogFormatError(f"stray quote in value of {key}: {line!r}")
            record[key] = raw
            position = end
    return record


# ---------------------------------------------------------------- the process

def listening_ports() -> set[int]:
    """TCP ports in LISTEN state in the calling thread's network namespace (thread-self, not
    self: a thread that joined another namespace, netns.Host.call, sees that one's table)."""
    ports = set()
    for table in ("/proc/thread-self/net/tcp", "/proc/thread-self/net/tcp6"):
        try:
            rows = pathlib.Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "0A":  # TCP_LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


class Daemon:
    """One running `tlsfloord run --config FILE` with its stderr collected line by line.

    `launcher` is put in front of the command line (e.g. `systemd-socket-activate -l …`);
    it must exec tlsfloord in its own process so that signals reach the daemon."""

    def __init__(self, config_file: pathlib.Path, listeners: list[Listener],
                 binary: pathlib.Path | None = None, env: dict | None = None,
                 launcher: Iterable[str] = ()):
        self.config_file = config_file
        self.listeners = listeners
        self.binary = binary or binary_path()
        self.lines: list[str] = []
        self.exit_status_seen = False  # set once a caller has received the exit status
        self._lines_changed = threading.Condition()
        self.process = subprocess.Popen(
            [*launcher, str(self.binary), "run", "--config", str(config_file)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})})
        self._readers = [threading.Thread(target=self._collect, args=(stream,), daemon=True)
                         for stream in (self.process.stderr, self.process.stdout)]
        for reader in self._readers:
            reader.start()

    def _collect(self, stream) -> None:
        for raw in stream:
            with self._lines_changed:
                self.lines.append(raw.decode(errors="replace").rstrip("\n"))
                self._lines_changed.notify_all()
        with self._lines_changed:
            self._lines_changed.notify_all()

    # -- records

    def records(self, **match: str) -> list[dict[str, str]]:
        """Parsed log records (lines starting with `ts=`) whose keys equal `match`."""
        with self._lines_changed:
            lines = list(self.lines)
        found = []
        for line in lines:
            if line.startswith("ts="):
                record = parse_record(line)
                if all(record.get(key) == value for key, value in match.items()):
                    found.append(record)
        return found

    def wait_for_records(self, count: int = 1, timeout: float = 10,
                         where: Callable[[dict], bool] = lambda record: True,
                         **match: str) -> list[dict[str, str]]:
        """Waits until at least `count` records match; returns all matching ones."""
        deadline = time.monotonic() + timeout
        with self._lines_changed:
            while True:
                found = [record for record in self.records(**match) if where(record)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected {count} log record(s) matching {match} within {timeout} s, "
                        f"got {len(found)}; log:\n" + self.log_tail())
                self._lines_changed.wait(min(remaining, 0.2))

    def connection_record(self, timeout: float = 10, **match: str) -> dict[str, str]:
        """The single `event=connection` record matching `match` (fails if more than one)."""
        found = self.wait_for_records(1, timeout, event="connection", **match)
        time.sleep(0.2)  # a duplicate record for the same connection would land right after
        found = self.records(event="connection", **match)
        assert len(found) == 1, f"expected exactly one connection record for {match}, got {found}"
        return found[0]

    def log_text(self) -> str:
        with self._lines_changed:
            return "\n".join(self.lines)

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the log, for failure messages."""
        with self._lines_changed:
            tail = self.lines[-lines:]
            skipped = len(self.lines) - len(tail)
        return (f"[{skipped} earlier lines]\n" if skipped else "") + "\n".join(tail)

    # -- lifecycle

    def wait_ready(self, timeout: float = 20, ports: Iterable[int] | None = None) -> "Daemon":
        """Waits for one `event=listening` record per listener and for its port in LISTEN state
        (or for `ports`, when the sockets are not the listeners' own, as with socket activation)."""
        ports = set(ports) if ports is not None else {listener.port for listener in self.listeners}
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                for reader in self._readers:
                    reader.join(timeout=2)
                raise RuntimeError(f"tlsfloord exited with {self.process.returncode} before it was "
                                   f"ready; config {self.config_file}; output:\n{self.log_text()}")
            listening = {record.get("listener") for record in self.records(event="listening")}
            ports_up = ports <= listening_ports()
            if listening >= {listener.name for listener in self.listeners} and ports_up:
                return self
            if time.monotonic() > deadline:
                self.process.kill()
                raise TimeoutError(f"tlsfloord not ready within {timeout} s; output:\n{self.log_tail()}")
            time.sleep(0.05)

    def send_signal(self, signum: int = signal.SIGTERM) -> None:
        self.process.send_signal(signum)

    def wait_exit(self, timeout: float) -> int:
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"tlsfloord did not exit within {timeout} s; log:\n{self.log_tail()}")
        for reader in self._readers:
            reader.join(timeout=5)
        self.exit_status_seen = True
        return code

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 15) -> int:
        """Sends `signum` (if still running) and returns the exit status."""
        if self.process.poll() is None:
            self.send_signal(signum)
        return self.wait_exit(timeout)


def run_cli(*arguments: str, timeout: float = 30) -> subprocess.CompletedProcess:
    """Runs `tlsfloord ARGUMENTS` to completion (for `check`, `--version`, `--help`)."""
    return subprocess.run([str(binary_path()), *arguments], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
