"""`tlsfloord notify` end to end: a TLS 1.0 client logs in to the real Dovecot through tlsfloord
(legacy action `allow`), then `notify` reads tlsfloord's log and sends the notice over SMTP to
the real Postfix (or through its sendmail), and the notice is read back from Dovecot over IMAP.
The state file keeps the second run from mailing the user again."""

from __future__ import annotations

import email
import email.policy
import imaplib
import json
import os
import pathlib
import re
import subprocess
import time

import pytest

from conftest import Proxy, mail_listeners
from daemon import binary_path
from legacy_logins import OLD_PROGRAM, connection_lines, imap_login
from stack import MailStack, MailUser

pytestmark = pytest.mark.notify

TEMPLATE = pathlib.Path(__file__).resolve().parents[2] / "config" / "notify" / "legacy-tls.de-en.txt"
SENDER = "postmaster@example.test"
CUTOFF = "2026-12-31"


@pytest.fixture
def audited(start_tlsfloord, mail_stack, certificate, tmp_path):
    """tlsfloord in audit mode after alice logged in with an old Outlook at TLS 1.0 and bob with a
    current client at TLS 1.3; returns (alice's connection record, the log file)."""
    listeners = mail_listeners(mail_stack, "implicit")
    proxy = Proxy(start_tlsfloord(listeners.values(), legacy={"action": "allow"}), listeners)
    alice, bob = mail_stack.user("alice"), mail_stack.user("bob")
    record = imap_login(proxy, alice, "1.0", certificate.certificate, program=OLD_PROGRAM)
    assert (record["legacy"], record["login"], record["tls_version"]) == ("yes", "accepted", "TLSv1.0"), record
    assert record["client_name"] == OLD_PROGRAM[0], record
    imap_login(proxy, bob, "1.3", certificate.certificate)
    log = tmp_path / "tlsfloord.log"
    log.write_text("\n".join(connection_lines(proxy)) + "\n")
    return record, log


def notify(log: pathlib.Path, *options: str) -> subprocess.CompletedProcess:
    result = subprocess.run([str(binary_path()), "notify", "--since", "1d", "--template", str(TEMPLATE),
                             "--from", SENDER, "--cutoff", CUTOFF, *options, str(log)],
                            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    print(f"$ tlsfloord notify … {' '.join(options)}\n{result.stdout}{result.stderr}")
    return result


def notices_for(stack: MailStack, user: MailUser) -> list[email.message.EmailMessage]:
    """Every notice in the user's INBOX, read from Dovecot over IMAP."""
    imap = imaplib.IMAP4("127.0.0.1", stack.ports.imap)
    try:
        assert imap.login(user.address, user.password)[0] == "OK"
        assert imap.select("INBOX")[0] == "OK"
        status, data = imap.search(None, "HEADER", "Auto-Submitted", "auto-generated", "FROM", SENDER)
        assert status == "OK"
        messages = []
        for number in data[0].split():
            status, parts = imap.fetch(number, "(RFC822)")
            assert status == "OK"
            messages.append(email.message_from_bytes(parts[0][1], policy=email.policy.default))
        return messages
    finally:
        imap.logout()


def wait_for_notices(stack: MailStack, user: MailUser, count: int, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while True:
        found = notices_for(stack, user)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def state_lines(path: pathlib.Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_notice_reaches_the_legacy_user_through_postfix_and_dovecot(audited, mail_stack, tmp_path):
    record, log = audited
    alice, bob = mail_stack.user("alice"), mail_stack.user("bob")
    before_alice, before_bob = len(notices_for(mail_stack, alice)), len(notices_for(mail_stack, bob))
    state = tmp_path / "notified.jsonl"

    result = notify(log, "--smtp", f"127.0.0.1:{mail_stack.ports.smtp}", "--state", str(state))
    assert result.returncode == 0, result.stderr
    assert f"sent to {alice.address} ({alice.address}): 1 device(s)" in result.stderr
    assert "1 notice(s) sent, 0 refused" in result.stderr
    assert result.stdout == ""

    notices = wait_for_notices(mail_stack, alice, before_alice + 1)
    assert len(notices) == before_alice + 1, "the notice did not arrive in alice's INBOX"
    notice = notices[-1]
    print(f"--- as received through Dovecot IMAP ---\n{notice.as_string()}")
    assert notice["To"] == alice.address and notice["From"] == SENDER
    assert notice["Subject"].startswith(f"Abschaltung von TLS 1.0/1.1 am {CUTOFF}")
    assert notice["Date"] and re.fullmatch(r"<[0-9a-f-]{36}@example\.test>", notice["Message-ID"])
    assert notice["Content-Transfer-Encoding"] == "quoted-printable"
    assert notice.get_content_type() == "text/plain" and notice.get_content_charset() == "utf-8"
    body = notice.get_content()
    assert f"Ihr E-Mail-Zugang {alice.address} wurde" in body and f"your mail account {alice.address}" in body
    assert f"zum {CUTOFF}" in body and f"switched off on {CUTOFF}" in body
    device = f"  - {' '.join(OLD_PROGRAM)} · TLSv1.0 · 1× · "
    assert body.count(device) == 2, body  # German and English part
    assert body.count(f"    JA4 {record['ja4']}") == 2, body

    # bob logged in at TLS 1.3 only: no notice.
    time.sleep(1)
    assert len(notices_for(mail_stack, bob)) == before_bob
    assert [(line["user"], line["recipient"], line["message_id"]) for line in state_lines(state)] == [
        (alice.address, alice.address, notice["Message-ID"].strip("<>"))]


def test_state_file_keeps_a_second_run_from_mailing_again_until_resend_after(audited, mail_stack, tmp_path):
    _, log = audited
    alice = mail_stack.user("alice")
    state = tmp_path / "notified.jsonl"
    smtp = ("--smtp", f"127.0.0.1:{mail_stack.ports.smtp}", "--state", str(state))
    before = len(notices_for(mail_stack, alice))

    assert notify(log, *smtp).returncode == 0
    assert len(wait_for_notices(mail_stack, alice, before + 1)) == before + 1
    smtp_sessions = mail_stack.postfix.log_text().count(" connect from ")

    second = notify(log, *smtp)
    assert second.returncode == 0, second.stderr
    assert re.search(rf"skipped {re.escape(alice.address)}: notified \S+Z, not yet due again", second.stderr), second.stderr
    assert "0 notice(s) sent, 1 user(s) skipped" in second.stderr
    time.sleep(1.5)
    assert len(notices_for(mail_stack, alice)) == before + 1
    assert mail_stack.postfix.log_text().count(" connect from ") == smtp_sessions, "the second run talked to the MTA"
    assert len(state_lines(state)) == 1

    third = notify(log, *smtp, "--resend-after", "0s")
    assert third.returncode == 0, third.stderr
    assert len(wait_for_notices(mail_stack, alice, before + 2)) == before + 2
    assert [line["user"] for line in state_lines(state)] == [alice.address, alice.address]


def test_dry_run_prints_the_notice_and_neither_sends_nor_records(audited, mail_stack, tmp_path):
    _, log = audited
    alice = mail_stack.user("alice")
    state = tmp_path / "notified.jsonl"
    before = len(notices_for(mail_stack, alice))
    result = notify(log, "--dry-run", "--state", str(state))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"From {SENDER} ")
    printed = email.message_from_string(result.stdout.split("\n", 1)[1], policy=email.policy.default)
    assert printed["To"] == alice.address
    assert f"zum {CUTOFF}" in printed.get_content()
    assert "dry run: 1 notice(s) not sent" in result.stderr
    assert not state.exists()
    time.sleep(1)
    assert len(notices_for(mail_stack, alice)) == before


def test_sendmail_hands_the_notice_to_postfix(audited, mail_stack, tmp_path):
    _, log = audited
    alice = mail_stack.user("alice")
    # Postfix's own sendmail, pointed at the test instance's configuration.
    wrapper = tmp_path / "sendmail"
    wrapper.write_text(f'#!/bin/sh\nexec /usr/sbin/sendmail -C "{mail_stack.postfix.config_dir}" "$@"\n')
    wrapper.chmod(0o755)
    before = len(notices_for(mail_stack, alice))
    result = notify(log, "--sendmail", str(wrapper))
    assert result.returncode == 0, result.stderr
    assert "no --state: the next run mails these users again" in result.stderr
    notices = wait_for_notices(mail_stack, alice, before + 1, timeout=90)  # pickup(8) polls the maildrop
    assert len(notices) == before + 1, mail_stack.postfix.log_text()[-2000:]
    assert f"switched off on {CUTOFF}" in notices[-1].get_content()


def test_a_refused_recipient_fails_the_run_and_is_not_recorded(mail_stack, tmp_path):
    # A login the real Postfix has no mailbox for (virtual_mailbox_maps): RCPT TO gets a 5xx.
    log = tmp_path / "tlsfloord.log"
    log.write_text(
        f"ts={time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} level=info event=connection listener=imap "
        "protocol=imap tls=implicit client=127.0.0.1:50000 outcome=relayed tls_version=TLSv1.0 cipher=- sni=- "
        "offered_version=TLSv1.0 ja4=t10i090500_c491f621fb4c_195413a0cc0f legacy=yes backend=- "
        "user=nobody@example.test login=accepted error=-\n")
    state = tmp_path / "notified.jsonl"
    result = notify(log, "--smtp", f"127.0.0.1:{mail_stack.ports.smtp}", "--state", str(state))
    assert result.returncode == 1, result.stderr
    assert re.search(r"not sent to nobody@example\.test \(nobody@example\.test\): RCPT TO refused: 550", result.stderr), \
        result.stderr
    assert not state.exists()
