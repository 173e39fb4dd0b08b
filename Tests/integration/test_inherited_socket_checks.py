"""Sockets passed in by systemd must be listening stream sockets; anything else (a
ListenDatagram= unit, an Accept=yes connection) is refused at start, naming the listener."""

import sys

import pytest

from conftest import mail_listeners
from ports import free_port

pytestmark = pytest.mark.systemd

# Execs the rest of argv with one socket of the given kind as fd 3, named "imap", the way
# systemd passes it (systemd-socket-activate only makes listening ones).
PASS_SOCKET = r"""
import os, socket, sys
kind, port, command = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
if kind == "datagram":
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
else:  # a bound stream socket nobody called listen() on
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.bind(("127.0.0.1", port))
os.dup2(sock.fileno(), 3)
os.set_inheritable(3, True)  # a no-op dup2 (the socket was fd 3 already) keeps CLOEXEC
os.environ.update(LISTEN_FDS="1", LISTEN_PID=str(os.getpid()), LISTEN_FDNAMES="imap")
os.execv(command[0], command)
"""


@pytest.mark.parametrize("kind, problem", [
    ("datagram", "not a stream socket"),
    ("unlistened", "not listening"),
])
def test_a_passed_socket_that_cannot_accept_stops_the_start(start_tlsfloord, mail_stack, kind, problem):
    listeners = mail_listeners(mail_stack, "implicit")
    daemon = start_tlsfloord(listeners.values(), ready=False,
                             launcher=[sys.executable, "-c", PASS_SOCKET, kind, str(free_port())])
    assert daemon.wait_exit(timeout=20) != 0, daemon.log_text()
    log = daemon.log_text()
    assert "listener[1]" in log and "listener imap" in log and problem in log, log
