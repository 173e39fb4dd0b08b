"""The per-worker event loop as an operator meets it: clients spread over the workers (own
SO_REUSEPORT sockets and a socket systemd passes in), deadlines kept to the second, and a
daemon whose workers are saturated still answers the watchdog, SIGHUP and SIGTERM."""

import signal
import socket
import subprocess
import time

import pytest

from clients import TLSStream, client_context
from conftest import mail_listeners
from test_systemd_runtime import activation_launcher, notify_socket, wait_listening  # noqa: F401 (fixture)
from daemon import Listener
from ports import free_port

pytestmark = pytest.mark.core


def workers_that_served(daemon, listener: str, count: int) -> set[str]:
    """Worker indices from the debug-level phase trace of `listener`'s connections."""
    daemon.wait_for_records(count, event="connection", listener=listener)
    return {record["worker"] for record in daemon.records(event="phase", listener=listener)}


def greet_many(port: int, count: int) -> None:
    for _ in range(count):
        stream = TLSStream.connect("127.0.0.1", port, client_context("1.3"))
        assert stream.recv_line().startswith(b"* OK")
        stream.close()


def test_own_listening_sockets_spread_clients_over_both_workers(start_tlsfloord, mail_stack):
    listeners = mail_listeners(mail_stack, "implicit")
    daemon = start_tlsfloord(listeners.values(), server={"threads": 2}, log={"level": "debug"})
    greet_many(listeners["imap"].port, 16)
    assert workers_that_served(daemon, "imap", 16) == {"0", "1"}


def test_a_socket_from_systemd_is_served_by_both_workers_in_turn(start_tlsfloord, mail_stack):
    listeners = mail_listeners(mail_stack, "implicit")
    activated = free_port()
    daemon = start_tlsfloord(listeners.values(), ready=False, server={"threads": 2}, log={"level": "debug"},
                             launcher=activation_launcher((activated, "imap")))
    wait_listening(activated)
    greet_many(activated, 8)
    daemon.wait_ready(ports={activated, listeners["pop3"].port, listeners["smtp"].port})
    assert workers_that_served(daemon, "imap", 8) == {"0", "1"}


def test_a_silent_implicit_tls_client_is_closed_within_the_handshake_timeout_plus_one_second(
        start_tlsfloord, mail_stack):
    """TCP_DEFER_ACCEPT holds a silent client in the kernel before tlsfloord sees it; that
    wait must not add a second handshake timeout."""
    listeners = mail_listeners(mail_stack, "implicit")
    daemon = start_tlsfloord(listeners.values(), limits={"handshake_timeout": "3s"})
    silent = socket.create_connection(("127.0.0.1", listeners["imap"].port))
    silent.settimeout(10)
    connected = time.monotonic()
    try:
        assert silent.recv(1) == b""
    except ConnectionResetError:
        pass
    closed_after = time.monotonic() - connected
    silent.close()
    assert 2.9 <= closed_after <= 4.0, f"closed after {closed_after:.2f} s, handshake_timeout is 3 s"
    assert daemon.connection_record(listener="imap")["outcome"] == "handshake_timeout"


def s_time_load(port: int, processes: int, seconds: int) -> list[subprocess.Popen]:
    """Full TLS handshakes as fast as `openssl s_time` makes them, from several processes."""
    return [subprocess.Popen(["openssl", "s_time", "-connect", f"127.0.0.1:{port}", "-new",
                              "-time", str(seconds)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(processes)]


def test_saturated_workers_still_ping_the_watchdog_and_act_on_signals(start_tlsfloord, notify_socket):  # noqa: F811
    # Full handshakes are the load; the backend is a closed port (each client gets
    # `* BYE [UNAVAILABLE]`), so no real backend is left with hundreds of sessions to log.
    imap = Listener.on_free_port("imap", "imap", "implicit", f"127.0.0.1:{free_port()}")
    listeners = {"imap": imap}
    daemon = start_tlsfloord(listeners.values(), env={**notify_socket.env, "WATCHDOG_USEC": "2000000"},
                             server={"threads": 2}, limits={"max_connections": 5000})
    notify_socket.wait_for("READY")
    load = s_time_load(listeners["imap"].port, processes=6, seconds=8)
    try:
        time.sleep(1.0)
        started = time.monotonic()
        time.sleep(3.0)
        pings = [message["arrived"] for message in notify_socket.messages
                 if "WATCHDOG" in message["fields"] and message["arrived"] >= started]
        assert len(pings) >= 2, f"{len(pings)} watchdog pings in 3 s under load"
        gaps = [later - earlier for earlier, later in zip([started, *pings], pings)]
        assert max(gaps) < 1.6, gaps

        sent = time.monotonic()
        daemon.send_signal(signal.SIGHUP)
        ready = notify_socket.wait_for("READY", count=2, timeout=5)[1]["arrived"]
        assert ready - sent < 1.0, f"reload took {ready - sent:.2f} s under load"

        sent = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        stopping = notify_socket.wait_for("STOPPING", timeout=5)[0]["arrived"]
        assert stopping - sent < 1.0, f"STOPPING after {stopping - sent:.2f} s under load"
    finally:
        for process in load:
            process.kill()
            process.wait()
    assert daemon.wait_exit(timeout=15) == 0, daemon.log_tail()
    served = daemon.records(event="connection", listener="imap", outcome="backend_unavailable")
    assert len(served) > 50, f"only {len(served)} handshakes completed: the load did not load"
