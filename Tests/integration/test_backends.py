"""The test backends themselves, without tlsfloord: if these fail, a proxy test failure
says nothing about the proxy."""

import imaplib
import poplib
import smtplib
import socket
import time

import pytest

from mailflow import imap_find_subject, make_message, unique_subject

pytestmark = pytest.mark.backends


def test_submission_via_postfix_is_readable_over_imap_and_pop3(mail_stack):
    alice, bob = mail_stack.user("alice"), mail_stack.user("bob")
    subject = unique_subject("backend")
    with smtplib.SMTP("127.0.0.1", mail_stack.ports.smtp) as smtp:
        smtp.ehlo("client.example.test")
        assert smtp.has_extn("auth")
        smtp.login(alice.address, alice.password)
        refused = smtp.sendmail(alice.address, [bob.address], make_message(alice, bob, subject))
        assert refused == {}

    imap = imaplib.IMAP4("127.0.0.1", mail_stack.ports.imap)
    try:
        imap.login(bob.address, bob.password)
        message = imap_find_subject(imap, subject)
        assert message["From"] == alice.address
        assert "Second line." in message.get_payload()
    finally:
        imap.logout()

    pop = poplib.POP3("127.0.0.1", mail_stack.ports.pop3)
    try:
        pop.user(bob.address)
        pop.pass_(bob.password)
        count, _ = pop.stat()
        bodies = [b"\n".join(pop.retr(number)[1]) for number in range(1, count + 1)]
        assert any(subject.encode() in body for body in bodies)
    finally:
        pop.quit()


def test_wrong_imap_password_is_refused(mail_stack):
    alice = mail_stack.user("alice")
    imap = imaplib.IMAP4("127.0.0.1", mail_stack.ports.imap)
    with pytest.raises(imaplib.IMAP4.error):
        imap.login(alice.address, "not-" + alice.password)
    imap.logout()


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_dovecot_logs_a_bare_connect(mail_stack, protocol):
    """The negative control that "backend saw no connection" assertions rely on."""
    before = len(mail_stack.dovecot.log_text())
    port = getattr(mail_stack.ports, protocol)
    socket.create_connection(("127.0.0.1", port)).close()
    deadline = time.monotonic() + 5
    while f"{protocol}-login:" not in mail_stack.dovecot.log_text()[before:]:
        assert time.monotonic() < deadline, mail_stack.dovecot.log_text()[before:]
        time.sleep(0.05)


def test_postfix_logs_a_bare_connect(mail_stack):
    before = len(mail_stack.postfix.log_text())
    socket.create_connection(("127.0.0.1", mail_stack.ports.smtp)).close()
    deadline = time.monotonic() + 5
    while "connect from" not in mail_stack.postfix.log_text()[before:]:
        assert time.monotonic() < deadline, mail_stack.postfix.log_text()[before:]
        time.sleep(0.05)


@pytest.mark.parametrize("protocol,greeting", [("imap_proxied", b"* OK"), ("pop3_proxied", b"+OK"),
                                               ("smtp_proxied", b"220 ")])
def test_proxied_listeners_accept_a_proxy_v1_header(mail_stack, protocol, greeting):
    port = getattr(mail_stack.ports, protocol)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"PROXY TCP4 192.0.2.7 127.0.0.1 40001 {port}\r\n".encode())
        assert sock.recv(512).startswith(greeting)
