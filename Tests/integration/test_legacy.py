"""Clients below the TLS floor (TLS 1.0/1.1) in each `[legacy] action`: reject (alert 70),
explain (a readable refusal in the protocol's own words, never reaching the backend) and
allow (relayed to the real Dovecot/Postfix, logged as legacy); `enforce_after`; per-listener
overrides. Real clients: Python ssl/imaplib/poplib/smtplib, `openssl s_client`, curl."""

import imaplib
import poplib
import re
import smtplib
import socket
import ssl
import subprocess

import pytest

from clients import LOG_VERSION_NAMES, PROTOCOL_NAMES, LineSession, TLSStream, client_context, s_client
from conftest import Proxy, mail_listeners
from daemon import Daemon, render_config
from mailflow import imap_find_subject, make_message, unique_subject

pytestmark = pytest.mark.legacy

HOST = "mail.example.test"  # [server] hostname in the test config
MESSAGE = ("TLS 1.0 and 1.1 are switched off on this server since 2023-09-30, "
           "please update your mail program (help: https://example.test/tls)")
PAST = "2023-09-30T00:00:00Z"
FUTURE = "2999-01-01T00:00:00Z"
LEGACY_VERSIONS = ["1.0", "1.1"]
PROTOCOLS = ["imap", "pop3", "smtp"]
MODES = ["implicit", "starttls"]


def listener_name(protocol: str, tls: str) -> str:
    """Names given by conftest.mail_listeners."""
    return protocol if tls == "implicit" else f"starttls-{protocol}"


@pytest.fixture
def legacy_proxy(start_tlsfloord, mail_stack):
    """Factory: legacy_proxy(action=..., enforce_after=..., message=...) -> Proxy with all six
    listeners (IMAPS/POP3S/SMTPS and IMAP/POP3/SMTP STARTTLS) and that `[legacy]` table."""
    def start(**legacy) -> Proxy:
        listeners = {**mail_listeners(mail_stack, "implicit"), **mail_listeners(mail_stack, "starttls")}
        return Proxy(start_tlsfloord(listeners.values(), legacy=legacy), listeners)
    return start


def plaintext_until_starttls(protocol: str, port: int) -> socket.socket:
    """Talks the plaintext part of a STARTTLS listener up to the TLS go-ahead."""
    session = LineSession("127.0.0.1", port)
    if protocol == "imap":
        assert session.line().startswith(b"* OK")
        session.send(b"a STARTTLS\r\n")
        assert session.imap_until_tagged(b"a")[-1].startswith(b"a OK"), "no STARTTLS go-ahead"
    elif protocol == "pop3":
        assert session.line().startswith(b"+OK")
        session.send(b"STLS\r\n")
        assert session.line().startswith(b"+OK"), "no STLS go-ahead"
    else:
        assert session.smtp_reply()[0].startswith(b"220 ")
        session.send(b"EHLO client.example.test\r\n")
        session.smtp_reply()
        session.send(b"STARTTLS\r\n")
        assert session.smtp_reply()[0].startswith(b"220 "), "no STARTTLS go-ahead"
    assert session.buffer == b"", "tlsfloord sent something after the go-ahead"
    return session.sock


def tcp_to_tls_start(proxy: Proxy, protocol: str, tls: str) -> socket.socket:
    """A socket at the point where the client's ClientHello goes next."""
    port = proxy.port(listener_name(protocol, tls))
    if tls == "implicit":
        return socket.create_connection(("127.0.0.1", port))
    return plaintext_until_starttls(protocol, port)


def legacy_session(proxy: Proxy, protocol: str, tls: str, version: str, cafile=None) -> TLSStream:
    return TLSStream.over(tcp_to_tls_start(proxy, protocol, tls), client_context(version, cafile))


def assert_legacy_record(record: dict, version: str) -> None:
    name = LOG_VERSION_NAMES[version]
    assert record["legacy"] == "yes", record
    assert record["offered_version"] == name, record
    # JA4: t + version + d/i (SNI sent or not) + counts + ALPN, then two hashes.
    ja4 = f"t{version.replace('.', '')}{'i' if record['sni'] == '-' else 'd'}"
    assert re.fullmatch(ja4 + r"\d{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}", record.get("ja4", "")), record


# ---------------------------------------------------------------- reject

@pytest.mark.parametrize("version", LEGACY_VERSIONS)
@pytest.mark.parametrize("tls", MODES)
@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_reject_sends_alert_70_and_the_backend_sees_nothing(legacy_proxy, backend_log, protocol, tls, version):
    proxy = legacy_proxy(action="reject", enforce_after=PAST, message=MESSAGE)
    backend = backend_log(protocol)
    sock = tcp_to_tls_start(proxy, protocol, tls)
    with sock, pytest.raises(ssl.SSLError) as refused:
        client_context(version).wrap_socket(sock, server_hostname="localhost")
    assert refused.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION", refused.value

    record = proxy.daemon.connection_record(listener=listener_name(protocol, tls))
    assert record["outcome"] == "tls_version_refused"
    assert record["tls"] == tls
    assert record["tls_version"] == "-"
    assert record["backend"] == "-"
    assert_legacy_record(record, version)
    assert backend.connections_seen() == 0, backend.new_text()


@pytest.mark.parametrize("starttls", [None, "imap", "pop3", "smtp"])
def test_reject_openssl_s_client_tls1_gets_alert_70(legacy_proxy, starttls):
    proxy = legacy_proxy(action="reject")
    name = "imap" if starttls is None else f"starttls-{starttls}"
    options = [] if starttls is None else ["-starttls", starttls]
    result = s_client(proxy.port(name), "-tls1", "-cipher", "DEFAULT@SECLEVEL=0", *options)
    output = result.stdout.decode(errors="replace")
    assert result.returncode != 0, output
    assert "alert protocol version" in output and "alert number 70" in output, output
    record = proxy.daemon.connection_record(listener=name)
    assert record["outcome"] == "tls_version_refused"
    assert_legacy_record(record, "1.0")


def test_reject_curl_tls11_smtps_fails_with_protocol_version(legacy_proxy, certificate):
    proxy = legacy_proxy(action="reject")
    result = curl_legacy(certificate, "1.1", f"smtps://127.0.0.1:{proxy.port('smtp')}", "-v",
                         "--mail-from", "alice@example.test", "--mail-rcpt", "bob@example.test", "-T", "-")
    assert result.returncode == 35, result.stderr  # CURLE_SSL_CONNECT_ERROR
    assert "alert protocol version" in result.stderr, result.stderr
    record = proxy.daemon.connection_record(listener="smtp")
    assert record["outcome"] == "tls_version_refused"
    assert record["offered_version"] == "TLSv1.1"


# ---------------------------------------------------------------- explain

def explain_dialogue(protocol: str, tls: str, password: str) -> list[tuple[bytes | None, bytes]]:
    """(what the client sends or None, the exact line tlsfloord answers), in order;
    after the last step tlsfloord closes the connection (docs/error-replies.md)."""
    if protocol == "imap":
        return [(None, f"* BYE [ALERT] {MESSAGE}\r\n".encode())]
    if protocol == "pop3":
        refusal = f"-ERR [SYS/PERM] {MESSAGE}\r\n".encode()
        greeting = [(None, f"+OK {HOST} POP3 service ready\r\n".encode())] if tls == "implicit" else []
        return greeting + [(b"USER alice@example.test\r\n", refusal),
                           (f"PASS {password}\r\n".encode(), refusal),
                           (b"QUIT\r\n", f"+OK {HOST} closing connection\r\n".encode())]
    if tls == "implicit":
        return [(None, f"554 5.7.0 {MESSAGE}\r\n".encode()),
                (b"EHLO client.example.test\r\n", f"503 5.5.1 {MESSAGE}\r\n".encode()),
                (b"QUIT\r\n", f"221 2.0.0 {HOST} closing connection\r\n".encode())]
    return [(b"EHLO client.example.test\r\n", f"554 5.7.0 {MESSAGE}\r\n".encode())]


def assert_closed(stream: TLSStream) -> None:
    rest = stream.recv()
    assert rest == b"", f"expected the connection to close, got {rest!r}"


@pytest.mark.parametrize("version", LEGACY_VERSIONS)
@pytest.mark.parametrize("tls", MODES)
@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_explain_sends_the_exact_refusal_and_the_backend_sees_nothing(
        legacy_proxy, backend_log, mail_stack, protocol, tls, version):
    proxy = legacy_proxy(action="explain", enforce_after=PAST, message=MESSAGE)
    backend = backend_log(protocol)
    password = mail_stack.user("alice").password
    stream = legacy_session(proxy, protocol, tls, version)
    try:
        assert stream.version == PROTOCOL_NAMES[version]
        for sent, expected in explain_dialogue(protocol, tls, password):
            if sent is not None:
                stream.send(sent)
            assert stream.recv_line() == expected
        assert_closed(stream)
    finally:
        stream.close()

    record = proxy.daemon.connection_record(listener=listener_name(protocol, tls))
    assert record["outcome"] == "legacy_explained"
    assert record["tls_version"] == LOG_VERSION_NAMES[version]
    assert record["backend"] == "-"
    assert_legacy_record(record, version)
    assert password not in proxy.daemon.log_text()
    assert backend.connections_seen() == 0, backend.new_text()


def test_explain_pop3s_closes_after_three_commands(legacy_proxy):
    proxy = legacy_proxy(action="explain", message=MESSAGE)
    stream = legacy_session(proxy, "pop3", "implicit", "1.0")
    refusal = f"-ERR [SYS/PERM] {MESSAGE}\r\n".encode()
    try:
        assert stream.recv_line() == f"+OK {HOST} POP3 service ready\r\n".encode()
        for command in (b"CAPA\r\n", b"USER alice@example.test\r\n", b"STAT\r\n", b"NOOP\r\n"):
            stream.send(command)
            assert stream.recv_line() == refusal, command
        assert_closed(stream)
    finally:
        stream.close()


def test_explain_smtps_waits_for_quit_then_closes_with_421(legacy_proxy):
    proxy = legacy_proxy(action="explain", message=MESSAGE)
    stream = legacy_session(proxy, "smtp", "implicit", "1.1")
    try:
        assert stream.recv_line() == f"554 5.7.0 {MESSAGE}\r\n".encode()
        for command in (b"EHLO client.example.test\r\n", b"MAIL FROM:<a@example.test>\r\n", b"NOOP\r\n"):
            stream.send(command)
            assert stream.recv_line() == f"503 5.5.1 {MESSAGE}\r\n".encode(), command
        stream.send(b"RSET\r\n")
        assert stream.recv_line() == f"421 4.7.0 {HOST} {MESSAGE}\r\n".encode()
        assert_closed(stream)
    finally:
        stream.close()


def test_explained_client_that_stays_silent_is_closed_and_logged_as_explained(start_tlsfloord, mail_stack):
    """A POP3S client that read the refusal but never sends QUIT is closed after
    handshake_timeout; it was explained, so that is its outcome."""
    listeners = mail_listeners(mail_stack, "implicit")
    daemon = start_tlsfloord(listeners.values(), limits={"handshake_timeout": "2s"},
                             legacy={"action": "explain", "message": MESSAGE})
    stream = TLSStream.connect("127.0.0.1", listeners["pop3"].port, client_context("1.0"))
    try:
        assert stream.recv_line() == f"+OK {HOST} POP3 service ready\r\n".encode()
        stream.send(b"USER alice@example.test\r\n")
        assert stream.recv_line() == f"-ERR [SYS/PERM] {MESSAGE}\r\n".encode()
        assert_closed(stream)  # within the socket timeout
    finally:
        stream.close()
    record = daemon.connection_record(listener="pop3")
    assert record["outcome"] == "legacy_explained", record
    assert record["tls_version"] == "TLSv1.0"


def test_explain_without_a_message_uses_the_default_text(legacy_proxy):
    proxy = legacy_proxy(action="explain")
    stream = legacy_session(proxy, "imap", "implicit", "1.0")
    try:
        assert stream.recv_line() == (b"* BYE [ALERT] Your mail program uses TLS 1.0 or 1.1, which this server "
                                      b"no longer accepts. Please update it or its operating system.\r\n")
    finally:
        stream.close()


@pytest.mark.parametrize("flag,version,starttls,stdin,expected", [
    ("-tls1", "1.0", None, b"", f"* BYE [ALERT] {MESSAGE}"),
    ("-tls1_1", "1.1", "imap", b"", f"* BYE [ALERT] {MESSAGE}"),
    ("-tls1", "1.0", "smtp", b"EHLO client.example.test\n", f"554 5.7.0 {MESSAGE}"),
    ("-tls1_1", "1.1", "pop3", b"USER alice@example.test\nQUIT\n", f"-ERR [SYS/PERM] {MESSAGE}"),
])
def test_explain_openssl_s_client_shows_the_refusal(legacy_proxy, flag, version, starttls, stdin, expected):
    proxy = legacy_proxy(action="explain", message=MESSAGE)
    name = "imap" if starttls is None else f"starttls-{starttls}"
    options = [] if starttls is None else ["-starttls", starttls]
    result = s_client(proxy.port(name), flag, "-cipher", "DEFAULT@SECLEVEL=0", "-crlf", "-ign_eof",
                      "-nocommands", *options, stdin=stdin)
    output = result.stdout.decode(errors="replace")
    assert f"Protocol  : {PROTOCOL_NAMES[version]}" in output, output
    assert expected + "\n" in output.replace("\r\n", "\n"), output
    record = proxy.daemon.connection_record(listener=name)
    assert record["outcome"] == "legacy_explained"
    assert_legacy_record(record, version)


def curl_legacy(certificate, version: str, url: str, *arguments: str,
                stdin: str = "") -> subprocess.CompletedProcess:
    """curl pinned to one legacy TLS version (security level 0, or OpenSSL 3 will not offer it)."""
    return subprocess.run(
        ["curl", "--silent", "--show-error", "--max-time", "30", f"--tlsv{version}", "--tls-max", version,
         "--ciphers", "DEFAULT@SECLEVEL=0", "--cacert", str(certificate.certificate), url, *arguments],
        input=stdin, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("protocol,version", [("imap", "1.0"), ("pop3", "1.1")])
def test_explain_curl_shows_the_refusal_and_fails(legacy_proxy, certificate, mail_stack, protocol, version):
    proxy = legacy_proxy(action="explain", message=MESSAGE)
    alice = mail_stack.user("alice")
    result = curl_legacy(certificate, version, f"{protocol}s://127.0.0.1:{proxy.port(protocol)}/", "-v",
                         "-u", f"{alice.address}:{alice.password}")
    assert result.returncode != 0, result.stderr
    assert MESSAGE in result.stderr, result.stderr  # curl -v prints the server's lines
    record = proxy.daemon.connection_record(listener=protocol)
    assert record["outcome"] == "legacy_explained"
    assert record["tls_version"] == LOG_VERSION_NAMES[version]


# ---------------------------------------------------------------- allow

def assert_allowed_login(proxy: Proxy, name: str, version: str, user: str, login: str = "accepted") -> dict:
    record = proxy.daemon.connection_record(listener=name)
    assert record["outcome"] == "relayed", record
    assert record["tls_version"] == LOG_VERSION_NAMES[version], record
    assert record["user"] == user, record
    assert record["login"] == login, record
    assert_legacy_record(record, version)
    return record


@pytest.mark.parametrize("version", LEGACY_VERSIONS)
def test_allow_imaps_login_reaches_dovecot(legacy_proxy, backend_log, mail_stack, certificate, version):
    proxy = legacy_proxy(action="allow")
    backend = backend_log("imap")
    alice = mail_stack.user("alice")
    imap = imaplib.IMAP4_SSL("127.0.0.1", proxy.port("imap"),
                             ssl_context=client_context(version, certificate.certificate))
    try:
        assert imap.sock.version() == PROTOCOL_NAMES[version]
        assert imap.login(alice.address, alice.password)[0] == "OK"
        assert imap.select("INBOX")[0] == "OK"
    finally:
        imap.logout()
    assert_allowed_login(proxy, "imap", version, alice.address)
    assert backend.connections_seen() == 1, backend.new_text()
    assert f"Login: user=<{alice.address}>" in backend.new_text(), backend.new_text()
    assert alice.password not in proxy.daemon.log_text()


def test_allow_imap_starttls_wrong_password_is_logged_rejected(legacy_proxy, mail_stack, certificate):
    proxy = legacy_proxy(action="allow")
    bob = mail_stack.user("bob")
    imap = imaplib.IMAP4("127.0.0.1", proxy.port("starttls-imap"))
    try:
        assert imap.starttls(ssl_context=client_context("1.1", certificate.certificate))[0] == "OK"
        assert imap.sock.version() == "TLSv1.1"
        with pytest.raises(imaplib.IMAP4.error):
            imap.login(bob.address, "not-" + bob.password)
        assert imap.login(bob.address, bob.password)[0] == "OK"
    finally:
        imap.logout()
    # The last login decides: the client ended up logged in.
    assert_allowed_login(proxy, "starttls-imap", "1.1", bob.address, "accepted")


@pytest.mark.parametrize("tls", MODES)
def test_allow_pop3_login(legacy_proxy, mail_stack, certificate, tls):
    proxy = legacy_proxy(action="allow")
    carol = mail_stack.user("carol")
    context = client_context("1.0", certificate.certificate)
    if tls == "implicit":
        pop = poplib.POP3_SSL("127.0.0.1", proxy.port("pop3"), context=context)
    else:
        pop = poplib.POP3("127.0.0.1", proxy.port("starttls-pop3"))
        assert pop.stls(context=context).startswith(b"+OK")
    try:
        assert pop.sock.version() == "TLSv1"
        assert b"backend Dovecot ready" in pop.getwelcome() or tls == "starttls"
        pop.user(carol.address)
        assert pop.pass_(carol.password).startswith(b"+OK")
        pop.stat()
    finally:
        pop.quit()
    assert_allowed_login(proxy, listener_name("pop3", tls), "1.0", carol.address)


@pytest.mark.parametrize("tls,version", [("implicit", "1.0"), ("starttls", "1.1")])
def test_allow_smtp_submission_delivers(legacy_proxy, mail_stack, certificate, tls, version):
    proxy = legacy_proxy(action="allow")
    alice, bob = mail_stack.user("alice"), mail_stack.user("bob")
    subject = unique_subject(f"legacy-{tls}")
    context = client_context(version, certificate.certificate)
    if tls == "implicit":
        smtp = smtplib.SMTP_SSL("127.0.0.1", proxy.port("smtp"), context=context, timeout=20)
    else:
        smtp = smtplib.SMTP("127.0.0.1", proxy.port("starttls-smtp"), timeout=20)
        smtp.starttls(context=context)
    with smtp:
        assert smtp.sock.version() == PROTOCOL_NAMES[version]
        smtp.ehlo("client.example.test")
        smtp.login(alice.address, alice.password)
        assert smtp.sendmail(alice.address, [bob.address], make_message(alice, bob, subject)) == {}
    imap = imaplib.IMAP4_SSL("127.0.0.1", proxy.port("imap"), ssl_context=client_context("1.3", certificate.certificate))
    try:
        imap.login(bob.address, bob.password)
        assert imap_find_subject(imap, subject)["From"] == alice.address
    finally:
        imap.logout()
    assert_allowed_login(proxy, listener_name("smtp", tls), version, alice.address)


def test_allow_curl_tls11_imaps(legacy_proxy, mail_stack, certificate):
    proxy = legacy_proxy(action="allow")
    alice = mail_stack.user("alice")
    result = curl_legacy(certificate, "1.1", f"imaps://127.0.0.1:{proxy.port('imap')}/INBOX",
                         "-u", f"{alice.address}:{alice.password}", "-X", "EXAMINE INBOX")
    assert result.returncode == 0, result.stderr
    assert "FLAGS" in result.stdout, result.stdout
    assert_allowed_login(proxy, "imap", "1.1", alice.address)


# ---------------------------------------------------------------- enforce_after

@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_enforce_after_in_the_future_relays_legacy_clients(legacy_proxy, backend_log, protocol):
    proxy = legacy_proxy(action="reject", enforce_after=FUTURE, message=MESSAGE)
    backend = backend_log(protocol)
    stream = legacy_session(proxy, protocol, "implicit", "1.0")
    try:
        greeting = stream.recv_line()
        assert b"backend" in greeting, greeting  # the backend's own greeting
    finally:
        stream.close()
    record = proxy.daemon.connection_record(listener=protocol)
    assert record["outcome"] == "relayed"
    assert record["tls_version"] == "TLSv1.0"
    assert_legacy_record(record, "1.0")
    assert backend.connections_seen() == 1, backend.new_text()


def test_enforce_after_in_the_past_applies_the_action(legacy_proxy):
    proxy = legacy_proxy(action="explain", enforce_after=PAST, message=MESSAGE)
    stream = legacy_session(proxy, "imap", "starttls", "1.0")
    try:
        assert stream.recv_line() == f"* BYE [ALERT] {MESSAGE}\r\n".encode()
    finally:
        stream.close()
    assert proxy.daemon.connection_record(listener="starttls-imap")["outcome"] == "legacy_explained"


# ---------------------------------------------------------------- per listener

def test_listener_inline_legacy_table_overrides_the_global_action(start_tlsfloord, mail_stack, backend_log):
    listeners = mail_listeners(mail_stack, "implicit")
    explaining = mail_listeners(mail_stack, "implicit", legacy={"action": "explain"})["imap"]
    explaining = type(explaining)("imap-explain", "imap", "implicit", explaining.listen, explaining.backend,
                                  explaining.extra)
    daemon = start_tlsfloord([*listeners.values(), explaining], legacy={"action": "reject", "message": MESSAGE})
    proxy = Proxy(daemon, {**listeners, "imap-explain": explaining})

    stream = TLSStream.connect("127.0.0.1", explaining.port, client_context("1.0"))
    try:
        # The listener overrides only the action; the message is inherited from [legacy].
        assert stream.recv_line() == f"* BYE [ALERT] {MESSAGE}\r\n".encode()
    finally:
        stream.close()
    assert daemon.connection_record(listener="imap-explain")["outcome"] == "legacy_explained"

    with socket.create_connection(("127.0.0.1", proxy.port("imap"))) as sock, pytest.raises(ssl.SSLError) as refused:
        client_context("1.0").wrap_socket(sock, server_hostname="localhost")
    assert refused.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION"
    assert daemon.connection_record(listener="imap")["outcome"] == "tls_version_refused"


def test_listener_legacy_sub_table_overrides_the_global_action(tmp_path, mail_stack, certificate,
                                                               tlsfloord_binary):
    listeners = mail_listeners(mail_stack, "implicit")
    text = render_config(certificate=certificate.certificate, private_key=certificate.private_key,
                         listeners=listeners.values(), legacy={"action": "reject"})
    # render_config writes the listeners last: this sub-table belongs to the last one (smtp).
    config = tmp_path / "sub-table.toml"
    config.write_text(text + f'[listener.legacy]\naction = "explain"\nmessage = "{MESSAGE}"\n')
    daemon = Daemon(config, list(listeners.values()), binary=tlsfloord_binary)
    try:
        daemon.wait_ready()
        stream = TLSStream.connect("127.0.0.1", listeners["smtp"].port, client_context("1.1"))
        try:
            assert stream.recv_line() == f"554 5.7.0 {MESSAGE}\r\n".encode()
        finally:
            stream.close()
        with socket.create_connection(("127.0.0.1", listeners["pop3"].port)) as sock, \
                pytest.raises(ssl.SSLError) as refused:
            client_context("1.1").wrap_socket(sock, server_hostname="localhost")
        assert refused.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION"
    finally:
        assert daemon.stop() == 0, daemon.log_tail()
    assert daemon.records(event="connection", listener="smtp")[0]["outcome"] == "legacy_explained"
    assert daemon.records(event="connection", listener="pop3")[0]["outcome"] == "tls_version_refused"


# ---------------------------------------------------------------- modern clients

# What the backend (not tlsfloord) answers first once TLS is up.
BACKEND_PROBES = {
    ("imap", "implicit"): (None, b"* OK [CAPABILITY IMAP4rev1"),
    ("pop3", "implicit"): (None, b"+OK backend Dovecot ready."),
    ("smtp", "implicit"): (None, b"220 backend.example.test ESMTP backend"),
    ("imap", "starttls"): (b"a NOOP\r\n", b"a OK NOOP completed"),
    ("pop3", "starttls"): (b"CAPA\r\n", b"+OK"),
    ("smtp", "starttls"): (b"EHLO client.example.test\r\n", b"250-backend.example.test"),
}


@pytest.mark.parametrize("action", ["reject", "explain", "allow"])
def test_tls12_clients_are_never_affected(legacy_proxy, certificate, action):
    proxy = legacy_proxy(action=action, enforce_after=PAST, message=MESSAGE)
    for (protocol, tls), (probe, expected) in BACKEND_PROBES.items():
        stream = legacy_session(proxy, protocol, tls, "1.2", certificate.certificate)
        try:
            assert stream.version == "TLSv1.2"
            if probe is not None:
                stream.send(probe)
            line = stream.recv_line()
            assert line.startswith(expected), (protocol, tls, line)
        finally:
            stream.close()
        record = proxy.daemon.connection_record(listener=listener_name(protocol, tls))
        assert record["outcome"] == "relayed", record
        assert "legacy" not in record, record
        assert record["tls_version"] == "TLSv1.2"
