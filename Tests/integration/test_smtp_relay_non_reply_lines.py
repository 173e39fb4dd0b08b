"""Issue 12: an SMTP backend line that is not a reply (here `ECHO NOOP` before the 250)
reaches the client on 465 and on 587 after STARTTLS; the relay used to drop it."""

from __future__ import annotations

import socket

import pytest

from clients import LineSession, TLSStream, client_context
from backends import ThreadedBackend
from daemon import Listener

EHLO_REPLY = b"250-echo.example\r\n250-STARTTLS\r\n250 PIPELINING\r\n"


class EchoingSMTPBackend(ThreadedBackend):
    """A plain SMTP backend that answers NOOP with `ECHO NOOP` and then `250`, the way
    some debugging servers and filters echo commands."""

    def serve(self, connection: socket.socket, peer) -> None:
        replies = {b"EHLO": EHLO_REPLY, b"NOOP": b"ECHO NOOP\r\n250 2.0.0 Ok\r\n", b"QUIT": b"221 2.0.0 Bye\r\n"}
        try:
            connection.sendall(b"220 echo.example ESMTP\r\n")
            for line in connection.makefile("rb"):
                verb = line.split(b" ", 1)[0].strip().upper()
                connection.sendall(replies.get(verb, b"502 5.5.2 Error: command not recognized\r\n"))
                if verb == b"QUIT":
                    break
        except OSError:
            pass
        finally:
            connection.close()


@pytest.fixture
def echoing_backend():
    backend = EchoingSMTPBackend()
    yield backend
    backend.close()


def smtp_reply(stream: TLSStream) -> bytes:
    """The lines of one reply over TLS (a line without `code-` ends it)."""
    reply = b""
    while True:
        line = stream.recv_line()
        reply += line
        if len(line) < 4 or line[3:4] != b"-":
            return reply


def noop_and_quit(stream: TLSStream) -> None:
    stream.send(b"EHLO client.example\r\n")
    assert smtp_reply(stream) == b"250-echo.example\r\n250 PIPELINING\r\n"  # no STARTTLS inside TLS
    stream.send(b"NOOP\r\n")
    assert stream.recv_line() == b"ECHO NOOP\r\n"
    assert stream.recv_line() == b"250 2.0.0 Ok\r\n"
    stream.send(b"QUIT\r\n")
    assert stream.recv_line() == b"221 2.0.0 Bye\r\n"


@pytest.mark.core
def test_smtps_client_gets_a_backend_line_that_is_not_a_reply(start_tlsfloord, echoing_backend):
    listener = Listener.on_free_port("smtps", "smtp", "implicit", echoing_backend.address)
    start_tlsfloord([listener])
    stream = TLSStream.connect("127.0.0.1", listener.port, client_context("1.3"))
    try:
        assert stream.recv_line() == b"220 echo.example ESMTP\r\n"
        noop_and_quit(stream)
    finally:
        stream.close()


@pytest.mark.starttls
def test_submission_client_gets_a_backend_line_that_is_not_a_reply_after_starttls(start_tlsfloord,
                                                                                   echoing_backend):
    listener = Listener.on_free_port("submission", "smtp", "starttls", echoing_backend.address)
    start_tlsfloord([listener])
    session = LineSession("127.0.0.1", listener.port)
    try:
        assert session.smtp_reply()[-1].startswith(b"220 ")
        session.send(b"STARTTLS\r\n")
        assert session.smtp_reply()[-1].startswith(b"220 ")
        noop_and_quit(TLSStream.over(session.sock, client_context("1.3")))
    finally:
        session.close()
