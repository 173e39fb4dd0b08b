"""The client sessions the soak runs through tlsfloord: one function per kind, each
raising on anything but the expected end. The reset kinds break their connection on
purpose (the test's own fault); only what happens before their reset is checked."""

from __future__ import annotations

import base64
import dataclasses
import email
import hashlib
import imaplib
import os
import poplib
import re
import smtplib
import socket
import ssl
import struct
import time
import uuid

from clients import TLSStream, client_context
from mailflow import make_message
from stack import MailUser


@dataclasses.dataclass(frozen=True)
class Target:
    """Where the sessions go: tlsfloord's listener ports by name, the CA bundle that
    covers both certificates the reloads swap between, and the users."""

    ports: dict[str, int]
    cafile: str
    users: dict[str, MailUser]
    big_message_sha256: str  # carol's seeded message, as Dovecot serves it


class SessionFailure(AssertionError):
    pass


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise SessionFailure(what)


def context(target: Target, version: str) -> ssl.SSLContext:
    return client_context(version, target.cafile)


def rst_close(sock: socket.socket) -> None:
    """Closes with a reset (SO_LINGER 0), as a client that crashes or is killed."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


# ---------------------------------------------------------------- IMAP / POP3 logins

def imap_implicit(target: Target, version: str) -> None:
    alice = target.users["alice"]
    with imaplib.IMAP4_SSL("127.0.0.1", target.ports["imap"], ssl_context=context(target, version)) as imap:
        expect(imap.login(alice.address, alice.password)[0] == "OK", "IMAP login")
        expect(imap.select("INBOX", readonly=True)[0] == "OK", "IMAP select")
        expect(imap.noop()[0] == "OK", "IMAP noop")
        imap.logout()


def imap_starttls(target: Target, version: str) -> None:
    bob = target.users["bob"]
    with imaplib.IMAP4("127.0.0.1", target.ports["starttls-imap"]) as imap:
        expect(imap.starttls(context(target, version))[0] == "OK", "IMAP STARTTLS")
        expect(imap.login(bob.address, bob.password)[0] == "OK", "IMAP login after STARTTLS")
        imap.logout()


def pop3_implicit(target: Target, version: str) -> None:
    alice = target.users["alice"]
    pop = poplib.POP3_SSL("127.0.0.1", target.ports["pop3"], context=context(target, version), timeout=30)
    pop.user(alice.address)
    pop.pass_(alice.password)
    pop.stat()
    expect(pop.quit().startswith(b"+OK"), "POP3 QUIT")


def pop3_starttls(target: Target, version: str) -> None:
    bob = target.users["bob"]
    pop = poplib.POP3("127.0.0.1", target.ports["starttls-pop3"], timeout=30)
    pop.stls(context(target, version))
    pop.user(bob.address)
    pop.pass_(bob.password)
    pop.stat()
    expect(pop.quit().startswith(b"+OK"), "POP3 QUIT after STLS")


# ---------------------------------------------------------------- clients below the floor

def legacy_explained(target: Target, version: str) -> None:
    stream = TLSStream.connect("127.0.0.1", target.ports["legacy-imap"], client_context("1.0"))
    try:
        expect(stream.recv_line().startswith(b"* BYE [ALERT]"), "TLS 1.0 client told why")
    finally:
        stream.close()


def legacy_rejected(target: Target, version: str) -> None:
    with socket.create_connection(("127.0.0.1", target.ports["pop3"]), timeout=30) as sock:
        try:
            client_context("1.0").wrap_socket(sock, server_hostname="localhost")
        except ssl.SSLError as error:
            expect(error.reason == "TLSV1_ALERT_PROTOCOL_VERSION", f"TLS 1.0 refused with {error.reason}")
            return
    raise SessionFailure("a TLS 1.0 handshake succeeded on a 1.2 floor")


# ---------------------------------------------------------------- the test's own faults

def reset_mid_handshake(target: Target, version: str) -> None:
    hello = ssl.MemoryBIO(), ssl.MemoryBIO()
    engine = context(target, version).wrap_bio(*hello, server_hostname="localhost")
    try:
        engine.do_handshake()
    except ssl.SSLWantReadError:
        pass
    client_hello = hello[1].read()
    sock = socket.create_connection(("127.0.0.1", target.ports["smtp"]), timeout=30)
    sock.sendall(client_hello[: len(client_hello) // 2])
    rst_close(sock)


def reset_mid_session(target: Target, version: str) -> None:
    alice = target.users["alice"]
    imap = imaplib.IMAP4_SSL("127.0.0.1", target.ports["imap"], ssl_context=context(target, version))
    imap.login(alice.address, alice.password)
    imap.send(b"a1 SELECT INBOX\r\n")  # in flight when the reset comes
    rst_close(imap.sock)



# ---------------------------------------------------------------- large transfers

def submit_and_read_back(target: Target, version: str, *, implicit: bool, user: MailUser) -> None:
    """Submits ~192 KiB through an SMTP listener, reads it back through IMAPS, compares the
    body's digest, deletes it."""
    subject = f"soak {uuid.uuid4()}"
    body = base64.encodebytes(os.urandom(192 * 1024)).decode()
    digest = hashlib.sha256("".join(body.split()).encode()).hexdigest()
    if implicit:
        smtp = smtplib.SMTP_SSL("127.0.0.1", target.ports["smtp"], context=context(target, version), timeout=60)
    else:
        smtp = smtplib.SMTP("127.0.0.1", target.ports["starttls-smtp"], timeout=60)
        smtp.starttls(context=context(target, version))
    with smtp:
        smtp.login(user.address, user.password)
        smtp.sendmail(user.address, [user.address], make_message(user, user, subject, body))
    with imaplib.IMAP4_SSL("127.0.0.1", target.ports["imap"], ssl_context=context(target, "1.3")) as imap:
        imap.login(user.address, user.password)
        uid = wait_for_uid(imap, subject)
        status, parts = imap.uid("FETCH", uid, "(BODY.PEEK[])")
        expect(status == "OK", "IMAP UID FETCH")
        payload = email.message_from_bytes(parts[0][1]).get_payload()
        expect(hashlib.sha256("".join(payload.split()).encode()).hexdigest() == digest,
               f"body of {subject} differs after the round trip")
        imap.uid("STORE", uid, "+FLAGS", r"(\Deleted)")
        imap.expunge()
        imap.logout()


def wait_for_uid(imap: imaplib.IMAP4, subject: str, timeout: float = 30) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        expect(imap.select("INBOX")[0] == "OK", "IMAP select")
        status, data = imap.uid("SEARCH", None, "SUBJECT", f'"{subject}"')
        expect(status == "OK", "IMAP UID SEARCH")
        if data[0].split():
            return data[0].split()[-1]
        expect(time.monotonic() < deadline, f"{subject} not delivered within {timeout} s")
        time.sleep(0.2)


def submit_implicit(target: Target, version: str) -> None:
    submit_and_read_back(target, version, implicit=True, user=target.users["alice"])


def submit_starttls(target: Target, version: str) -> None:
    submit_and_read_back(target, version, implicit=False, user=target.users["bob"])


# ---------------------------------------------------------------- slow reader

LITERAL = re.compile(rb"\{(\d+)\}\r\n$")


def slow_reader(target: Target, version: str) -> None:
    """Fetches carol's 2 MiB message through a 16 KiB receive buffer, pausing between reads,
    so tlsfloord's backpressure is what keeps it going; checks the digest."""
    carol = target.users["carol"]
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    sock.settimeout(60)
    sock.connect(("127.0.0.1", target.ports["imap"]))
    with context(target, version).wrap_socket(sock, server_hostname="localhost") as tls:
        reader = tls.makefile("rb")
        expect(reader.readline().startswith(b"* OK"), "IMAP greeting")
        tls.sendall(f'a LOGIN "{carol.address}" "{carol.password}"\r\nb EXAMINE INBOX\r\n'
                    "c FETCH 1 BODY.PEEK[]\r\n".encode())
        while True:
            line = reader.readline()
            expect(bool(line), "closed before the FETCH literal")
            match = LITERAL.search(line)
            if match:
                break
        remaining, digest = int(match.group(1)), hashlib.sha256()
        while remaining:
            chunk = reader.read(min(remaining, 8192))
            expect(bool(chunk), "closed inside the FETCH literal")
            digest.update(chunk)
            remaining -= len(chunk)
            time.sleep(0.002)
        expect(digest.hexdigest() == target.big_message_sha256, "slow read of the 2 MiB message differs")
        tls.sendall(b"d LOGOUT\r\n")
        while (line := reader.readline()) and not line.startswith(b"d "):
            pass


QUICK = [
    imap_implicit, imap_starttls, pop3_implicit, pop3_starttls,
    legacy_explained, legacy_rejected, reset_mid_handshake, reset_mid_session,
]
