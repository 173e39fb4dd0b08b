"""A real PostgreSQL server (Debian's postgresql-15) under a temp directory, for the login
history tests: `initdb` and `pg_ctl` run as the unprivileged `postgres` account, TCP on a free
loopback port with password (SCRAM) authentication, the socket in the temp directory. Only the
server started here is stopped here, by `pg_ctl stop` on its own data directory."""

from __future__ import annotations

import glob
import os
import pathlib
import shutil
import subprocess

from ports import free_port, wait_until_listening

LOOPBACK = "127.0.0.1"


def _bin(name: str) -> str:
    """The newest installed server's tool (they are not on PATH in Debian)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} not found: run scripts/install-deps (package postgresql)")
    return found[-1]


class PostgresServer:
    def __init__(self, root: pathlib.Path):
        self.root = root
        self.data = root / "data"
        self.socket_dir = root / "run"
        self.log_file = root / "postgres.log"
        self.port = free_port()

    def _as_postgres(self, *command: str, **options) -> subprocess.CompletedProcess:
        return subprocess.run(["runuser", "-u", "postgres", "--", *command], capture_output=True, text=True,
                              timeout=120, **options)

    def init(self) -> "PostgresServer":
        self.root.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        for path in (self.root, self.socket_dir):
            shutil.chown(path, user="postgres", group="postgres")
        result = self._as_postgres(_bin("initdb"), "-D", str(self.data), "--auth-local=trust",
                                   "--auth-host=scram-sha-256", "-U", "postgres", "--no-instructions")
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed: {result.stdout}{result.stderr}")
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses={LOOPBACK}"
        result = self._as_postgres(_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log_file),
                                   "-o", options, "-w", "start")
        if result.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed: {result.stdout}{result.stderr}\n{self.log_text()}")
        wait_until_listening(LOOPBACK, self.port, timeout=15)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._as_postgres(_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Runs one statement as the superuser over the Unix socket; the rows, `|`-separated."""
        result = self._as_postgres("psql", "-h", str(self.socket_dir), "-p", str(self.port), "-d", database,
                                   "-v", "ON_ERROR_STOP=1", "-At", "-c", statement)
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {statement}\n{result.stderr}")
        return result.stdout

    def create_database(self, name: str, owner: str, password: str) -> str:
        """A database owned by a new login role; returns its URI (without the password)."""
        self.sql(f"CREATE ROLE {owner} LOGIN PASSWORD '{password}'")
        self.sql(f"CREATE DATABASE {name} OWNER {owner}")
        return f"postgresql://{owner}@{LOOPBACK}:{self.port}/{name}"

    def log_text(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
