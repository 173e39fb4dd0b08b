"""Issue 3: with the backend down, a TLS client reads the protocol's own "try later" reply."""

import pytest

from clients import TLSStream, client_context
from daemon import Listener
from ports import free_port

pytestmark = pytest.mark.core

UNAVAILABLE = {
    "imap": b"* BYE [UNAVAILABLE] ",
    "pop3": b"-ERR [SYS/TEMP] ",
    "smtp": b"421 4.3.0 ",
}


@pytest.mark.parametrize("protocol", ["imap", "pop3", "smtp"])
def test_backend_down_gets_the_protocols_unavailable_reply(start_tlsfloord, certificate, protocol):
    dead_backend = f"127.0.0.1:{free_port()}"  # nothing listens there
    listener = Listener.on_free_port(protocol, protocol, "implicit", dead_backend)
    daemon = start_tlsfloord([listener])

    stream = TLSStream.connect("127.0.0.1", listener.port, client_context("1.3", certificate.certificate))
    try:
        reply = stream.recv_line()
        assert reply.startswith(UNAVAILABLE[protocol]) and reply.endswith(b"\r\n"), reply
        assert stream.recv() == b"", "tlsfloord should close after the unavailable reply"
    finally:
        stream.close()

    record = daemon.connection_record(listener=protocol)
    assert record["outcome"] == "backend_unavailable"
    assert record["tls_version"] == "TLSv1.3"


def test_imaps_backend_greeting_with_preauth_is_refused(start_tlsfloord, byte_backend, certificate):
    """A backend that trusts tlsfloord's address and greets with PREAUTH would hand every
    client on 993 a logged-in session: tlsfloord refuses it instead of relaying it."""
    backend = byte_backend(b"* PREAUTH [CAPABILITY IMAP4rev1] Logged in as mail\r\n")
    listener = Listener.on_free_port("imaps", "imap", "implicit", backend.address)
    daemon = start_tlsfloord([listener])

    stream = TLSStream.connect("127.0.0.1", listener.port, client_context("1.3", certificate.certificate))
    try:
        reply = stream.recv_line()
        assert reply.startswith(UNAVAILABLE["imap"]), reply
        assert stream.recv() == b""
    finally:
        stream.close()

    record = daemon.connection_record(listener="imaps")
    assert record["outcome"] == "backend_refused"
    assert "PREAUTH" in record["error"]
