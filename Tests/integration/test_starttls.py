"""Issue 4: STARTTLS listeners. tlsfloord greets and refuses plaintext credentials itself,
upgrades to TLS (at the same floor), then relays to the backend."""

import base64
import imaplib
import poplib
import smtplib
import socket
import ssl
import subprocess

import pytest

from clients import LOG_VERSION_NAMES, PROTOCOL_NAMES, LineSession, TLSStream, client_context
from mailflow import imap_find_subject, make_message, unique_subject
from tls_scan import assert_modern_only, scan_running_daemon

pytestmark = pytest.mark.starttls

VERSIONS = ["1.2", "1.3"]
HOSTNAME = "mail.example.test"  # [server] hostname in the test config


def read_back_over_imaps(proxy, certificate, user, subject):
    imap = imaplib.IMAP4_SSL("127.0.0.1", proxy.port("imap"),
                             ssl_context=client_context("1.3", certificate.certificate))
    try:
        imap.login(user.address, user.password)
        return imap_find_subject(imap, subject)
    finally:
        imap.logout()


# ---------------------------------------------------------------- real clients

@pytest.mark.parametrize("version", VERSIONS)
def test_smtplib_starttls_authenticates_and_sends(starttls_proxy, mail_stack, certificate, version):
    alice, carol = mail_stack.user("alice"), mail_stack.user("carol")
    subject = unique_subject("smtp-starttls")
    with smtplib.SMTP("127.0.0.1", starttls_proxy.port("starttls-smtp"), timeout=20) as smtp:
        code, _ = smtp.ehlo("client.example.test")
        assert code == 250 and smtp.has_extn("starttls"), smtp.esmtp_features
        code, _ = smtp.starttls(context=client_context(version, certificate.certificate))
        assert code == 220
        assert smtp.sock.version() == PROTOCOL_NAMES[version]
        smtp.ehlo("client.example.test")
        assert smtp.has_extn("auth"), smtp.esmtp_features
        smtp.login(alice.address, alice.password)
        assert smtp.sendmail(alice.address, [carol.address], make_message(alice, carol, subject)) == {}
    assert read_back_over_imaps(starttls_proxy, certificate, carol, subject)["From"] == alice.address
    record = starttls_proxy.daemon.connection_record(listener="starttls-smtp")
    assert record["tls"] == "starttls"
    assert record["outcome"] == "relayed"
    assert record["tls_version"] == PROTOCOL_NAMES[version]


@pytest.mark.parametrize("version", VERSIONS)
def test_swaks_tls_authenticates_and_sends(starttls_proxy, mail_stack, certificate, version):
    alice, bob = mail_stack.user("alice"), mail_stack.user("bob")
    subject = unique_subject("swaks")
    result = subprocess.run(
        ["swaks", "--server", "127.0.0.1", "--port", str(starttls_proxy.port("starttls-smtp")),
         "--tls", "--tls-protocol", "tlsv" + version.replace(".", "_"),
         "--tls-verify", "--tls-ca-path", str(certificate.certificate),
         "--auth", "PLAIN", "--auth-user", alice.address, "--auth-password", alice.password,
         "--from", alice.address, "--to", bob.address, "--header", f"Subject: {subject}",
         "--ehlo", "client.example.test"],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"TLS started with cipher {PROTOCOL_NAMES[version]}:" in result.stdout, result.stdout
    assert read_back_over_imaps(starttls_proxy, certificate, bob, subject)["To"] == bob.address


@pytest.mark.parametrize("version", VERSIONS)
def test_imaplib_starttls_logs_in(starttls_proxy, mail_stack, certificate, version):
    alice = mail_stack.user("alice")
    imap = imaplib.IMAP4("127.0.0.1", starttls_proxy.port("starttls-imap"))
    try:
        assert "STARTTLS" in imap.capabilities and "LOGINDISABLED" in imap.capabilities, imap.capabilities
        status, _ = imap.starttls(ssl_context=client_context(version, certificate.certificate))
        assert status == "OK"
        assert imap.sock.version() == PROTOCOL_NAMES[version]
        assert "LOGINDISABLED" not in imap.capabilities, imap.capabilities
        assert imap.login(alice.address, alice.password)[0] == "OK"
        assert imap.select("INBOX")[0] == "OK"
    finally:
        imap.logout()
    assert starttls_proxy.daemon.connection_record(listener="starttls-imap")["outcome"] == "relayed"


@pytest.mark.parametrize("version", VERSIONS)
def test_poplib_stls_logs_in(starttls_proxy, mail_stack, certificate, version):
    bob = mail_stack.user("bob")
    pop = poplib.POP3("127.0.0.1", starttls_proxy.port("starttls-pop3"))
    try:
        assert pop.getwelcome().startswith(b"+OK")
        assert pop.stls(context=client_context(version, certificate.certificate)).startswith(b"+OK")
        assert pop.sock.version() == PROTOCOL_NAMES[version]
        pop.user(bob.address)
        assert pop.pass_(bob.password).startswith(b"+OK")
        pop.stat()
    finally:
        pop.quit()
    assert starttls_proxy.daemon.connection_record(listener="starttls-pop3")["outcome"] == "relayed"


def curl(*arguments: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run(["curl", "--silent", "--show-error", "--ssl-reqd", "--max-time", "30", *arguments],
                          input=stdin, capture_output=True, timeout=60)


def test_curl_ssl_reqd_smtp_imap_pop3(starttls_proxy, mail_stack, certificate):
    alice = mail_stack.user("alice")
    login = f"{alice.address}:{alice.password}"
    subject = unique_subject("curl")
    ca = ["--cacert", str(certificate.certificate)]

    sent = curl(*ca, "-u", login, "--mail-from", alice.address, "--mail-rcpt", alice.address, "-T", "-",
                f"smtp://127.0.0.1:{starttls_proxy.port('starttls-smtp')}",
                stdin=make_message(alice, alice, subject).encode())
    assert sent.returncode == 0, sent.stderr
    read_back_over_imaps(starttls_proxy, certificate, alice, subject)

    imap = curl(*ca, "-u", login, f"imap://127.0.0.1:{starttls_proxy.port('starttls-imap')}/INBOX",
                "-X", f'SEARCH SUBJECT "{subject}"')
    assert imap.returncode == 0, imap.stderr
    assert imap.stdout.startswith(b"* SEARCH ") and imap.stdout.strip() != b"* SEARCH", imap.stdout

    pop = curl(*ca, "-u", login, f"pop3://127.0.0.1:{starttls_proxy.port('starttls-pop3')}/")
    assert pop.returncode == 0, pop.stderr
    assert pop.stdout.strip(), "POP3 LIST returned nothing"


# ---------------------------------------------------------------- the TLS floor after STARTTLS

def test_legacy_tls_after_starttls_is_refused_and_backend_sees_nothing(starttls_proxy, backend_log):
    backend = backend_log("smtp")
    session = LineSession("127.0.0.1", starttls_proxy.port("starttls-smtp"))
    assert session.smtp_reply()[0].startswith(b"220 ")
    session.send(b"EHLO client.example.test\r\n")
    session.smtp_reply()
    session.send(b"STARTTLS\r\n")
    assert session.smtp_reply()[0].startswith(b"220 ")
    with pytest.raises(ssl.SSLError) as refused:
        client_context("1.0").wrap_socket(session.sock, server_hostname="localhost")
    assert refused.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION", refused.value
    session.close()
    record = starttls_proxy.daemon.connection_record(listener="starttls-smtp")
    assert record["outcome"] == "tls_version_refused"
    assert record["tls"] == "starttls"
    assert record["offered_version"] == LOG_VERSION_NAMES["1.0"]
    assert backend.connections_seen() == 0, backend.new_text()


@pytest.mark.parametrize("protocol", ["smtp", "imap"])
def test_sslyze_sees_only_modern_tls_after_starttls(starttls_proxy, protocol):
    assert_modern_only(scan_running_daemon(starttls_proxy.daemon, starttls_proxy.port(f"starttls-{protocol}"),
                                           starttls=protocol))


# ---------------------------------------------------------------- refusals before TLS

def test_smtp_auth_and_mail_before_tls_get_530(starttls_proxy, mail_stack, backend_log):
    backend = backend_log("smtp")
    alice = mail_stack.user("alice")
    session = LineSession("127.0.0.1", starttls_proxy.port("starttls-smtp"))
    try:
        greeting = session.smtp_reply()
        assert greeting[0].startswith(f"220 {HOSTNAME} ESMTP".encode()), greeting
        session.send(b"EHLO client.example.test\r\n")
        ehlo = session.smtp_reply()
        assert ehlo[0].startswith(b"250") and any(b"STARTTLS" in line for line in ehlo), ehlo
        credentials = base64.b64encode(f"\0{alice.address}\0{alice.password}".encode())
        session.send(b"AUTH PLAIN " + credentials + b"\r\n")
        assert session.smtp_reply()[-1].startswith(b"530 5.7.0"), "AUTH before TLS not refused"
        session.send(f"MAIL FROM:<{alice.address}>\r\n".encode())
        assert session.smtp_reply()[-1].startswith(b"530 5.7.0"), "MAIL before TLS not refused"
    finally:
        session.close()
    assert backend.connections_seen() == 0, backend.new_text()
    assert alice.password not in starttls_proxy.daemon.log_text()


def test_imap_login_before_tls_gets_privacyrequired(starttls_proxy, mail_stack, backend_log):
    backend = backend_log("imap")
    alice = mail_stack.user("alice")
    session = LineSession("127.0.0.1", starttls_proxy.port("starttls-imap"))
    try:
        greeting = session.line()
        assert greeting.startswith(b"* OK [CAPABILITY "), greeting
        assert b"STARTTLS" in greeting and b"LOGINDISABLED" in greeting, greeting
        session.send(f"a LOGIN {alice.address} {alice.password}\r\n".encode())
        reply = session.imap_until_tagged(b"a")[-1]
        assert reply.startswith(b"a NO [PRIVACYREQUIRED]"), reply
    finally:
        session.close()
    assert backend.connections_seen() == 0, backend.new_text()
    assert alice.password not in starttls_proxy.daemon.log_text()


def test_pop3_user_before_tls_gets_err(starttls_proxy, mail_stack, backend_log):
    backend = backend_log("pop3")
    alice = mail_stack.user("alice")
    session = LineSession("127.0.0.1", starttls_proxy.port("starttls-pop3"))
    try:
        assert session.line().startswith(b"+OK")
        session.send(f"USER {alice.address}\r\n".encode())
        assert session.line().startswith(b"-ERR")
    finally:
        session.close()
    assert backend.connections_seen() == 0, backend.new_text()


# ---------------------------------------------------------------- command injection (CVE-2011-0411 class)

def start_tls_after(session: LineSession, certificate) -> TLSStream:
    """Handshakes on the session's socket; nothing may be left over from the plaintext phase."""
    assert session.buffer == b"", f"plaintext reply to a pipelined command: {session.buffer!r}"
    return TLSStream.over(session.sock, client_context("1.3", certificate.certificate))


def test_smtp_command_pipelined_with_starttls_is_not_executed(starttls_proxy, certificate):
    session = LineSession("127.0.0.1", starttls_proxy.port("starttls-smtp"))
    session.smtp_reply()
    session.send(b"EHLO client.example.test\r\n")
    session.smtp_reply()
    session.send(b"STARTTLS\r\nRSET\r\n")  # one write: RSET arrives with STARTTLS, in plaintext
    assert session.line().startswith(b"220 ")
    stream = start_tls_after(session, certificate)
    try:
        stream.send(b"EHLO client.example.test\r\n")
        first = stream.recv_line()
        assert first.startswith(b"250-"), f"first reply after TLS is not EHLO's (RSET executed?): {first!r}"
        line = first
        while line[3:4] == b"-":
            line = stream.recv_line()
        stream.send(b"NOOP\r\n")
        assert stream.recv_line().startswith(b"250 "), "an extra reply was queued"
        stream.send(b"QUIT\r\n")
        assert stream.recv_line().startswith(b"221")
    finally:
        stream.close()


def test_imap_command_pipelined_with_starttls_is_not_executed(starttls_proxy, certificate):
    session = LineSession("127.0.0.1", starttls_proxy.port("starttls-imap"))
    session.line()
    session.send(b"a STARTTLS\r\nb LOGOUT\r\n")
    assert session.line().startswith(b"a OK")
    stream = start_tls_after(session, certificate)
    try:
        stream.send(b"c NOOP\r\n")
        lines = []
        while not lines or not lines[-1].startswith(b"c "):
            line = stream.recv_line()
            assert line, f"connection closed after TLS (pipelined LOGOUT executed?): {lines}"
            lines.append(line)
        assert not any(line.startswith((b"b ", b"* BYE")) for line in lines), lines
        assert lines[-1].startswith(b"c OK"), lines
    finally:
        stream.close()


def test_pop3_command_pipelined_with_stls_is_not_executed(starttls_proxy, certificate):
    session = LineSession("127.0.0.1", starttls_proxy.port("starttls-pop3"))
    session.line()
    session.send(b"STLS\r\nQUIT\r\n")
    assert session.line().startswith(b"+OK")
    stream = start_tls_after(session, certificate)
    try:
        stream.send(b"CAPA\r\n")
        first = stream.recv_line()
        assert first.startswith(b"+OK"), first
        lines = [first]
        while lines[-1] != b".\r\n":
            line = stream.recv_line()
            assert line, f"connection closed after TLS (pipelined QUIT executed?): {lines}"
            lines.append(line)
        assert any(line.startswith(b"USER") or line.startswith(b"SASL") for line in lines), lines
    finally:
        stream.close()
