"""Issue 3: real mail clients (imaplib, poplib, smtplib) through implicit-TLS listeners
to real Dovecot and Postfix."""

import imaplib
import poplib
import smtplib

import pytest

from clients import PROTOCOL_NAMES, client_context
from conftest import mail_listeners
from mailflow import imap_find_subject, make_message, unique_subject

pytestmark = pytest.mark.core

VERSIONS = ["1.2", "1.3"]


def submit_over_smtps(port, context, sender, recipient, subject) -> None:
    with smtplib.SMTP_SSL("127.0.0.1", port, context=context, timeout=20) as smtp:
        code, _ = smtp.ehlo("client.example.test")
        assert code == 250
        assert smtp.has_extn("auth"), smtp.esmtp_features
        smtp.login(sender.address, sender.password)
        assert smtp.sendmail(sender.address, [recipient.address],
                             make_message(sender, recipient, subject)) == {}


@pytest.mark.parametrize("version", VERSIONS)
def test_imap_login_select_fetch(implicit_proxy, mail_stack, certificate, version):
    alice, carol = mail_stack.user("alice"), mail_stack.user("carol")
    subject = unique_subject("imap")
    # Seeded straight into the backend so this test depends on the IMAP path only.
    with smtplib.SMTP("127.0.0.1", mail_stack.ports.smtp) as smtp:
        smtp.login(alice.address, alice.password)
        smtp.sendmail(alice.address, [carol.address], make_message(alice, carol, subject))

    imap = imaplib.IMAP4_SSL("127.0.0.1", implicit_proxy.port("imap"),
                             ssl_context=client_context(version, certificate.certificate))
    try:
        assert imap.sock.version() == PROTOCOL_NAMES[version]
        status, _ = imap.login(carol.address, carol.password)
        assert status == "OK"
        status, _ = imap.select("INBOX")
        assert status == "OK"
        # Postfix may not have delivered yet: the search waits for the message.
        message = imap_find_subject(imap, subject)
        assert message["From"] == alice.address
        assert "Second line." in message.get_payload()
    finally:
        imap.logout()

    record = implicit_proxy.daemon.connection_record(listener="imap")
    assert record["outcome"] == "relayed"
    assert record["tls_version"] == PROTOCOL_NAMES[version]


@pytest.mark.parametrize("version", VERSIONS)
def test_pop3_login_stat_retr(implicit_proxy, mail_stack, certificate, version):
    alice, bob = mail_stack.user("alice"), mail_stack.user("bob")
    subject = unique_subject("pop3")
    with smtplib.SMTP("127.0.0.1", mail_stack.ports.smtp) as smtp:
        smtp.login(alice.address, alice.password)
        smtp.sendmail(alice.address, [bob.address], make_message(alice, bob, subject))

    imap = imaplib.IMAP4("127.0.0.1", mail_stack.ports.imap)  # wait for delivery, bypassing the proxy
    imap.login(bob.address, bob.password)
    imap_find_subject(imap, subject)
    imap.logout()

    pop = poplib.POP3_SSL("127.0.0.1", implicit_proxy.port("pop3"),
                          context=client_context(version, certificate.certificate))
    try:
        assert pop.sock.version() == PROTOCOL_NAMES[version]
        assert pop.getwelcome().startswith(b"+OK")
        pop.user(bob.address)
        assert pop.pass_(bob.password).startswith(b"+OK")
        count, _ = pop.stat()
        messages = [b"\r\n".join(pop.retr(number)[1]) for number in range(1, count + 1)]
        assert any(f"Subject: {subject}".encode() in message for message in messages)
    finally:
        pop.quit()
    assert implicit_proxy.daemon.connection_record(listener="pop3")["outcome"] == "relayed"


@pytest.mark.parametrize("version", VERSIONS)
def test_smtps_submission_is_delivered_and_readable_via_imaps(implicit_proxy, mail_stack, certificate,
                                                              version):
    alice, bob = mail_stack.user("alice"), mail_stack.user("bob")
    subject = unique_subject("smtps")
    context = client_context(version, certificate.certificate)
    submit_over_smtps(implicit_proxy.port("smtp"), context, alice, bob, subject)

    imap = imaplib.IMAP4_SSL("127.0.0.1", implicit_proxy.port("imap"), ssl_context=context)
    try:
        imap.login(bob.address, bob.password)
        message = imap_find_subject(imap, subject)
        assert message["To"] == bob.address
    finally:
        imap.logout()
    smtp_record = implicit_proxy.daemon.connection_record(listener="smtp")
    assert smtp_record["outcome"] == "relayed"
    assert smtp_record["protocol"] == "smtp"
    assert "connect from" in mail_stack.postfix.log_text()


def test_rsa_certificate_serves_ecdhe_rsa(start_tlsfloord, mail_stack, rsa_certificate):
    listeners = mail_listeners(mail_stack, "implicit")
    start_tlsfloord(listeners.values(), cert=rsa_certificate)
    alice = mail_stack.user("alice")
    imap = imaplib.IMAP4_SSL("127.0.0.1", listeners["imap"].port,
                             ssl_context=client_context("1.2", rsa_certificate.certificate))
    try:
        cipher = imap.sock.cipher()[0]
        assert cipher.startswith("ECDHE-RSA-") and ("GCM" in cipher or "CHACHA20" in cipher), cipher
        assert imap.login(alice.address, alice.password)[0] == "OK"
    finally:
        imap.logout()
