"""Issue 3: the TLS floor. TLS 1.0/1.1 get the protocol_version alert and never reach
the backend; TLS 1.2/1.3 are relayed."""

import socket
import ssl

import pytest

from clients import LOG_VERSION_NAMES, PROTOCOL_NAMES, TLSStream, client_context, s_client
from conftest import mail_listeners
from daemon import Listener

pytestmark = pytest.mark.core

GREETINGS = {"imap": b"* OK", "pop3": b"+OK", "smtp": b"220 "}


@pytest.mark.parametrize("protocol", ["imap", "pop3", "smtp"])
@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_legacy_tls_gets_protocol_version_alert_and_backend_sees_nothing(
        implicit_proxy, backend_log, protocol, version):
    backend = backend_log(protocol)
    port = implicit_proxy.port(protocol)
    with socket.create_connection(("127.0.0.1", port)) as sock:
        with pytest.raises(ssl.SSLError) as refused:
            client_context(version).wrap_socket(sock, server_hostname="localhost")
    assert refused.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION", refused.value

    record = implicit_proxy.daemon.connection_record(listener=implicit_proxy.listeners[protocol].name)
    assert record["outcome"] == "tls_version_refused"
    assert record["offered_version"] == LOG_VERSION_NAMES[version]
    assert record["protocol"] == protocol
    assert backend.connections_seen() == 0, backend.new_text()


@pytest.mark.parametrize("flag,version", [("-tls1", "1.0"), ("-tls1_1", "1.1")])
def test_openssl_s_client_legacy_tls_gets_alert_70(implicit_proxy, backend_log, flag, version):
    backend = backend_log("imap")
    result = s_client(implicit_proxy.port("imap"), flag, "-cipher", "DEFAULT@SECLEVEL=0")
    output = result.stdout.decode(errors="replace")
    assert result.returncode != 0, output
    assert "alert protocol version" in output and "alert number 70" in output, output
    record = implicit_proxy.daemon.connection_record(listener="imap")
    assert record["outcome"] == "tls_version_refused"
    assert record["offered_version"] == LOG_VERSION_NAMES[version]
    assert backend.connections_seen() == 0, backend.new_text()


@pytest.mark.parametrize("protocol", ["imap", "pop3", "smtp"])
@pytest.mark.parametrize("version", ["1.2", "1.3"])
def test_modern_tls_reaches_the_backend_greeting(implicit_proxy, certificate, protocol, version):
    stream = TLSStream.connect("127.0.0.1", implicit_proxy.port(protocol),
                               client_context(version, certificate.certificate))
    try:
        assert stream.version == PROTOCOL_NAMES[version]
        greeting = stream.recv_line()
        assert greeting.startswith(GREETINGS[protocol]), greeting
        assert b"backend" in greeting, greeting  # the backend's own greeting, not tlsfloord's
    finally:
        stream.close()


def test_openssl_s_client_tls12_is_relayed(implicit_proxy):
    result = s_client(implicit_proxy.port("imap"), "-tls1_2", "-ign_eof", stdin=b"a LOGOUT\r\n")
    output = result.stdout.decode(errors="replace")
    assert "Protocol  : TLSv1.2" in output, output
    assert "* OK" in output and "* BYE" in output, output


def test_min_version_13_refuses_tls12(start_tlsfloord, mail_stack, certificate):
    listeners = mail_listeners(mail_stack, "implicit")
    daemon = start_tlsfloord(listeners.values(), tls={"min_version": "1.3"})
    port = listeners["imap"].port
    with socket.create_connection(("127.0.0.1", port)) as sock:
        with pytest.raises(ssl.SSLError) as refused:
            client_context("1.2").wrap_socket(sock, server_hostname="localhost")
    assert refused.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION", refused.value
    assert daemon.connection_record(listener="imap")["outcome"] == "tls_version_refused"
    stream = TLSStream.connect("127.0.0.1", port, client_context("1.3", certificate.certificate))
    assert stream.recv_line().startswith(b"* OK")
    stream.close()


def test_listener_min_version_overrides_the_global_floor(start_tlsfloord, mail_stack, certificate):
    listeners = mail_listeners(mail_stack, "implicit")
    strict = Listener.on_free_port("imap-strict", "imap", "implicit",
                                   f"127.0.0.1:{mail_stack.ports.imap}", min_version="1.3")
    daemon = start_tlsfloord([*listeners.values(), strict])

    with socket.create_connection(("127.0.0.1", strict.port)) as sock:
        with pytest.raises(ssl.SSLError) as refused:
            client_context("1.2").wrap_socket(sock, server_hostname="localhost")
    assert refused.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION", refused.value
    assert daemon.connection_record(listener="imap-strict")["outcome"] == "tls_version_refused"

    relaxed = TLSStream.connect("127.0.0.1", listeners["imap"].port,
                                client_context("1.2", certificate.certificate))
    assert relaxed.recv_line().startswith(b"* OK")
    relaxed.close()
