"""Nothing lost: random bytes streamed both ways through every listener type (IMAP, POP3 and SMTP;
implicit TLS and STARTTLS) reach the other side byte for byte, compared by digest. The fake backend
greets like a real one first: on STARTTLS listeners tlsfloord consumes that greeting (the client had
its own), on implicit ones it is relayed with the rest."""

import os

import pytest

from clients import TLSStream, client_context, sha256
from daemon import Listener
from test_legacy import plaintext_until_starttls

pytestmark = pytest.mark.core

GREETINGS = {"imap": b"* OK fake backend ready\r\n", "pop3": b"+OK fake backend ready\r\n",
             "smtp": b"220 fake.example.test ESMTP ready\r\n"}
SIZE = 1024 * 1024


@pytest.mark.parametrize("tls", ["implicit", "starttls"])
@pytest.mark.parametrize("protocol", ["imap", "pop3", "smtp"])
def test_random_bytes_cross_every_listener_type_intact(start_tlsfloord, byte_backend, protocol, tls):
    download = os.urandom(SIZE)
    backend = byte_backend(GREETINGS[protocol] + download)
    listener = Listener.on_free_port(f"{protocol}-{tls}", protocol, tls, backend.address)
    daemon = start_tlsfloord([listener])
    upload = os.urandom(SIZE)

    if tls == "implicit":
        stream = TLSStream.connect("127.0.0.1", listener.port, client_context("1.3"))
    else:
        stream = TLSStream.over(plaintext_until_starttls(protocol, listener.port), client_context("1.3"))
    try:
        received = stream.exchange(upload)
    finally:
        stream.close()

    expected = download if tls == "starttls" else GREETINGS[protocol] + download
    assert len(received) == len(expected)
    assert sha256(received) == sha256(expected)
    session = backend.sessions[0]
    assert session.finished.wait(30)
    assert session.received_sha256 == sha256(upload)
    record = daemon.connection_record(listener=listener.name)
    assert record["outcome"] == "relayed", record
    assert int(record["bytes_in"]) == len(upload)
