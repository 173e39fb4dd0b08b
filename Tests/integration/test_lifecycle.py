"""Issue 3: SIGTERM/SIGINT stop accepting, let open sessions finish within shutdown_grace,
and exit 0."""

import imaplib
import os
import pwd
import signal
import socket
import subprocess
import time

import pytest

from clients import client_context
from conftest import mail_listeners

pytestmark = pytest.mark.core


def refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_with_exit_zero_and_a_stop_record(implicit_proxy, signum):
    daemon = implicit_proxy.daemon
    daemon.send_signal(signum)
    assert daemon.wait_exit(timeout=10) == 0, daemon.log_text()
    events = [record["event"] for record in daemon.records()]
    assert events.count("start") == 1 and events.count("stop") == 1, events
    assert events.index("stop") > max(index for index, event in enumerate(events) if event == "listening")
    assert daemon.records(event="stop")[0].get("signal") in (None, signal.Signals(signum).name)


def test_open_session_finishes_after_sigterm_while_new_ones_are_refused(implicit_proxy, mail_stack,
                                                                        certificate):
    alice = mail_stack.user("alice")
    daemon, port = implicit_proxy.daemon, implicit_proxy.port("imap")
    imap = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=client_context("1.3", certificate.certificate))
    imap.login(alice.address, alice.password)

    daemon.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 5
    while not refuses_connections(port):
        assert time.monotonic() < deadline, "still accepting connections 5 s after SIGTERM"
        time.sleep(0.1)
    assert daemon.process.poll() is None, "exited while a session was still open"

    assert imap.select("INBOX")[0] == "OK"
    assert imap.noop()[0] == "OK"
    imap.logout()
    assert daemon.wait_exit(timeout=5) == 0, daemon.log_text()
    assert daemon.records(event="connection", listener="imap", outcome="relayed")


def test_shutdown_grace_ends_lingering_sessions(start_tlsfloord, mail_stack, certificate):
    listeners = mail_listeners(mail_stack, "implicit")
    daemon = start_tlsfloord(listeners.values(), limits={"shutdown_grace": "1s"})
    alice = mail_stack.user("alice")
    imap = imaplib.IMAP4_SSL("127.0.0.1", listeners["imap"].port,
                             ssl_context=client_context("1.3", certificate.certificate))
    imap.login(alice.address, alice.password)

    started = time.monotonic()
    daemon.send_signal(signal.SIGTERM)
    assert daemon.wait_exit(timeout=10) == 0, daemon.log_text()
    assert time.monotonic() - started < 6
    with pytest.raises((imaplib.IMAP4.abort, OSError)):
        imap.noop()
    assert len(daemon.records(event="connection", listener="imap")) == 1


def test_started_as_root_it_serves_as_the_configured_user(start_tlsfloord, mail_stack, certificate):
    """[server] user: root only while binding and loading the key, then the given account."""
    if os.geteuid() != 0:
        pytest.fail("this test needs root (CI runs as root): it checks the switch away from it")
    listeners = mail_listeners(mail_stack, "implicit")
    daemon = start_tlsfloord(listeners.values(), server={"user": "nobody"})
    nobody = pwd.getpwnam("nobody")
    status = dict(line.split(":", 1) for line in open(f"/proc/{daemon.process.pid}/status").read().splitlines())
    assert status["Uid"].split() == [str(nobody.pw_uid)] * 4
    assert status["Gid"].split() == [str(nobody.pw_gid)] * 4
    # Root's groups are gone; the account's own (/etc/group, e.g. ssl-cert) are kept for reading keys.
    assert sorted(map(int, status["Groups"].split())) == sorted(os.getgrouplist("nobody", nobody.pw_gid))
    alice = mail_stack.user("alice")
    imap = imaplib.IMAP4_SSL("127.0.0.1", listeners["imap"].port,
                             ssl_context=client_context("1.3", certificate.certificate))
    assert imap.login(alice.address, alice.password)[0] == "OK"
    imap.logout()


def test_unknown_user_is_a_configuration_error(tmp_path, certificate, tlsfloord_binary):
    from daemon import render_config
    config = tmp_path / "user.toml"
    config.write_text(render_config(certificate=certificate.certificate, private_key=certificate.private_key,
                                    listeners=[], server={"user": "no-such-account-here"})
                      + '\n[[listener]]\nname = "x"\nprotocol = "imap"\nlisten = "127.0.0.1:1"\nbackend = "127.0.0.1:2"\n')
    result = subprocess.run([tlsfloord_binary, "check", "--config", str(config)], capture_output=True, text=True)
    assert result.returncode != 0
    assert f"{config}: server.user: no such user \"no-such-account-here\"" in result.stderr
