"""Fixtures for the real-peer integration tests of tlsfloord.

Session-scoped: a temp root, certificates, one Dovecot + Postfix stack.
Per test: `start_tlsfloord(listeners, **sections)` runs the real binary and, at
teardown, stops it with SIGTERM and requires exit status 0.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import shutil
import socket
import tempfile
import time

import pytest

from backends import ByteExactBackend
from certs import make_certificate
from daemon import Daemon, Listener, binary_path, render_config
from stack import MailStack

MARKERS = {
    "backends": "checks the Dovecot/Postfix test backends themselves, without tlsfloord",
    "core": "issue 3: implicit TLS, TLS floor, relay, logging, CLI",
    "starttls": "issue 4: STARTTLS listeners",
    "scan": "external TLS scanners (sslyze)",
    "legacy": "clients below the TLS floor: reject, explain, allow, enforce_after",
    "systemd": "sd_notify, watchdog, socket activation, reload",
    "proxy": "PROXY protocol to the backends and from a trusted front; backend failover",
    "certificates": "issue 14: certificates by SNI, ECDSA beside RSA, OCSP stapling, shared ticket keys",
    "scaleout": "issue 14: two tlsfloord behind HAProxy (send-proxy-v2) on the test's own network namespaces",
    "notify": "tlsfloord notify: notices to legacy users through the real Postfix, read back from Dovecot",
    "report": "tlsfloord report on the real daemon's log; the HTML page in a real headless Chromium",
    "roundcube": "issue 16: the Roundcube login history plugin on the real store, in a real headless Chromium",
    "limits": "issue 15: per-address connection limits and rates, failed-login bans, the fail2ban filter",
    "metrics": "issue 15: the [metrics] Prometheus endpoint, scraped with curl and checked with promtool",
    "journal": "a real systemd-journald: TLSFLOOR_* fields, MESSAGE_IDs, the documented journalctl queries",
    "package": "the Debian package: build, lintian, install, verify, purge",
    "history": "issue 16: the login history store (SQLite, a real PostgreSQL) and tlsfloord history",
}


def pytest_configure(config):
    for name, description in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {description}")
    # No test may hang the suite on a silent peer.
    socket.setdefaulttimeout(30)


@pytest.fixture(scope="session")
def work_root():
    # Not pytest's tmp dir: that one is 0700 and Dovecot/Postfix workers (uid mail,
    # postfix) must traverse the path to the maildirs and sockets.
    root = pathlib.Path(tempfile.mkdtemp(prefix="tlsfloor-it-"))
    root.chmod(0o755)
    yield root
    if not os.environ.get("TLSFLOOR_KEEP_TMP"):
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def certificate(work_root):
    """ECDSA P-256 server certificate for localhost/127.0.0.1/::1."""
    return make_certificate(work_root / "certs", "ecdsa", "ecdsa")


@pytest.fixture(scope="session")
def rsa_certificate(work_root):
    """RSA-2048 server certificate for localhost/127.0.0.1/::1."""
    return make_certificate(work_root / "certs", "rsa", "rsa")


@pytest.fixture(scope="session")
def mail_stack(work_root):
    """Real Dovecot (IMAP/POP3) + Postfix (SMTP, SASL via Dovecot) on loopback."""
    stack = MailStack(work_root / "backends").start()
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def tlsfloord_binary():
    path = binary_path()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"tlsfloord binary not found at {path} (build it, or set TLSFLOORD)")
    return path


@pytest.fixture
def start_tlsfloord(tmp_path, certificate, tlsfloord_binary):
    """Factory: start_tlsfloord(listeners, tls={...}, limits={...}, legacy={...}, ...) -> ready Daemon.

    Every daemon still running at the end of the test gets SIGTERM and must exit 0.
    """
    daemons: list[Daemon] = []

    def start(listeners, *, cert=None, env=None, launcher=(), ready=True, **sections) -> Daemon:
        cert = cert or certificate
        config = tmp_path / f"tlsfloor-{len(daemons)}.toml"
        config.write_text(render_config(certificate=cert.certificate, private_key=cert.private_key,
                                        listeners=listeners, **sections))
        daemon = Daemon(config, list(listeners), binary=tlsfloord_binary, env=env, launcher=launcher)
        daemons.append(daemon)
        return daemon.wait_ready() if ready else daemon

    yield start
    failures = []
    for daemon in daemons:
        if not daemon.exit_status_seen:  # tests that stop it themselves assert the status
            code = daemon.stop()  # also collects a daemon that died during the test
            if code != 0:
                failures.append(f"tlsfloord exited {code} at teardown (SIGTERM; -13 = died of SIGPIPE "
                                f"earlier); log:\n{daemon.log_tail()}")
    if failures:
        pytest.fail("\n".join(failures))


@dataclasses.dataclass
class Proxy:
    """A running tlsfloord in front of `mail_stack`; listeners keyed by listener name."""

    daemon: Daemon
    listeners: dict[str, Listener]

    def port(self, name: str) -> int:
        return self.listeners[name].port


def mail_listeners(stack: MailStack, tls: str, **extra) -> dict[str, Listener]:
    """imap/pop3/smtp listeners on free loopback ports relaying to the real backends.
    Implicit ones are named after the protocol, STARTTLS ones "starttls-<protocol>"."""
    prefix = "" if tls == "implicit" else "starttls-"
    backends = {"imap": stack.ports.imap, "pop3": stack.ports.pop3, "smtp": stack.ports.smtp}
    return {prefix + protocol: Listener.on_free_port(prefix + protocol, protocol, tls, f"127.0.0.1:{port}",
                                                     **extra)
            for protocol, port in backends.items()}


@pytest.fixture
def implicit_proxy(start_tlsfloord, mail_stack) -> Proxy:
    """tlsfloord with implicit-TLS listeners "imap", "pop3", "smtp" (IMAPS/POP3S/SMTPS)."""
    listeners = mail_listeners(mail_stack, "implicit")
    return Proxy(start_tlsfloord(listeners.values()), listeners)


@pytest.fixture
def starttls_proxy(start_tlsfloord, mail_stack) -> Proxy:
    """tlsfloord with STARTTLS listeners "starttls-imap", "starttls-pop3", "starttls-smtp",
    plus the implicit ones (to read back mail over IMAPS)."""
    listeners = {**mail_listeners(mail_stack, "starttls"), **mail_listeners(mail_stack, "implicit")}
    return Proxy(start_tlsfloord(listeners.values()), listeners)


@pytest.fixture
def byte_backend():
    """Factory: byte_backend(payload, mode="concurrent") -> ByteExactBackend, closed at teardown."""
    started = []

    def make(payload: bytes, mode: str = "concurrent") -> ByteExactBackend:
        backend = ByteExactBackend(payload, mode)
        started.append(backend)
        return backend

    yield make
    for backend in started:
        backend.close()


class BackendLog:
    """What a real backend logged after this object was made.

    Dovecot logs every connection to a login port (even a bare connect) when it
    ends; Postfix logs "connect from" when smtpd accepts one.
    """

    MARKERS = {"imap": "imap-login:", "pop3": "pop3-login:", "smtp": " connect from "}

    def __init__(self, protocol: str, read):
        self.protocol = protocol
        self._read = read
        self._offset = len(read())

    def new_text(self) -> str:
        return self._read()[self._offset:]

    def connections_seen(self, settle: float = 1.0) -> int:
        """Connections logged so far, after waiting `settle` seconds for late log lines."""
        time.sleep(settle)
        return self.new_text().count(self.MARKERS[self.protocol])


@pytest.fixture
def backend_log(mail_stack):
    """backend_log("imap"|"pop3"|"smtp") -> BackendLog of the backend serving that protocol."""
    def watch(protocol: str) -> BackendLog:
        source = mail_stack.postfix if protocol == "smtp" else mail_stack.dovecot
        return BackendLog(protocol, source.log_text)
    return watch
