"""Lingering close: after tlsfloord's own last reply the client reads the reply and a FIN,
not a reset.

Closing a socket with unread client bytes makes the kernel send RST instead of FIN; on a real
network that reset makes the client's stack throw away reply bytes it has not read yet (and
any still in tlsfloord's send queue are never sent). On loopback the reply is delivered before
the reset, so these tests look at the reset itself."""

import socket
import time

import pytest

from clients import TLSStream, client_context
from daemon import Listener
from ports import free_port
from test_backend_down import UNAVAILABLE

pytestmark = pytest.mark.core


def tcp_end(sock: socket.socket) -> str:
    """How the TCP stream ends after everything was read: "fin" or "reset"."""
    sock.settimeout(10)
    try:
        while sock.recv(65536):
            pass
    except ConnectionResetError:
        return "reset"
    return "fin"


@pytest.mark.parametrize("protocol", ["imap", "smtp"])
def test_unavailable_reply_to_a_pipelining_client_ends_with_fin(start_tlsfloord, certificate, protocol):
    dead_backend = f"127.0.0.1:{free_port()}"  # nothing listens there
    listener = Listener.on_free_port(protocol, protocol, "implicit", dead_backend)
    daemon = start_tlsfloord([listener])

    sock = socket.create_connection(("127.0.0.1", listener.port), timeout=20)
    stream = TLSStream(sock, client_context("1.3", certificate.certificate), "localhost")
    # The first command rides behind Finished: tlsfloord reads only the handshake, so the
    # command is still unread when the backend turns out to be down.
    stream.handshake(then_send=b"a CAPABILITY\r\n" if protocol == "imap" else b"EHLO client.test\r\n")
    try:
        reply = stream.recv_line()
        assert reply.startswith(UNAVAILABLE[protocol]), reply
        assert stream.recv() == b"", "no close_notify after the unavailable reply"
        assert tcp_end(sock) == "fin"
    finally:
        stream.close()
    record = daemon.connection_record(listener=protocol)
    assert record["outcome"] == "backend_unavailable"


def test_a_client_that_never_hangs_up_is_closed_after_the_linger(start_tlsfloord, certificate):
    listener = Listener.on_free_port("imap", "imap", "implicit", f"127.0.0.1:{free_port()}")
    daemon = start_tlsfloord([listener])
    stream = TLSStream.connect("127.0.0.1", listener.port, client_context("1.3", certificate.certificate))
    try:
        assert stream.recv_line().startswith(UNAVAILABLE["imap"])
        started = time.monotonic()
        for _ in range(20):  # keeps talking; tlsfloord drops it and closes anyway
            stream.sock.sendall(b"x" * 1000)
            time.sleep(0.05)
        record = daemon.connection_record(listener="imap", timeout=5)
        assert record["outcome"] == "backend_unavailable"
        assert time.monotonic() - started < 4
    finally:
        stream.close()
