"""Issue 3: tlsfloord relays byte for byte in both directions and passes a half-close on."""

import base64
import os
import time

import pytest

from clients import PROTOCOL_NAMES, TLSStream, client_context, sha256
from daemon import Listener

pytestmark = pytest.mark.core

UPLOAD_SIZE = 3 * 1024 * 1024
DOWNLOAD_SIZE = 5 * 1024 * 1024


def mail_like_payload(size: int) -> bytes:
    """Random data as base64 lines with CRLF, like a large attachment in a mail session."""
    raw = base64.encodebytes(os.urandom(size * 3 // 4 + 64)).replace(b"\n", b"\r\n")
    return raw[:size - 2] + b"\r\n"


@pytest.mark.parametrize("mode", ["concurrent", "after_eof"])
@pytest.mark.parametrize("version", ["1.2", "1.3"])
def test_relay_is_byte_exact_both_ways(start_tlsfloord, byte_backend, certificate, version, mode):
    """concurrent: both sides send at once. after_eof: the backend answers only after the
    client's close_notify arrived as EOF, so the relay must half-close, not close."""
    backend = byte_backend(mail_like_payload(DOWNLOAD_SIZE), mode)
    listener = Listener.on_free_port("relay", "smtp", "implicit", backend.address)
    daemon = start_tlsfloord([listener])
    upload = mail_like_payload(UPLOAD_SIZE)

    stream = TLSStream.connect("127.0.0.1", listener.port, client_context(version, certificate.certificate))
    try:
        assert stream.version == PROTOCOL_NAMES[version]
        downloaded = stream.exchange(upload)
    finally:
        stream.close()

    assert len(backend.sessions) == 1
    session = backend.sessions[0]
    assert session.finished.wait(30)
    assert session.received_bytes == len(upload)
    assert session.received_sha256 == sha256(upload)
    assert len(downloaded) == len(backend.payload)
    assert sha256(downloaded) == session.sent_sha256

    record = daemon.connection_record(listener="relay")
    assert record["outcome"] == "relayed"
    assert int(record["bytes_in"]) == len(upload)
    assert int(record["bytes_out"]) == len(backend.payload)


def resident_kib(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def test_a_client_that_stops_reading_does_not_grow_memory(start_tlsfloord, byte_backend, certificate):
    """Backpressure: the backend pushes 64 MiB at a client that reads nothing for a while.
    tlsfloord must stop reading the backend (the kernel buffers fill and TCP slows it)
    instead of buffering the download, and then deliver every byte once the client reads."""
    backend = byte_backend(os.urandom(64 * 1024 * 1024))
    listener = Listener.on_free_port("relay", "smtp", "implicit", backend.address)
    daemon = start_tlsfloord([listener])
    before = resident_kib(daemon.process.pid)

    stream = TLSStream.connect("127.0.0.1", listener.port, client_context("1.3", certificate.certificate))
    try:
        time.sleep(3)
        grown = resident_kib(daemon.process.pid) - before
        assert grown < 4 * 1024, f"tlsfloord grew by {grown} KiB while its client did not read"
        downloaded = stream.exchange(b"x")
    finally:
        stream.close()
    assert sha256(downloaded) == backend.sessions[0].sent_sha256
    assert daemon.connection_record(listener="relay")["bytes_out"] == str(len(backend.payload))
