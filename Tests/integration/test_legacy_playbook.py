"""The switch-off playbook beyond one action (issue 13): exemptions by network (also behind
a trusted front), the gradual ramp with its temporary refusals, and a legacy endpoint next to
refusing listeners. Real TLS 1.0/1.1 clients against the real Dovecot and Postfix."""

import base64
import datetime
import socket
import ssl

import pytest

from clients import LOG_VERSION_NAMES, TLSStream, client_context, s_client
from conftest import mail_listeners
from daemon import Listener
from test_legacy import HOST, MESSAGE, legacy_proxy, listener_name, plaintext_until_starttls  # noqa: F401 (fixture)

pytestmark = pytest.mark.legacy

OFFICE = "127.0.0.2"  # the "exempt network": clients bind here; tlsfloord listens on 127.0.0.1


def rfc3339(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def imap_login_over_tls10(port: int, user, source: str | None = None, header: bytes = b"") -> bytes:
    """IMAPS login with TLS 1.0 from `source`; returns the tagged reply line."""
    sock = socket.create_connection(("127.0.0.1", port), source_address=(source, 0) if source else None)
    sock.sendall(header)
    stream = TLSStream.over(sock, client_context("1.0"))
    try:
        greeting = stream.recv_line()
        if not greeting.startswith(b"* OK"):
            return greeting
        stream.send(f'a LOGIN "{user.address}" "{user.password}"\r\n'.encode())
        while True:
            line = stream.recv_line()
            if line.startswith(b"a ") or not line:
                return line
    finally:
        stream.close()


# ---------------------------------------------------------------- exemptions by network

def test_an_exempt_network_is_served_while_everyone_else_is_explained(legacy_proxy, mail_stack, backend_log):
    proxy = legacy_proxy(action="explain", message=MESSAGE, exempt_networks=[f"{OFFICE}/32", "2001:db8::/32"])
    alice = mail_stack.user("alice")
    backend = backend_log("imap")

    assert imap_login_over_tls10(proxy.port("imap"), alice, source=OFFICE).startswith(b"a OK")
    record = proxy.daemon.connection_record(listener="imap", legacy="exempt")
    assert record["outcome"] == "relayed" and record["user"] == alice.address, record
    assert record["client"].startswith(f"{OFFICE}:"), record
    assert f"Login: user=<{alice.address}>" in backend.new_text()

    assert imap_login_over_tls10(proxy.port("imap"), alice) == f"* BYE [ALERT] {MESSAGE}\r\n".encode()
    assert proxy.daemon.connection_record(listener="imap", outcome="legacy_explained")["legacy"] == "yes"


def test_behind_a_trusted_front_the_proxied_client_address_decides_the_exemption(start_tlsfloord, mail_stack):
    front = Listener.on_free_port("imap-front", "imap", "implicit", f"127.0.0.1:{mail_stack.ports.imap}",
                                  accept_proxy_protocol=True, trusted_proxies=["127.0.0.1"])
    daemon = start_tlsfloord([front], legacy={"action": "explain", "message": MESSAGE,
                                              "exempt_networks": ["192.0.2.0/24"]})
    alice = mail_stack.user("alice")

    def header(client: str) -> bytes:
        return f"PROXY TCP4 {client} 127.0.0.1 40144 993\r\n".encode()

    assert imap_login_over_tls10(front.port, alice, header=header("192.0.2.44")).startswith(b"a OK")
    exempt = daemon.connection_record(listener="imap-front", legacy="exempt")
    assert exempt["client"] == "192.0.2.44:40144" and exempt["outcome"] == "relayed", exempt

    reply = imap_login_over_tls10(front.port, alice, header=header("198.51.100.9"))
    assert reply == f"* BYE [ALERT] {MESSAGE}\r\n".encode()
    assert daemon.connection_record(listener="imap-front", outcome="legacy_explained")["client"] == "198.51.100.9:40144"


# ---------------------------------------------------------------- the ramp

def temporary_dialogue(protocol: str, tls: str) -> list[tuple[bytes | None, bytes]]:
    """(what the client sends or None, the exact line tlsfloord answers); then it closes."""
    if protocol == "imap":
        return [(None, f"* BYE [UNAVAILABLE] {MESSAGE}\r\n".encode())]
    if protocol == "pop3":
        greeting = [(None, f"+OK {HOST} POP3 service ready\r\n".encode())] if tls == "implicit" else []
        refusal = f"-ERR [SYS/TEMP] {MESSAGE}\r\n".encode()
        return greeting + [(b"USER alice@example.test\r\n", refusal), (b"PASS secret\r\n", refusal),
                           (b"QUIT\r\n", f"+OK {HOST} closing connection\r\n".encode())]
    if tls == "implicit":
        return [(None, f"421 4.7.0 {MESSAGE}\r\n".encode())]
    return [(b"EHLO client.example.test\r\n", f"421 4.7.0 {MESSAGE}\r\n".encode())]


@pytest.mark.parametrize("tls", ["implicit", "starttls"])
@pytest.mark.parametrize("protocol", ["imap", "pop3", "smtp"])
def test_a_ramp_near_its_end_refuses_legacy_clients_for_now(legacy_proxy, backend_log, protocol, tls):
    """A ramp that began long ago and ends in an hour refuses (nearly) every legacy client
    today, temporarily: the codes say "later", the text is the operator's message."""
    proxy = legacy_proxy(action="reject", message=MESSAGE, ramp_start="2000-01-01T00:00:00Z",
                              ramp_end=rfc3339(now() + datetime.timedelta(hours=1)))
    backend = backend_log(protocol)
    port = proxy.port(listener_name(protocol, tls))
    sock = socket.create_connection(("127.0.0.1", port)) if tls == "implicit" \
        else plaintext_until_starttls(protocol, port)
    stream = TLSStream.over(sock, client_context("1.1"))
    try:
        for sent, expected in temporary_dialogue(protocol, tls):
            if sent is not None:
                stream.send(sent)
            assert stream.recv_line() == expected
        assert stream.recv() == b"", "expected the connection to close after the temporary refusal"
    finally:
        stream.close()
    record = proxy.daemon.connection_record(listener=listener_name(protocol, tls))
    assert record["outcome"] == "legacy_ramped" and record["legacy"] == "yes", record
    assert record["offered_version"] == LOG_VERSION_NAMES["1.1"]
    assert backend.connections_seen() == 0, backend.new_text()


def test_before_the_ramp_starts_legacy_clients_are_served(legacy_proxy, mail_stack):
    start = now() + datetime.timedelta(days=1)
    proxy = legacy_proxy(action="reject", message=MESSAGE, ramp_start=rfc3339(start),
                              ramp_end=rfc3339(start + datetime.timedelta(days=14)))
    alice = mail_stack.user("alice")
    assert imap_login_over_tls10(proxy.port("imap"), alice).startswith(b"a OK")
    record = proxy.daemon.connection_record(listener="imap")
    assert (record["outcome"], record["legacy"], record["user"]) == ("relayed", "yes", alice.address)


def test_after_the_ramp_the_action_applies(legacy_proxy):
    proxy = legacy_proxy(action="reject", ramp_start="2020-01-01T00:00:00Z", ramp_end="2020-02-01T00:00:00Z")
    with socket.create_connection(("127.0.0.1", proxy.port("imap"))) as sock, pytest.raises(ssl.SSLError) as refused:
        client_context("1.0").wrap_socket(sock, server_hostname="localhost")
    assert refused.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION"
    assert proxy.daemon.connection_record(listener="imap")["outcome"] == "tls_version_refused"


# ---------------------------------------------------------------- a legacy endpoint

def test_a_legacy_endpoint_serves_tls10_while_the_main_listener_refuses(start_tlsfloord, mail_stack, certificate):
    """Like Microsoft's smtp-legacy.office365.com: one extra listener with action "allow".
    TLS 1.0 really works there on OpenSSL 3 (security level 0 and the CBC suites for that
    connection only); the main listener, and TLS 1.2 clients anywhere, never get them."""
    main = mail_listeners(mail_stack, "implicit")["smtp"]
    legacy = Listener.on_free_port("smtps-legacy", "smtp", "implicit", main.backend, legacy={"action": "allow"})
    daemon = start_tlsfloord([main, legacy], legacy={"action": "reject"})

    served = s_client(legacy.port, "-tls1", "-cipher", "DEFAULT@SECLEVEL=0", "-quiet", "-ign_eof",
                      stdin=b"EHLO old-printer.example.test\r\nQUIT\r\n")
    output = served.stdout.decode(errors="replace")
    assert "250-" in output and "221" in output, output
    record = daemon.connection_record(listener="smtps-legacy")
    assert (record["outcome"], record["tls_version"], record["legacy"]) == ("relayed", "TLSv1.0", "yes"), record

    refused = s_client(main.port, "-tls1", "-cipher", "DEFAULT@SECLEVEL=0")
    assert "alert protocol version" in refused.stdout.decode(errors="replace")
    assert daemon.connection_record(listener="smtp")["outcome"] == "tls_version_refused"

    # The legacy suites are lent to legacy connections only: a TLS 1.2 client offering
    # nothing but a CBC suite finds no shared cipher on either listener.
    for port in (main.port, legacy.port):
        cbc_only = s_client(port, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA:AES128-SHA")
        assert cbc_only.returncode != 0, cbc_only.stdout.decode(errors="replace")


# ---------------------------------------------------------------- exemptions by user

def imap_login_as(port: int, user, version: str = "1.0") -> list[bytes]:
    """Greeting, then LOGIN; returns every line up to the close or the tagged reply."""
    stream = TLSStream.connect("127.0.0.1", port, client_context(version))
    lines = [stream.recv_line()]
    try:
        stream.send(f'a LOGIN "{user.address}" "{user.password}"\r\n'.encode())
        while True:
            line = stream.recv_line()
            lines.append(line)
            if not line or line.startswith(b"a OK"):
                return lines
    finally:
        stream.close()


def test_an_exempt_user_logs_in_over_tls10_and_others_are_refused_before_their_password_moves(
        legacy_proxy, mail_stack, backend_log):
    alice, bob = mail_stack.user("alice"), mail_stack.user("bob")
    proxy = legacy_proxy(action="reject", message=MESSAGE, exempt_users=[alice.address.upper()])
    dovecot = backend_log("imap")

    assert imap_login_as(proxy.port("imap"), alice)[-1].startswith(b"a OK")
    record = proxy.daemon.connection_record(listener="imap", user=alice.address)
    assert (record["outcome"], record["legacy"], record["login"]) == ("relayed", "exempt", "accepted"), record

    lines = imap_login_as(proxy.port("imap"), bob)
    assert lines[0].startswith(b"* OK"), lines  # the backend's greeting: the handshake completed
    assert lines[1:] == [f"a NO [ALERT] {MESSAGE}\r\n".encode(), f"* BYE [ALERT] {MESSAGE}\r\n".encode(), b""], lines
    refused = proxy.daemon.connection_record(listener="imap", user=bob.address)
    assert (refused["outcome"], refused["legacy"], refused["login"]) == ("legacy_explained", "yes", "rejected"), refused
    assert f"Login: user=<{alice.address}>" in dovecot.new_text()
    assert bob.address not in dovecot.new_text(), "bob's login reached Dovecot"
    assert bob.password not in proxy.daemon.log_text()


def test_pop3_and_smtp_exempt_users(legacy_proxy, mail_stack, backend_log):
    alice, bob = mail_stack.user("alice"), mail_stack.user("bob")
    proxy = legacy_proxy(action="explain", message=MESSAGE, exempt_users=[alice.address])

    pop3 = TLSStream.connect("127.0.0.1", proxy.port("pop3"), client_context("1.1"))
    try:
        assert pop3.recv_line().startswith(b"+OK")
        pop3.send(f"USER {alice.address}\r\n".encode())
        assert pop3.recv_line().startswith(b"+OK")
        pop3.send(f"PASS {alice.password}\r\n".encode())
        assert pop3.recv_line().startswith(b"+OK"), "exempt user's POP3 login failed"
    finally:
        pop3.close()
    assert proxy.daemon.connection_record(listener="pop3", user=alice.address)["legacy"] == "exempt"

    postfix = backend_log("smtp")
    smtp = TLSStream.connect("127.0.0.1", proxy.port("smtp"), client_context("1.0"))
    try:
        assert smtp.recv_line().startswith(b"220")
        smtp.send(b"EHLO old-phone.example.test\r\n")
        while not smtp.recv_line().startswith(b"250 "):
            pass
        plain = base64.b64encode(f"\0{bob.address}\0{bob.password}".encode()).decode()
        smtp.send(f"AUTH PLAIN {plain}\r\n".encode())
        assert smtp.recv_line() == f"535 5.7.0 {MESSAGE}\r\n".encode()
        assert smtp.recv() == b""
    finally:
        smtp.close()
    record = proxy.daemon.connection_record(listener="smtp", user=bob.address)
    assert (record["outcome"], record["login"]) == ("legacy_explained", "rejected"), record
    assert "sasl_username" not in postfix.new_text(), postfix.new_text()
