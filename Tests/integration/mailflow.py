"""Small mail-client steps shared by the tests: a message with a unique subject, and
finding it again over IMAP (delivery by Postfix is asynchronous)."""

from __future__ import annotations

import email
import imaplib
import time
import uuid

from stack import MailUser


def unique_subject(label: str) -> str:
    return f"tlsfloor-{label}-{uuid.uuid4().hex[:12]}"


def make_message(sender: MailUser, recipient: MailUser, subject: str, body: str = "") -> str:
    body = body or f"Body of {subject}.\r\nSecond line.\r\n"
    return (f"From: {sender.address}\r\nTo: {recipient.address}\r\nSubject: {subject}\r\n"
            f"Message-ID: <{uuid.uuid4().hex}@example.test>\r\n\r\n{body}")


def imap_find_subject(client: imaplib.IMAP4, subject: str, timeout: float = 15) -> email.message.Message:
    """Polls INBOX until a message with `subject` is there; returns it parsed."""
    deadline = time.monotonic() + timeout
    while True:
        status, _ = client.select("INBOX")
        assert status == "OK"
        status, data = client.search(None, "SUBJECT", f'"{subject}"')
        assert status == "OK"
        numbers = data[0].split()
        if numbers:
            status, parts = client.fetch(numbers[-1], "(RFC822)")
            assert status == "OK", parts
            return email.message_from_bytes(parts[0][1])
        if time.monotonic() > deadline:
            raise AssertionError(f"no message with subject {subject!r} in INBOX after {timeout} s")
        time.sleep(0.2)
