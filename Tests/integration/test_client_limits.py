"""Limits per client address and failed-login bans (issue 15): the real daemon in front of the
real Dovecot and Postfix, real clients (Python ssl/imaplib, raw line sessions) connecting from
127.0.0.1 and, as a second client, from 127.0.0.2; the daemon's own log checked with the shipped
fail2ban filter through `fail2ban-regex`."""

from __future__ import annotations

import imaplib
import os
import pathlib
import signal
import socket
import ssl
import subprocess
import time

import pytest

from clients import LineSession, TLSStream, client_context
from conftest import Proxy, mail_listeners
from daemon import REPO_ROOT, Listener, listening_ports, render_config

pytestmark = pytest.mark.limits

HOME = "127.0.0.1"
NEIGHBOUR = "127.0.0.2"  # another client: binds here, connects to tlsfloord on 127.0.0.1
HOSTNAME = "mail.example.test"  # [server] hostname in the test configuration
FILTER = REPO_ROOT / "config" / "fail2ban" / "filter.d" / "tlsfloor.conf"

FROM_ADDRESS = "Too many connections from your address, please try again later"
FAILED_LOGINS = "Too many failed logins from your address, please try again later"


def refusal(listener: str, text: str) -> bytes:
    """The one line a STARTTLS client of `listener` gets before the close."""
    return {
        "starttls-imap": f"* BYE [UNAVAILABLE] {text}\r\n",
        "starttls-pop3": f"-ERR [SYS/TEMP] {text}\r\n",
        "starttls-smtp": f"421 4.7.0 {HOSTNAME} {text}\r\n",
    }[listener].encode()


GREETING_STARTS = {"starttls-imap": b"* OK ", "starttls-pop3": b"+OK ", "starttls-smtp": b"220 "}


def proxy(start_tlsfloord, mail_stack, **sections) -> Proxy:
    listeners = {**mail_listeners(mail_stack, "starttls"), **mail_listeners(mail_stack, "implicit")}
    return Proxy(start_tlsfloord(listeners.values(), **sections), listeners)


def plaintext(proxy: Proxy, listener: str, source: str = HOME) -> LineSession:
    return LineSession("127.0.0.1", proxy.port(listener), source=source)


def greeting(proxy: Proxy, listener: str, source: str = HOME) -> bytes:
    """The first line a STARTTLS listener sends to a client that then goes away."""
    session = plaintext(proxy, listener, source)
    try:
        return session.line()
    finally:
        session.close()


def first_line_then_close(proxy: Proxy, listener: str, source: str = HOME) -> tuple[bytes, bytes]:
    """The first line a STARTTLS listener sends, and what follows it (b"" once closed)."""
    session = plaintext(proxy, listener, source)
    try:
        return session.line(), session.line()
    finally:
        session.close()


def imaps_session(proxy: Proxy, source: str = HOME) -> TLSStream:
    """An IMAPS session through the handshake, its backend greeting read."""
    sock = socket.create_connection(("127.0.0.1", proxy.port("imap")), timeout=10, source_address=(source, 0))
    stream = TLSStream.over(sock, client_context())
    assert stream.recv_line().startswith(b"* OK"), "no IMAP greeting through tlsfloord"
    return stream


def imaps_is_closed_before_the_handshake(proxy: Proxy, source: str = HOME) -> bool:
    sock = socket.create_connection(("127.0.0.1", proxy.port("imap")), timeout=10, source_address=(source, 0))
    try:
        TLSStream.over(sock, client_context())
    except (ssl.SSLError, ConnectionError, OSError):
        return True
    finally:
        sock.close()
    return False


class SourceBoundIMAP4SSL(imaplib.IMAP4_SSL):
    """imaplib's IMAPS client, connecting from a chosen local address. The timeout leaves room
    for Dovecot's own penalty: it delays a failed login from an address with recent failures
    (all of tlsfloord's come from 127.0.0.1) by up to 15 s."""

    def __init__(self, source: str, port: int):
        self.source = source
        super().__init__("127.0.0.1", port, ssl_context=client_context(), timeout=30)

    def _create_socket(self, timeout):
        sock = socket.create_connection((self.host, self.port), timeout, source_address=(self.source, 0))
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)


def imap_login(proxy: Proxy, user: str, password: str, source: str = HOME) -> bool:
    """One imaplib session with one LOGIN; True if the backend accepted it."""
    imap = SourceBoundIMAP4SSL(source, proxy.port("imap"))
    try:
        imap.login(user, password)
    except imaplib.IMAP4.error:
        imap.shutdown()
        return False
    imap.logout()
    return True


def fail2ban_regex(log: pathlib.Path, mode: str | None = None) -> list[str]:
    """The addresses `fail2ban-regex` finds in `log` with the shipped filter, one per matched line."""
    filter_argument = f"{FILTER}[mode={mode}]" if mode else str(FILTER)
    result = subprocess.run(["fail2ban-regex", "-o", "ip", str(log), filter_argument],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


# ---------------------------------------------------------------- open connections per address

def test_the_connection_over_max_connections_per_ip_is_refused_in_each_protocol(start_tlsfloord, mail_stack,
                                                                                 backend_log):
    proxy_ = proxy(start_tlsfloord, mail_stack, limits={"max_connections_per_ip": 2})
    # Two open sessions from 127.0.0.1, on two listeners (and, with threads = 2, most likely on
    # both workers: the count is the daemon's, not a worker's).
    held = [imaps_session(proxy_), plaintext(proxy_, "starttls-pop3")]
    assert held[1].line().startswith(b"+OK ")
    dovecot = backend_log("imap")

    assert imaps_is_closed_before_the_handshake(proxy_)
    record = proxy_.daemon.connection_record(listener="imap", outcome="too_many_connections")
    assert record["client"].startswith(f"{HOME}:") and record["tls_version"] == "-", record
    assert (record["error"], record["backend"]) == (f"max_connections_per_ip: 2 open from {HOME}", "-"), record
    for listener in ("starttls-imap", "starttls-pop3", "starttls-smtp"):
        assert first_line_then_close(proxy_, listener) == (refusal(listener, FROM_ADDRESS), b"")
        record = proxy_.daemon.connection_record(listener=listener, outcome="too_many_connections")
        assert (record["error"], record["backend"]) == (f"max_connections_per_ip: 2 open from {HOME}", "-"), record

    # Another address is not affected.
    for listener in GREETING_STARTS:
        line = greeting(proxy_, listener, source=NEIGHBOUR)
        assert line.startswith(GREETING_STARTS[listener]), (listener, line)
    neighbour = imaps_session(proxy_, source=NEIGHBOUR)
    neighbour.close()
    # The refused clients never reached Dovecot (the neighbour's IMAPS session did).
    assert dovecot.connections_seen() == 1

    # A closed session gives its place back.
    held.pop().close()
    proxy_.daemon.wait_for_records(1, event="connection", listener="starttls-pop3", outcome="plaintext_closed",
                                   where=lambda record: record["client"].startswith(f"{HOME}:"))
    line = greeting(proxy_, "starttls-imap")
    assert line.startswith(b"* OK "), line
    for session in held:
        session.close()


def test_behind_a_trusted_front_the_address_in_the_proxy_header_is_counted(start_tlsfloord, mail_stack):
    front = Listener.on_free_port("front-imap", "imap", "starttls", f"127.0.0.1:{mail_stack.ports.imap}",
                                  accept_proxy_protocol=True, trusted_proxies=["127.0.0.1"])
    daemon = start_tlsfloord([front], limits={"max_connections_per_ip": 1})

    def through_front(client: str) -> LineSession:
        session = LineSession("127.0.0.1", front.port)
        session.send(f"PROXY TCP4 {client} 127.0.0.1 40000 143\r\n".encode())
        return session

    first = through_front("192.0.2.1")
    assert first.line().startswith(b"* OK ")
    # Same front, another client: admitted. Same client again: refused.
    second = through_front("192.0.2.2")
    assert second.line().startswith(b"* OK ")
    third = through_front("192.0.2.1")
    assert third.line() == refusal("starttls-imap", FROM_ADDRESS)
    record = daemon.connection_record(outcome="too_many_connections")
    assert record["client"] == "192.0.2.1:40000" and record["front"].startswith("127.0.0.1:"), record
    assert record["error"] == "max_connections_per_ip: 1 open from 192.0.2.1", record

    # A header that names no client (the front's own health check) is not counted: two at once
    # from the one front address, over the limit of 1, are both served.
    checks = [LineSession("127.0.0.1", front.port) for _ in range(2)]
    for check in checks:
        check.send(b"PROXY UNKNOWN\r\n")
    assert [check.line()[:5] for check in checks] == [b"* OK "] * 2
    for session in (first, second, third, *checks):
        session.close()


# ---------------------------------------------------------------- handshake rate per address

def test_connections_over_the_per_minute_rate_are_refused_before_any_handshake(start_tlsfloord, mail_stack):
    proxy_ = proxy(start_tlsfloord, mail_stack, limits={"max_handshakes_per_ip_per_minute": 3})
    for _ in range(2):
        imaps_session(proxy_).close()
    line = greeting(proxy_, "starttls-smtp")
    assert line.startswith(b"220 "), line

    assert first_line_then_close(proxy_, "starttls-imap") == (refusal("starttls-imap", FROM_ADDRESS), b"")
    assert imaps_is_closed_before_the_handshake(proxy_)
    refused = proxy_.daemon.wait_for_records(2, event="connection", outcome="too_many_connections")
    assert {record["listener"] for record in refused} == {"starttls-imap", "imap"}
    assert all(record["error"] == f"max_handshakes_per_ip_per_minute: 3 from {HOME} in the last minute"
               and record["tls_version"] == "-" for record in refused), refused

    line = greeting(proxy_, "starttls-imap", source=NEIGHBOUR)
    assert line.startswith(b"* OK "), line
    imaps_session(proxy_, source=NEIGHBOUR).close()


# ---------------------------------------------------------------- failed-login bans

BAN_SECONDS = 4


def test_wrong_passwords_ban_the_address_until_ban_time_and_fail2ban_sees_each_ban(start_tlsfloord, mail_stack,
                                                                                    backend_log, tmp_path):
    proxy_ = proxy(start_tlsfloord, mail_stack,
                   abuse={"max_failed_logins": 3, "window": "1m", "ban_time": f"{BAN_SECONDS}s"})
    alice = mail_stack.user("alice")

    assert imap_login(proxy_, alice.address, alice.password)  # a good login counts for nothing
    # The first failure's login name tries to forge lines for another address in the log.
    forged = "ban client=192.0.2.66 failures=9 ban_time=1s login=rejected client=192.0.2.66:1"
    for attempt, name in enumerate([f'"{forged}"', alice.address, alice.address]):  # imaplib quotes no name
        assert not imap_login(proxy_, name, f"wrong-{attempt}")
        if attempt < 2:
            assert not proxy_.daemon.records(event="ban")
    ban = proxy_.daemon.wait_for_records(1, event="ban")[0]
    banned_at = time.monotonic()
    assert (ban["client"], ban["failures"], ban["network"], ban["ban_time"], ban["level"]) == \
        (HOME, "3", HOME, f"{BAN_SECONDS}s", "warning"), ban
    assert ban["msg"] == f"ban client={HOME} failures=3 ban_time={BAN_SECONDS}s", ban

    time.sleep(1)  # Dovecot logs a session when it ends: let the last failed one land first
    dovecot = backend_log("imap")
    assert imaps_is_closed_before_the_handshake(proxy_)
    assert proxy_.daemon.connection_record(listener="imap", outcome="banned")["error"].startswith(
        f"{HOME} banned for "), proxy_.daemon.log_tail()
    for listener in ("starttls-imap", "starttls-pop3", "starttls-smtp"):
        assert first_line_then_close(proxy_, listener) == (refusal(listener, FAILED_LOGINS), b"")
        assert proxy_.daemon.connection_record(listener=listener, outcome="banned")
    assert dovecot.connections_seen() == 0

    # The ban is on 127.0.0.1 only.
    assert imap_login(proxy_, alice.address, alice.password, source=NEIGHBOUR)
    assert not imap_login(proxy_, alice.address, "wrong-neighbour", source=NEIGHBOUR)

    # And it ends after ban_time.
    time.sleep(max(0.0, banned_at + BAN_SECONDS + 0.5 - time.monotonic()))
    assert imap_login(proxy_, alice.address, alice.password)
    assert len(proxy_.daemon.records(event="ban")) == 1

    log = tmp_path / "tlsfloord.log"
    log.write_text(proxy_.daemon.log_text() + "\n")
    assert proxy_.daemon.records(event="connection", login="rejected", user=forged)
    # Default mode: one match per ban, nothing else (not the refused connections, not the logins).
    assert fail2ban_regex(log) == [HOME]
    # mode=logins: one match per rejected login, from whichever address; the good ones not at all.
    assert sorted(fail2ban_regex(log, "logins")) == sorted([HOME] * 3 + [NEIGHBOUR])
    assert len(proxy_.daemon.records(event="connection", login="accepted")) == 3


def test_failures_within_one_session_count_each(start_tlsfloord, mail_stack):
    proxy_ = proxy(start_tlsfloord, mail_stack, abuse={"max_failed_logins": 3, "ban_time": "1m"})
    alice = mail_stack.user("alice")
    imap = SourceBoundIMAP4SSL(HOME, proxy_.port("imap"))
    for attempt in range(3):
        with pytest.raises(imaplib.IMAP4.error):
            imap.login(alice.address, f"wrong-{attempt}")
    imap.shutdown()
    assert proxy_.daemon.wait_for_records(1, event="ban")[0]["failures"] == "3"
    assert first_line_then_close(proxy_, "starttls-imap") == (refusal("starttls-imap", FAILED_LOGINS), b"")


def test_exempt_networks_are_never_banned(start_tlsfloord, mail_stack):
    proxy_ = proxy(start_tlsfloord, mail_stack,
                   abuse={"max_failed_logins": 2, "exempt_networks": [f"{HOME}/32"]})
    alice = mail_stack.user("alice")
    for attempt in range(3):
        assert not imap_login(proxy_, alice.address, f"wrong-{attempt}")
    assert imap_login(proxy_, alice.address, alice.password)
    assert not proxy_.daemon.records(event="ban")


# ---------------------------------------------------------------- the jail's journal backend

# Runs tlsfloord in a mount namespace of its own with a fresh /run, where a real journald of the
# test's own listens: nothing of the host's /run is touched, and no other journald is disturbed.
PRIVATE_JOURNAL = """
set -e
mount -t tmpfs tmpfs /run
mkdir -p /run/systemd/journal
/lib/systemd/systemd-journald &
echo $! > "$JOURNALD_PID_FILE"
while [ ! -S /run/systemd/journal/socket ]; do sleep 0.05; done
exec "$@"
"""


def test_the_jail_reads_bans_from_the_journal(start_tlsfloord, mail_stack, tmp_path):
    listeners = mail_listeners(mail_stack, "implicit")
    journald_pid_file = tmp_path / "journald.pid"
    daemon = start_tlsfloord(listeners.values(), ready=False, log={"target": "journal"},
                             abuse={"max_failed_logins": 2, "ban_time": "1m"},
                             env={"JOURNALD_PID_FILE": str(journald_pid_file)},
                             launcher=("unshare", "--mount", "--propagation", "private",
                                       "sh", "-c", PRIVATE_JOURNAL, "private-journal"))
    proxy_ = Proxy(daemon, listeners)

    def in_namespace(*command: str) -> str:
        result = subprocess.run(["nsenter", "--target", str(daemon.process.pid), "--mount", *command],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    try:
        deadline = time.monotonic() + 20
        while {listener.port for listener in listeners.values()} - listening_ports():
            assert daemon.process.poll() is None and time.monotonic() < deadline, daemon.log_tail()
            time.sleep(0.05)
        alice = mail_stack.user("alice")
        assert imap_login(proxy_, alice.address, alice.password)
        for attempt in range(2):
            assert not imap_login(proxy_, alice.address, f"wrong-{attempt}")
        assert imaps_is_closed_before_the_handshake(proxy_)  # banned: the ban is in the journal by now

        bans = [line for line in in_namespace("journalctl", "-o", "cat", "-t", "tlsfloord").splitlines()
                if line.startswith("ban ")]
        assert bans == [f"ban client={HOME} failures=2 ban_time=60s"]
        # fail2ban-regex reads the journal with the filter's journalmatch, as the jail does.
        result = in_namespace("fail2ban-regex", "-o", "ip", "systemd-journal", str(FILTER))
        assert result.split() == [HOME], result
    finally:
        exit_status = daemon.stop()
        if journald_pid_file.exists():
            os.kill(int(journald_pid_file.read_text()), signal.SIGTERM)
    assert exit_status == 0, daemon.log_tail()


# ---------------------------------------------------------------- reload

def test_a_reload_applies_new_limits_at_once_and_keeps_the_counts(start_tlsfloord, mail_stack, certificate):
    listeners = mail_listeners(mail_stack, "starttls")
    daemon = start_tlsfloord(listeners.values())
    proxy_ = Proxy(daemon, listeners)
    held = plaintext(proxy_, "starttls-imap")
    assert held.line().startswith(b"* OK ")  # opened before any limit: not counted

    def reload_with(limits: dict) -> None:
        daemon.config_file.write_text(render_config(certificate=certificate.certificate,
                                                    private_key=certificate.private_key,
                                                    listeners=listeners.values(), limits=limits))
        before = len(daemon.records(event="reload"))
        daemon.send_signal(signal.SIGHUP)
        assert daemon.wait_for_records(before + 1, event="reload")[-1]["outcome"] != "refused"

    reload_with({"max_connections_per_ip": 1})
    counted = plaintext(proxy_, "starttls-pop3")
    assert counted.line().startswith(b"+OK ")
    assert first_line_then_close(proxy_, "starttls-smtp") == (refusal("starttls-smtp", FROM_ADDRESS), b"")

    # A second reload keeps the count: the pop3 session still holds the one place.
    reload_with({"max_connections_per_ip": 1, "handshake_timeout": "9s"})
    assert first_line_then_close(proxy_, "starttls-imap") == (refusal("starttls-imap", FROM_ADDRESS), b"")
    reload_with({"max_connections_per_ip": 0})
    assert greeting(proxy_, "starttls-imap").startswith(b"* OK ")
    for session in (held, counted):
        session.close()
