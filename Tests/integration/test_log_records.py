"""Issue 3: one key=value record per connection with every field, plus start/listening/stop."""

import datetime
import re
import socket
import ssl
import time

import pytest

from clients import TLSStream, client_context
from daemon import Listener, parse_record

pytestmark = pytest.mark.core

CONNECTION_KEYS = {"ts", "level", "event", "listener", "protocol", "tls", "client", "tls_version",
                   "cipher", "sni", "offered_version", "outcome", "backend", "bytes_in", "bytes_out",
                   "duration_ms", "error"}


def relay_listener(backend, name="logged", protocol="imap", host="127.0.0.1"):
    return Listener.on_free_port(name, protocol, "implicit", backend.address, host=host)


def test_relayed_connection_record_values(start_tlsfloord, byte_backend, certificate):
    backend = byte_backend(b"* OK " + b"x" * 2338 + b"\r\n")  # 2345 bytes
    listener = relay_listener(backend)
    daemon = start_tlsfloord([listener])
    upload = b"a NOOP\r\n" * 125  # 1000 bytes

    stream = TLSStream.connect("127.0.0.1", listener.port, client_context("1.3", certificate.certificate),
                               server_hostname="localhost")
    client_port = stream.sock.getsockname()[1]
    cipher = stream.cipher()[0]
    downloaded = stream.exchange(upload)
    stream.close()
    assert len(downloaded) == 2345

    record = daemon.connection_record(listener="logged")
    assert datetime.datetime.fromisoformat(record["ts"].replace("Z", "+00:00")).tzinfo is not None
    assert record["protocol"] == "imap"
    assert record["tls"] == "implicit"
    assert record["client"] == f"127.0.0.1:{client_port}"
    assert record["tls_version"] == "TLSv1.3"
    assert record["cipher"] == cipher
    assert record["sni"] == "localhost"
    assert record["offered_version"] == "TLSv1.3"
    assert record["outcome"] == "relayed"
    assert record["backend"] == backend.address
    assert int(record["bytes_in"]) == len(upload)
    assert int(record["bytes_out"]) == 2345
    assert re.fullmatch(r"\d+", record["duration_ms"]), record["duration_ms"]


def test_every_connection_gets_exactly_one_record(start_tlsfloord, byte_backend, certificate):
    backend = byte_backend(b"* OK hello\r\n")
    listener = relay_listener(backend)
    daemon = start_tlsfloord([listener])
    client_ports = []
    for _ in range(5):
        stream = TLSStream.connect("127.0.0.1", listener.port, client_context("1.2", certificate.certificate))
        client_ports.append(stream.sock.getsockname()[1])
        assert stream.exchange(b"a LOGOUT\r\n") == b"* OK hello\r\n"
        stream.close()
    records = daemon.wait_for_records(5, event="connection")
    time.sleep(0.3)
    records = daemon.records(event="connection")
    assert sorted(record["client"] for record in records) == sorted(f"127.0.0.1:{port}" for port in client_ports)
    assert all(record["outcome"] == "relayed" for record in records)


def test_stderr_holds_only_key_value_records_with_lifecycle_events(start_tlsfloord, byte_backend,
                                                                   certificate):
    backend = byte_backend(b"+OK\r\n")
    listeners = [relay_listener(backend, "first", "pop3"), relay_listener(backend, "second", "smtp")]
    daemon = start_tlsfloord(listeners)
    stream = TLSStream.connect("127.0.0.1", listeners[0].port, client_context("1.3", certificate.certificate))
    stream.exchange(b"QUIT\r\n")
    stream.close()
    daemon.wait_for_records(1, event="connection")
    assert daemon.stop() == 0

    lines = [line for line in daemon.log_text().splitlines() if line.strip()]
    records = [parse_record(line) for line in lines]  # raises on any line that is not key=value
    for line, record in zip(lines, records):
        assert list(record)[:3] == ["ts", "level", "event"], line
    events = [record["event"] for record in records]
    assert events.count("start") == 1 and events.count("stop") == 1, events
    assert events.index("stop") > events.index("connection"), events
    listening = {record["listener"]: record["listen"] for record in records if record["event"] == "listening"}
    assert listening == {listener.name: listener.listen for listener in listeners}


def test_ipv6_client_address_is_bracketed(start_tlsfloord, byte_backend, certificate):
    backend = byte_backend(b"* OK v6\r\n")
    listener = relay_listener(backend, "v6", host="::1")
    daemon = start_tlsfloord([listener])
    stream = TLSStream.connect("::1", listener.port, client_context("1.3", certificate.certificate))
    client_port = stream.sock.getsockname()[1]
    assert stream.exchange(b"a LOGOUT\r\n") == b"* OK v6\r\n"
    stream.close()
    assert daemon.connection_record(listener="v6")["client"] == f"[::1]:{client_port}"


def test_plaintext_on_an_implicit_tls_port_is_handshake_failed(start_tlsfloord, byte_backend):
    backend = byte_backend(b"* OK\r\n")
    listener = relay_listener(backend)
    daemon = start_tlsfloord([listener])
    with socket.create_connection(("127.0.0.1", listener.port), timeout=10) as sock:
        sock.sendall(b"a LOGIN alice secret\r\n")
        try:
            reply = sock.recv(4096)
        except ConnectionResetError:
            reply = b""
        assert b"* OK" not in reply  # nothing from the backend
    record = daemon.connection_record(listener="logged")
    assert record["outcome"] == "handshake_failed"
    assert "secret" not in daemon.log_text()
    assert backend.sessions == []


def test_silent_client_gets_handshake_timeout(start_tlsfloord, byte_backend):
    backend = byte_backend(b"* OK\r\n")
    listener = relay_listener(backend)
    daemon = start_tlsfloord([listener], limits={"handshake_timeout": "1s"})
    with socket.create_connection(("127.0.0.1", listener.port), timeout=10) as sock:
        started = time.monotonic()
        assert sock.recv(4096) == b""
        assert 0.8 < time.monotonic() - started < 5
    assert daemon.connection_record(listener="logged")["outcome"] == "handshake_timeout"
    assert backend.sessions == []


def test_idle_relayed_session_gets_idle_timeout(start_tlsfloord, byte_backend, certificate):
    backend = byte_backend(b"* OK idle\r\n")
    listener = relay_listener(backend)
    daemon = start_tlsfloord([listener], limits={"idle_timeout": "1s"})
    stream = TLSStream.connect("127.0.0.1", listener.port, client_context("1.3", certificate.certificate))
    assert stream.recv_line() == b"* OK idle\r\n"
    started = time.monotonic()
    assert stream.recv() == b""
    assert 0.8 < time.monotonic() - started < 5
    stream.close()
    assert daemon.connection_record(listener="logged")["outcome"] == "idle_timeout"


def test_connection_over_max_connections_is_refused_and_logged(start_tlsfloord, byte_backend, certificate):
    backend = byte_backend(b"* OK first\r\n")
    listener = relay_listener(backend)
    daemon = start_tlsfloord([listener], limits={"max_connections": 1})
    first = TLSStream.connect("127.0.0.1", listener.port, client_context("1.3", certificate.certificate))
    assert first.recv_line() == b"* OK first\r\n"

    with socket.create_connection(("127.0.0.1", listener.port), timeout=10) as second:
        try:
            TLSStream.over(second, client_context("1.3", certificate.certificate)).recv()
        except (OSError, ValueError):
            pass  # closed before or during the handshake: both are a refusal
    daemon.connection_record(listener="logged", outcome="too_many_connections")
    assert len(backend.sessions) == 1
    first.close()


def refused_tls10(port, certificate):
    with socket.create_connection(("127.0.0.1", port)) as sock:
        try:
            client_context("1.0").wrap_socket(sock, server_hostname="localhost")
        except ssl.SSLError:
            return
    raise AssertionError("TLS 1.0 handshake succeeded")


def relayed_tls13(port, certificate):
    stream = TLSStream.connect("127.0.0.1", port, client_context("1.3", certificate.certificate))
    stream.exchange(b"a LOGOUT\r\n")
    stream.close()


def plaintext(port, certificate):
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"a CAPABILITY\r\n")
        try:
            sock.recv(4096)
        except ConnectionResetError:
            pass


@pytest.mark.parametrize("outcome,client,backend_up", [
    ("relayed", relayed_tls13, True),
    ("tls_version_refused", refused_tls10, True),
    ("handshake_failed", plaintext, True),
    ("backend_unavailable", relayed_tls13, False),
])
def test_every_connection_record_carries_all_contract_keys(start_tlsfloord, byte_backend, certificate,
                                                           outcome, client, backend_up):
    """The log contract: every connection record has every key; an absent value is "-"."""
    backend = byte_backend(b"* OK\r\n")
    if not backend_up:
        backend.close()
    listener = relay_listener(backend)
    daemon = start_tlsfloord([listener])
    client(listener.port, certificate)
    record = daemon.connection_record(listener="logged")
    assert record["outcome"] == outcome
    missing = CONNECTION_KEYS - set(record)
    assert not missing, f"{outcome} record lacks {sorted(missing)}: {record}"
    if outcome in ("relayed", "backend_unavailable"):
        assert record["backend"] == backend.address, record
    if outcome in ("tls_version_refused", "handshake_failed"):
        assert record["tls_version"] == "-" and record["cipher"] == "-", record
