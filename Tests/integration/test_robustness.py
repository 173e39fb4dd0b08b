"""Issue 3: clients that vanish at awkward moments (scanners, flaky mobile links) must not
take the daemon down."""

import socket
import ssl
import struct

import pytest

from clients import TLSStream, client_context
from daemon import Listener

pytestmark = pytest.mark.core


def client_hello(version: str) -> bytes:
    """The bytes of a real ClientHello for `version`, made by Python's TLS engine."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = client_context(version).wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def send_and_reset(port: int, data: bytes) -> None:
    """Sends `data` and aborts the connection with a TCP RST at once (SO_LINGER 0)."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.sendall(data)
    sock.close()


@pytest.mark.parametrize("version", ["1.0", "1.3"])
def test_client_resetting_right_after_its_client_hello_does_not_kill_the_daemon(
        start_tlsfloord, byte_backend, certificate, version):
    backend = byte_backend(b"* OK still here\r\n")
    listener = Listener.on_free_port("robust", "imap", "implicit", backend.address)
    daemon = start_tlsfloord([listener])
    hello = client_hello(version)
    for _ in range(50):
        send_and_reset(listener.port, hello)
    daemon.wait_for_records(50, event="connection", listener="robust")
    assert daemon.process.poll() is None, f"tlsfloord died with {daemon.process.returncode}"

    stream = TLSStream.connect("127.0.0.1", listener.port, client_context("1.3", certificate.certificate))
    assert stream.recv_line() == b"* OK still here\r\n"
    stream.close()


def test_client_resetting_mid_relay_does_not_kill_the_daemon(start_tlsfloord, byte_backend, certificate):
    backend = byte_backend(b"* OK " + b"x" * (4 * 1024 * 1024) + b"\r\n")  # more than any socket buffer
    listener = Listener.on_free_port("robust", "imap", "implicit", backend.address)
    daemon = start_tlsfloord([listener])
    for attempt in range(1, 6):
        stream = TLSStream.connect("127.0.0.1", listener.port, client_context("1.3", certificate.certificate))
        assert stream.recv().startswith(b"* OK ")
        stream.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        stream.close()  # RST while tlsfloord still has megabytes to write to this client
        try:
            daemon.wait_for_records(attempt, event="connection", listener="robust", timeout=5)
        finally:
            assert daemon.process.poll() is None, (
                f"tlsfloord died with status {daemon.process.returncode} after client {attempt} reset "
                f"mid-relay (-13 = SIGPIPE); log:\n{daemon.log_tail(5)}")


@pytest.mark.starttls
def test_clients_resetting_in_the_plaintext_phase_are_logged_as_such(starttls_proxy):
    """A scanner that resets a STARTTLS connection never reached a backend: its record must
    say plaintext_closed, not relayed — the audit counts relayed sessions as logins."""
    port = starttls_proxy.port("starttls-smtp")
    for _ in range(10):
        send_and_reset(port, b"")
    records = starttls_proxy.daemon.wait_for_records(10, event="connection", listener="starttls-smtp")
    assert {record["outcome"] for record in records} == {"plaintext_closed"}, records
    assert all(record["backend"] == "-" for record in records)
