"""tlsfloord under a service manager, without systemd: sd_notify messages on a datagram
socket the test owns (READY, RELOADING + MONOTONIC_USEC, STOPPING, WATCHDOG), socket
activation through `systemd-socket-activate`, and SIGHUP reloads (new certificate for new
connections, open sessions untouched, a broken configuration refused)."""

import os
import imaplib
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time

import pytest

from certs import make_certificate
from clients import TLSStream, client_context
from conftest import mail_listeners
from daemon import listening_ports, parse_record, render_config
from ports import free_port

pytestmark = pytest.mark.systemd


class NotifySocket:
    """The service manager's end of `NOTIFY_SOCKET`: collects every datagram with the time it
    arrived and the listening ports at that moment (READY=1 must come after the ports accept)."""

    def __init__(self, path):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.messages: list[dict] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._collect, daemon=True)
        self._reader.start()

    def _collect(self) -> None:
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                return
            arrived, ports = time.monotonic(), listening_ports()
            fields = dict(line.split("=", 1) for line in data.decode().split("\n") if line)
            with self._changed:
                self.messages.append({"fields": fields, "arrived": arrived, "listening": ports})
                self._changed.notify_all()

    @property
    def env(self) -> dict:
        return {"NOTIFY_SOCKET": self.path}

    def wait_for(self, key: str, count: int = 1, timeout: float = 15) -> list[dict]:
        """Waits until `count` messages carry `key`; returns those messages."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [message for message in self.messages if key in message["fields"]]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"no {count}x {key} within {timeout} s; got {self.sequence()}"
                self._changed.wait(remaining)

    def sequence(self, skip=("WATCHDOG", "STATUS")) -> list[str]:
        """The state keys in arrival order (READY, RELOADING, STOPPING …), leaving out the
        periodic ones; a status-only message appears as nothing."""
        with self._changed:
            return [key for message in self.messages for key in message["fields"]
                    if key not in skip and key != "MONOTONIC_USEC"]

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def notify_socket(tmp_path):
    notify = NotifySocket(tmp_path / "notify")
    yield notify
    notify.close()


def monotonic_usec() -> int:
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000


def certificate_serial(pem_or_der) -> str:
    """The serial number as `openssl x509 -serial` prints it."""
    pem = pem_or_der if isinstance(pem_or_der, str) else ssl.DER_cert_to_PEM_cert(pem_or_der)
    result = subprocess.run(["openssl", "x509", "-noout", "-serial"], input=pem, capture_output=True,
                            text=True, check=True)
    return result.stdout.strip().split("=", 1)[1]


def served_serial(port: int) -> str:
    """Serial of the certificate a fresh TLS 1.3 connection to `port` is shown."""
    stream = TLSStream.connect("127.0.0.1", port, client_context("1.3"))
    try:
        stream.recv_line()  # the backend greeting: the session was relayed
        return certificate_serial(stream.tls.getpeercert(binary_form=True))
    finally:
        stream.close()


# ---------------------------------------------------------------- sd_notify

def test_ready_comes_after_every_port_accepts_with_a_status(start_tlsfloord, mail_stack, notify_socket):
    listeners = mail_listeners(mail_stack, "implicit")
    daemon = start_tlsfloord(listeners.values(), env=notify_socket.env)
    ready = notify_socket.wait_for("READY")
    assert len(ready) == 1
    assert ready[0]["fields"]["READY"] == "1"
    assert {listener.port for listener in listeners.values()} <= ready[0]["listening"], \
        "READY=1 was sent before every listener accepted connections"
    status = ready[0]["fields"].get("STATUS", "")
    assert status.startswith("3 listeners"), ready[0]
    assert notify_socket.sequence() == ["READY"]
    assert not daemon.records(event="notify_failed")


def test_sighup_sends_reloading_with_monotonic_usec_then_ready(start_tlsfloord, mail_stack, notify_socket):
    listeners = mail_listeners(mail_stack, "implicit")
    daemon = start_tlsfloord(listeners.values(), env=notify_socket.env)
    notify_socket.wait_for("READY")
    before = monotonic_usec()
    daemon.send_signal(signal.SIGHUP)
    reloading = notify_socket.wait_for("RELOADING")[0]["fields"]
    after = monotonic_usec()
    notify_socket.wait_for("READY", count=2)
    assert reloading["RELOADING"] == "1"
    assert before <= int(reloading["MONOTONIC_USEC"]) <= after, (before, reloading, after)
    assert notify_socket.sequence() == ["READY", "RELOADING", "READY"]
    assert daemon.wait_for_records(event="reload")[0]["outcome"] == "ok"


def test_sigterm_sends_stopping_and_exits_zero(start_tlsfloord, mail_stack, notify_socket):
    listeners = mail_listeners(mail_stack, "implicit")
    daemon = start_tlsfloord(listeners.values(), env=notify_socket.env)
    notify_socket.wait_for("READY")
    daemon.send_signal(signal.SIGTERM)
    assert daemon.wait_exit(timeout=15) == 0, daemon.log_tail()
    notify_socket.wait_for("STOPPING", timeout=1)
    assert notify_socket.sequence() == ["READY", "STOPPING"]


# sd_watchdog_enabled(3): WATCHDOG_USEC turns the watchdog on; WATCHDOG_PID, when set, must be
# this very process, else the watchdog is meant for someone else (a parent or a child).
WATCHDOG_CASES = {
    "pid unset": ([], True),
    "pid is the daemon": (["sh", "-c", 'WATCHDOG_PID=$$ exec "$@"', "sh"], True),
    "pid is another process": (["sh", "-c", 'WATCHDOG_PID=1 exec "$@"', "sh"], False),
}


@pytest.mark.parametrize("case", WATCHDOG_CASES)
def test_watchdog_pings_at_half_the_interval(start_tlsfloord, mail_stack, notify_socket, case):
    launcher, enabled = WATCHDOG_CASES[case]
    listeners = mail_listeners(mail_stack, "implicit")
    start_tlsfloord(listeners.values(), env={**notify_socket.env, "WATCHDOG_USEC": "2000000"},
                    launcher=launcher)
    ready = notify_socket.wait_for("READY")[0]["arrived"]
    time.sleep(4.2)
    pings = [message["arrived"] for message in notify_socket.messages if "WATCHDOG" in message["fields"]]
    if not enabled:
        assert pings == [], "pinged a watchdog that belongs to another process"
        return
    # Every 1 s (half of 2 s): about four pings, never a gap near the 2 s timeout.
    assert 3 <= len(pings) <= 6, pings
    gaps = [later - earlier for earlier, later in zip([ready, *pings], pings)]
    assert all(gap < 1.6 for gap in gaps), gaps
    assert all(message["fields"]["WATCHDOG"] == "1"
               for message in notify_socket.messages if "WATCHDOG" in message["fields"])


def test_auto_log_target_with_a_foreign_journal_stream_writes_key_value_lines(start_tlsfloord, mail_stack,
                                                                               certificate):
    """JOURNAL_STREAM is inherited by children whose stderr goes elsewhere: only a stderr that
    *is* that stream means the journal. Here it is a pipe, so every line is a key=value record."""
    listeners = mail_listeners(mail_stack, "implicit")
    daemon = start_tlsfloord(listeners.values(), env={"JOURNAL_STREAM": "8:12345"}, log={"target": "auto"})
    TLSStream.connect("127.0.0.1", listeners["imap"].port, client_context("1.3")).close()
    daemon.connection_record(listener="imap")
    lines = daemon.log_text().splitlines()
    assert lines, "nothing on stderr"
    for line in lines:
        record = parse_record(line)
        assert list(record)[:2] == ["ts", "level"], line
        assert record["ts"].endswith("Z") and "T" in record["ts"], line
        assert "msg" in record, line
    events = [parse_record(line).get("event") for line in lines]
    assert events.count("start") == 1, events
    assert events.count("listening") == 3, events


# ---------------------------------------------------------------- socket activation

SANITIZER_OPTIONS = ("ASAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS", "UBSAN_OPTIONS")


def activation_launcher(*sockets: tuple[int, str]) -> list[str]:
    """systemd-socket-activate with one `-l 127.0.0.1:PORT` per socket, named like the listeners.

    It passes the activated program only LISTEN_* unless told otherwise (-E), as systemd would
    pass NOTIFY_SOCKET to a service. Sanitizer options are passed on too, so that a sanitizer
    build reports into its log files instead of onto the stderr the test parses."""
    arguments = ["systemd-socket-activate", "-E", "NOTIFY_SOCKET"]
    for variable in SANITIZER_OPTIONS:
        if variable in os.environ:
            arguments += ["-E", variable]
    for port, _ in sockets:
        arguments += ["-l", f"127.0.0.1:{port}"]
    return arguments + ["--fdname=" + ":".join(name for _, name in sockets)]


def wait_listening(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while port not in listening_ports():
        assert time.monotonic() < deadline, f"port {port} not listening within {timeout} s"
        time.sleep(0.05)


def test_socket_activation_serves_the_inherited_socket_by_listener_name(start_tlsfloord, mail_stack,
                                                                        certificate, notify_socket):
    if shutil.which("systemd-socket-activate") is None:
        pytest.fail("systemd-socket-activate not found: apt-get install systemd")
    alice = mail_stack.user("alice")
    listeners = mail_listeners(mail_stack, "implicit")  # own addresses: never bound when inherited
    activated = free_port()
    daemon = start_tlsfloord(listeners.values(), env=notify_socket.env, ready=False,
                             launcher=activation_launcher((activated, "imap")))
    wait_listening(activated)
    # systemd-socket-activate execs tlsfloord on the first connection; this one waits in the backlog.
    imap = imaplib.IMAP4_SSL("127.0.0.1", activated, ssl_context=client_context("1.3", certificate.certificate))
    try:
        assert imap.login(alice.address, alice.password)[0] == "OK"
    finally:
        imap.logout()
    daemon.wait_ready(ports={activated, listeners["pop3"].port, listeners["smtp"].port})
    notify_socket.wait_for("READY")

    record = daemon.connection_record(listener="imap")
    assert record["outcome"] == "relayed"
    assert record["user"] == alice.address
    assert listeners["imap"].port not in listening_ports(), "bound its own address although systemd passed one"
    # pop3/smtp were not passed in: tlsfloord binds those itself.
    stream = TLSStream.connect("127.0.0.1", listeners["pop3"].port, client_context("1.3"))
    assert stream.recv_line().startswith(b"+OK")
    stream.close()


def test_socket_activation_closes_a_socket_no_listener_claims(start_tlsfloord, mail_stack):
    listeners = mail_listeners(mail_stack, "implicit")
    activated, stray = free_port(), free_port()
    daemon = start_tlsfloord(listeners.values(), ready=False,
                             launcher=activation_launcher((activated, "imap"), (stray, "stray")))
    wait_listening(activated)
    stream = TLSStream.connect("127.0.0.1", activated, client_context("1.3"))
    assert stream.recv_line().startswith(b"* OK")
    stream.close()
    daemon.wait_ready(ports={activated, listeners["pop3"].port, listeners["smtp"].port})
    unused = daemon.wait_for_records(event="socket_unused")
    assert [record["listener"] for record in unused] == ["stray"]
    assert stray not in listening_ports(), "the unclaimed socket is still open"



def test_socket_activation_serves_every_socket_of_one_name(start_tlsfloord, mail_stack):
    """One socket unit with two ListenStream= passes two fds under one FileDescriptorName:
    both must be served (a socket nobody accepts on leaves its clients hanging)."""
    listeners = mail_listeners(mail_stack, "implicit")
    first, second = free_port(), free_port()
    daemon = start_tlsfloord(listeners.values(), ready=False,
                             launcher=activation_launcher((first, "imap"), (second, "imap")))
    wait_listening(first)
    for port in (first, second):
        stream = TLSStream.connect("127.0.0.1", port, client_context("1.3"))
        assert stream.recv_line().startswith(b"* OK"), port
        stream.close()
    daemon.wait_ready(ports={first, second, listeners["pop3"].port, listeners["smtp"].port})
    records = daemon.wait_for_records(2, event="connection", listener="imap")
    assert len(records) == 2


# ---------------------------------------------------------------- reload

@pytest.fixture
def reloadable(tmp_path, start_tlsfloord, mail_stack, notify_socket):
    """A daemon whose certificate files can be swapped: returns (daemon, listeners, cert A, cert B)
    with A in place and B made but not yet installed."""
    first = make_certificate(tmp_path / "certs", "first")
    second = make_certificate(tmp_path / "certs", "second")
    served = make_certificate(tmp_path / "certs", "served")
    shutil.copy(first.certificate, served.certificate)
    shutil.copy(first.private_key, served.private_key)
    listeners = mail_listeners(mail_stack, "implicit")
    daemon = start_tlsfloord(listeners.values(), cert=served, env=notify_socket.env)
    notify_socket.wait_for("READY")
    return daemon, listeners, served, first, second


def install(source, served) -> None:
    shutil.copy(source.certificate, served.certificate)
    shutil.copy(source.private_key, served.private_key)


def reload_and_wait(daemon, notify_socket, outcome: str) -> dict:
    readies = len(notify_socket.wait_for("READY"))
    daemon.send_signal(signal.SIGHUP)
    record = daemon.wait_for_records(event="reload")[-1]
    notify_socket.wait_for("READY", count=readies + 1)  # READY=1 follows a refused reload too
    assert record["outcome"] == outcome, record
    return record


def test_reload_serves_the_new_certificate_while_an_open_session_keeps_relaying(reloadable, mail_stack,
                                                                                notify_socket):
    daemon, listeners, served, first, second = reloadable
    port = listeners["imap"].port
    first_serial = certificate_serial(first.certificate.read_text())
    second_serial = certificate_serial(second.certificate.read_text())
    assert served_serial(port) == first_serial

    alice = mail_stack.user("alice")
    open_session = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=client_context("1.3"))
    open_session.login(alice.address, alice.password)

    install(second, served)
    reload_and_wait(daemon, notify_socket, "ok")
    assert served_serial(port) == second_serial

    assert open_session.select("INBOX")[0] == "OK"
    assert open_session.noop()[0] == "OK"
    assert certificate_serial(open_session.sock.getpeercert(binary_form=True)) == first_serial
    open_session.logout()
    relayed = daemon.wait_for_records(event="connection", where=lambda r: r.get("user") == alice.address)
    assert relayed[0]["outcome"] == "relayed"


def test_reload_applies_a_changed_configuration(reloadable, notify_socket, mail_stack):
    daemon, listeners, served, _, _ = reloadable
    message = "Reloaded: TLS 1.0 is explained now"
    daemon.config_file.write_text(render_config(certificate=served.certificate, private_key=served.private_key,
                                                listeners=listeners.values(),
                                                legacy={"action": "explain", "message": message}))
    reload_and_wait(daemon, notify_socket, "ok")
    stream = TLSStream.connect("127.0.0.1", listeners["imap"].port, client_context("1.0"))
    try:
        assert stream.recv_line() == f"* BYE [ALERT] {message}\r\n".encode()
    finally:
        stream.close()


BROKEN = {
    "TOML syntax": lambda config, served: config.write_text(config.read_text() + "\n[listener\n"),
    "unknown key": lambda config, served: config.write_text(config.read_text() + "\n[tls2]\nx = 1\n"),
    "unreadable certificate": lambda config, served: served.certificate.write_text("not a certificate\n"),
}


@pytest.mark.parametrize("breakage", BROKEN)
def test_broken_reload_is_refused_and_the_old_configuration_keeps_serving(reloadable, notify_socket,
                                                                          mail_stack, breakage):
    daemon, listeners, served, first, _ = reloadable
    first_serial = certificate_serial(first.certificate.read_text())
    BROKEN[breakage](daemon.config_file, served)
    record = reload_and_wait(daemon, notify_socket, "refused")
    assert record.get("error", "-") != "-", record
    assert daemon.process.poll() is None, daemon.log_tail()

    assert served_serial(listeners["imap"].port) == first_serial
    bob = mail_stack.user("bob")
    imap = imaplib.IMAP4_SSL("127.0.0.1", listeners["imap"].port, ssl_context=client_context("1.2"))
    try:
        assert imap.login(bob.address, bob.password)[0] == "OK"
    finally:
        imap.logout()
    with socket.create_connection(("127.0.0.1", listeners["pop3"].port)) as sock, \
            pytest.raises(ssl.SSLError) as refused:
        client_context("1.0").wrap_socket(sock, server_hostname="localhost")
    assert refused.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION"
