"""PROXY protocol: tlsfloord tells the real Dovecot/Postfix who the client is (v1/v2, v2 with
the TLS TLVs), accepts a header from a trusted front (and closes on anyone else), and fails
over between backends."""

import imaplib
import ipaddress
import poplib
import smtplib
import socket
import ssl
import struct
import threading

import pytest

from clients import TLSStream, client_context
from daemon import Listener
from mailflow import imap_find_subject, make_message, unique_subject
from ports import free_port

pytestmark = pytest.mark.proxy

CLIENT_ADDRESS = "127.0.0.2"  # the test's clients bind here; tlsfloord listens on 127.0.0.1
TRUSTED_FRONT = "127.0.0.3"
UNTRUSTED_FRONT = "127.0.0.4"
CLAIMED_CLIENT = ("192.0.2.44", 40144)  # TEST-NET-1: only a PROXY header can bring it


class IMAP4SSLFrom(imaplib.IMAP4_SSL):
    """IMAP4_SSL from a chosen local address."""

    def __init__(self, source: str, *args, **kwargs):
        self.source = source
        super().__init__(*args, **kwargs)

    def _create_socket(self, timeout):
        sock = socket.create_connection((self.host, self.port), timeout, source_address=(self.source, 0))
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)


class POP3SSLFrom(poplib.POP3_SSL):
    """POP3_SSL from a chosen local address."""

    def __init__(self, source: str, *args, **kwargs):
        self.source = source
        super().__init__(*args, **kwargs)

    def _create_socket(self, timeout):
        sock = socket.create_connection((self.host, self.port), timeout, source_address=(self.source, 0))
        return self.context.wrap_socket(sock, server_hostname=self.host)


def proxied_listener(mail_stack, protocol: str, version: str, **extra) -> Listener:
    backend_port = {"imap": mail_stack.ports.imap_proxied, "pop3": mail_stack.ports.pop3_proxied,
                    "smtp": mail_stack.ports.smtp_proxied}[protocol]
    return Listener.on_free_port(protocol, protocol, "implicit", f"127.0.0.1:{backend_port}",
                                 proxy_protocol=version, **extra)


def dovecot_login_line(backend_log, user: str) -> str:
    """Dovecot's `Login: user=<…>` line for `user`, written after the watch began."""
    lines = [line for line in backend_log.new_text().splitlines() if f"Login: user=<{user}>" in line]
    assert len(lines) == 1, backend_log.new_text()
    return lines[0]


def login_fields(line: str) -> set[str]:
    """`… Login: user=<a>, method=PLAIN, rip=…, lip=…, mpid=…, secured, session=<…>` -> its fields."""
    return {field.strip() for field in line.split("Login: ", 1)[1].split(",")}


# ---------------------------------------------------------------- to the backend

@pytest.mark.parametrize("version", ["v1", "v2"])
def test_dovecot_imap_sees_the_real_client_address(start_tlsfloord, mail_stack, backend_log, certificate,
                                                  version):
    alice = mail_stack.user("alice")
    listener = proxied_listener(mail_stack, "imap", version)
    daemon = start_tlsfloord([listener])
    dovecot = backend_log("imap")
    imap = IMAP4SSLFrom(CLIENT_ADDRESS, "127.0.0.1", listener.port,
                        ssl_context=client_context("1.3", certificate.certificate))
    try:
        assert imap.login(alice.address, alice.password)[0] == "OK"
        assert imap.select("INBOX")[0] == "OK"
    finally:
        imap.logout()
    record = daemon.connection_record(listener="imap")
    assert record["outcome"] == "relayed"
    assert record["client"].startswith(f"{CLIENT_ADDRESS}:"), record

    dovecot.connections_seen()  # waits for the log line
    fields = login_fields(dovecot_login_line(dovecot, alice.address))
    assert f"rip={CLIENT_ADDRESS}" in fields, fields
    assert "lip=127.0.0.1" in fields, fields
    # Only v2 carries the TLS TLVs that make Dovecot count the session as secured.
    assert ("secured" in fields) == (version == "v2"), fields


def test_dovecot_pop3_sees_the_real_client_address_as_secured(start_tlsfloord, mail_stack, backend_log,
                                                               certificate):
    bob = mail_stack.user("bob")
    listener = proxied_listener(mail_stack, "pop3", "v2")
    daemon = start_tlsfloord([listener])
    dovecot = backend_log("pop3")
    pop = POP3SSLFrom(CLIENT_ADDRESS, "127.0.0.1", listener.port,
                      context=client_context("1.2", certificate.certificate))
    try:
        pop.user(bob.address)
        assert pop.pass_(bob.password).startswith(b"+OK")
        pop.stat()
    finally:
        pop.quit()
    assert daemon.connection_record(listener="pop3")["outcome"] == "relayed"
    dovecot.connections_seen()
    fields = login_fields(dovecot_login_line(dovecot, bob.address))
    assert f"rip={CLIENT_ADDRESS}" in fields and "secured" in fields, fields


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_postfix_received_header_names_the_real_client(start_tlsfloord, mail_stack, certificate, version):
    alice, carol = mail_stack.user("alice"), mail_stack.user("carol")
    smtp_listener = proxied_listener(mail_stack, "smtp", version)
    imap_listener = Listener.on_free_port("imap", "imap", "implicit", f"127.0.0.1:{mail_stack.ports.imap}")
    daemon = start_tlsfloord([smtp_listener, imap_listener])
    subject = unique_subject(f"proxy-{version}")
    with smtplib.SMTP_SSL("127.0.0.1", smtp_listener.port, source_address=(CLIENT_ADDRESS, 0),
                          context=client_context("1.3", certificate.certificate), timeout=20) as smtp:
        smtp.ehlo("client.example.test")
        smtp.login(alice.address, alice.password)
        assert smtp.sendmail(alice.address, [carol.address], make_message(alice, carol, subject)) == {}
    imap = imaplib.IMAP4_SSL("127.0.0.1", imap_listener.port,
                             ssl_context=client_context("1.3", certificate.certificate))
    try:
        imap.login(carol.address, carol.password)
        message = imap_find_subject(imap, subject)
    finally:
        imap.logout()
    received = message.get_all("Received")
    assert received and f"[{CLIENT_ADDRESS}]" in received[0], received
    record = daemon.connection_record(listener="smtp")
    assert record["user"] == alice.address and record["login"] == "accepted", record


def test_v1_header_bytes_reach_a_unix_socket_backend(start_tlsfloord, tmp_path, certificate):
    """The exact v1 line (PROXY protocol spec, section 2.1) before the client's first byte,
    on a `unix:` backend."""
    path = tmp_path / "backend.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    received = bytearray()

    def serve():
        connection, _ = server.accept()
        with connection:
            connection.sendall(b"* OK unix backend ready\r\n")
            while b"a LOGOUT\r\n" not in received:
                data = connection.recv(4096)
                if not data:
                    break
                received.extend(data)
            connection.sendall(b"* BYE bye\r\na OK LOGOUT completed\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    listener = Listener.on_free_port("imap", "imap", "implicit", f"unix:{path}", proxy_protocol="v1")
    daemon = start_tlsfloord([listener])
    sock = socket.create_connection(("127.0.0.1", listener.port), source_address=(CLIENT_ADDRESS, 0))
    client_port = sock.getsockname()[1]
    stream = TLSStream.over(sock, client_context("1.3", certificate.certificate))
    try:
        assert stream.recv_line() == b"* OK unix backend ready\r\n"
        stream.send(b"a LOGOUT\r\n")
        assert stream.recv_line() == b"* BYE bye\r\n"
    finally:
        stream.close()
    thread.join(timeout=10)
    server.close()
    expected = f"PROXY TCP4 {CLIENT_ADDRESS} 127.0.0.1 {client_port} {listener.port}\r\na LOGOUT\r\n".encode()
    assert bytes(received) == expected
    assert daemon.connection_record(listener="imap")["backend"] == f"unix:{path}"


# ---------------------------------------------------------------- from a front

def proxy_v2_header(source: tuple[str, int], destination: tuple[str, int]) -> bytes:
    """A PROXY v2 PROXY/TCP4 header (spec section 2.2)."""
    addresses = (ipaddress.IPv4Address(source[0]).packed + ipaddress.IPv4Address(destination[0]).packed
                 + struct.pack("!HH", source[1], destination[1]))
    return b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x21, 0x11]) + struct.pack("!H", len(addresses)) + addresses


def proxy_v1_header(source: tuple[str, int], destination: tuple[str, int]) -> bytes:
    return f"PROXY TCP4 {source[0]} {destination[0]} {source[1]} {destination[1]}\r\n".encode()


def front_listener(mail_stack, **extra) -> Listener:
    return proxied_listener(mail_stack, "imap", "v2", accept_proxy_protocol=True,
                            trusted_proxies=[f"{TRUSTED_FRONT}/32", "192.0.2.200/32"], **extra)


def connect_from(source: str, port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), source_address=(source, 0))


@pytest.mark.parametrize("make_header", [proxy_v2_header, proxy_v1_header], ids=["v2", "v1"])
def test_trusted_front_header_becomes_the_client_everywhere(start_tlsfloord, mail_stack, backend_log,
                                                            certificate, make_header):
    alice = mail_stack.user("alice")
    listener = front_listener(mail_stack)
    daemon = start_tlsfloord([listener])
    dovecot = backend_log("imap")
    sock = connect_from(TRUSTED_FRONT, listener.port)
    front_port = sock.getsockname()[1]
    sock.sendall(make_header(CLAIMED_CLIENT, ("127.0.0.1", listener.port)))
    stream = TLSStream.over(sock, client_context("1.3", certificate.certificate))
    try:
        assert stream.recv_line().startswith(b"* OK")
        stream.send(f'a LOGIN "{alice.address}" "{alice.password}"\r\n'.encode())
        while not (line := stream.recv_line()).startswith(b"a "):
            assert line, "closed during LOGIN"
        assert line.startswith(b"a OK"), line
        stream.send(b"b LOGOUT\r\n")
        while stream.recv_line():
            pass
    finally:
        stream.close()

    record = daemon.connection_record(listener="imap")
    assert record["client"] == f"{CLAIMED_CLIENT[0]}:{CLAIMED_CLIENT[1]}", record
    assert record["front"] == f"{TRUSTED_FRONT}:{front_port}", record
    assert record["outcome"] == "relayed" and record["user"] == alice.address, record
    dovecot.connections_seen()
    fields = login_fields(dovecot_login_line(dovecot, alice.address))
    assert f"rip={CLAIMED_CLIENT[0]}" in fields and "secured" in fields, fields


def assert_closed_without_service(sock: socket.socket) -> None:
    """tlsfloord closes without a byte of TLS: EOF or a reset (our header was left unread)."""
    try:
        data = sock.recv(4096)
    except ConnectionResetError:
        return
    assert data == b"", f"expected the connection to be closed, got {data!r}"


@pytest.mark.parametrize("source,payload,then_close", [
    (UNTRUSTED_FRONT, proxy_v2_header(CLAIMED_CLIENT, ("127.0.0.1", 993)), False),
    (UNTRUSTED_FRONT, proxy_v1_header(CLAIMED_CLIENT, ("127.0.0.1", 993)), False),
    (TRUSTED_FRONT, b"PROXY TCP4 192.0.2.44 nonsense\r\n", False),
    (TRUSTED_FRONT, proxy_v2_header(CLAIMED_CLIENT, ("127.0.0.1", 993))[:20], True),
    (TRUSTED_FRONT, b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", False),  # a ClientHello, no header
], ids=["untrusted-v2", "untrusted-v1", "malformed-v1", "truncated-v2", "no-header"])
def test_untrusted_or_malformed_front_is_closed_and_logged(start_tlsfloord, mail_stack, backend_log,
                                                           source, payload, then_close):
    listener = front_listener(mail_stack)
    daemon = start_tlsfloord([listener])
    dovecot = backend_log("imap")
    with connect_from(source, listener.port) as sock:
        sock.sendall(payload)
        if then_close:
            sock.shutdown(socket.SHUT_WR)
        assert_closed_without_service(sock)
    record = daemon.connection_record(listener="imap")
    assert record["outcome"] == "proxy_header_refused", record
    assert record["client"].startswith(f"{source}:"), record
    assert record.get("error", "-") != "-", record
    assert dovecot.connections_seen() == 0, dovecot.new_text()


def proxy_v2_local_header() -> bytes:
    """A PROXY v2 LOCAL header: the front's own connection (HAProxy health checks send it)."""
    return b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x20, 0x00]) + struct.pack("!H", 0)


@pytest.mark.parametrize("level", ["info", "debug"])
def test_a_balancer_health_check_is_logged_only_at_debug_level(start_tlsfloord, mail_stack, backend_log, level):
    """A balancer checking every few seconds must not fill the log with failed handshakes."""
    listener = front_listener(mail_stack)
    daemon = start_tlsfloord([listener], log={"level": level})
    dovecot = backend_log("imap")
    for _ in range(3):
        with connect_from(TRUSTED_FRONT, listener.port) as sock:
            sock.sendall(proxy_v2_local_header())
    # A proxied client that gives up before its ClientHello is no health check: still logged.
    with connect_from(TRUSTED_FRONT, listener.port) as sock:
        sock.sendall(proxy_v2_header(CLAIMED_CLIENT, ("127.0.0.1", listener.port)))
    given_up = daemon.connection_record(listener="imap", client=f"{CLAIMED_CLIENT[0]}:{CLAIMED_CLIENT[1]}")
    assert given_up["outcome"] == "handshake_failed", given_up
    checks = daemon.wait_for_records(3 if level == "debug" else 0, event="connection", outcome="health_check")
    if level == "debug":
        assert len(checks) == 3, checks
        assert all(check["client"].startswith(f"{TRUSTED_FRONT}:") and "front" not in check for check in checks), checks
    else:
        assert checks == [], checks
        assert len(daemon.records(event="connection")) == 1, daemon.log_text()
    assert dovecot.connections_seen() == 0, dovecot.new_text()


# ---------------------------------------------------------------- failover

def test_failover_to_the_second_backend(start_tlsfloord, mail_stack, certificate):
    alice = mail_stack.user("alice")
    dead = f"127.0.0.1:{free_port()}"
    alive = f"127.0.0.1:{mail_stack.ports.imap}"
    listener = Listener.on_free_port("imap", "imap", "implicit", [dead, alive])
    daemon = start_tlsfloord([listener])
    for _ in range(2):  # also once the first backend is known to be down
        imap = imaplib.IMAP4_SSL("127.0.0.1", listener.port, ssl_context=client_context("1.3", certificate.certificate))
        try:
            assert imap.login(alice.address, alice.password)[0] == "OK"
        finally:
            imap.logout()
    records = daemon.wait_for_records(2, event="connection", listener="imap")
    assert [record["backend"] for record in records] == [alive, alive], records
    assert all(record["outcome"] == "relayed" for record in records), records


UNAVAILABLE = {
    "imap": b"* BYE [UNAVAILABLE] The mail server is temporarily unavailable, please try again later\r\n",
    "pop3": b"-ERR [SYS/TEMP] The mail server is temporarily unavailable, please try again later\r\n",
    "smtp": b"421 4.3.0 mail.example.test The mail server is temporarily unavailable, please try again later\r\n",
}


@pytest.mark.parametrize("protocol", ["imap", "pop3", "smtp"])
def test_all_backends_down_gives_the_unavailable_reply(start_tlsfloord, certificate, tmp_path, protocol):
    backends = [f"127.0.0.1:{free_port()}", f"unix:{tmp_path / 'missing.sock'}"]
    listener = Listener.on_free_port(protocol, protocol, "implicit", backends)
    daemon = start_tlsfloord([listener])
    stream = TLSStream.connect("127.0.0.1", listener.port, client_context("1.3", certificate.certificate))
    try:
        assert stream.recv_line() == UNAVAILABLE[protocol]
        assert stream.recv() == b""
    finally:
        stream.close()
    record = daemon.connection_record(listener=protocol)
    assert record["outcome"] == "backend_unavailable", record
