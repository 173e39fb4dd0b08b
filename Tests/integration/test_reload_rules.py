"""What a SIGHUP reload may change, and how it says why it cannot."""

import dataclasses
import os
import signal
import tempfile
import pathlib

import pytest

from certs import make_certificate
from clients import TLSStream, client_context
from conftest import mail_listeners
from daemon import Daemon, render_config

pytestmark = pytest.mark.systemd


def reload(daemon: Daemon) -> dict:
    """Sends SIGHUP and returns the reload record it produced."""
    before = len(daemon.records(event="reload"))
    daemon.send_signal(signal.SIGHUP)
    return daemon.wait_for_records(before + 1, event="reload")[-1]


def test_switching_a_listener_between_implicit_tls_and_starttls_is_refused(start_tlsfloord, mail_stack,
                                                                             certificate):
    """Implicit-TLS sockets carry TCP_DEFER_ACCEPT: switched to STARTTLS in place, a client would
    wait for a greeting the kernel holds back. The socket options are set at start, so: restart."""
    listeners = mail_listeners(mail_stack, "implicit")
    daemon = start_tlsfloord(listeners.values())
    switched = {**listeners, "imap": dataclasses.replace(listeners["imap"], tls="starttls")}
    daemon.config_file.write_text(render_config(certificate=certificate.certificate,
                                                private_key=certificate.private_key, listeners=switched.values()))

    record = reload(daemon)
    assert record["outcome"] == "refused", record
    assert "imap" in record["error"] and "restart" in record["error"], record
    stream = TLSStream.connect("127.0.0.1", listeners["imap"].port, client_context("1.3"))
    try:
        assert stream.recv_line().startswith(b"* OK"), "the listener no longer serves implicit TLS"
    finally:
        stream.close()


@pytest.fixture
def world_readable_dir(work_root):
    """A directory the service user can traverse (pytest's tmp_path is 0700 root)."""
    directory = pathlib.Path(tempfile.mkdtemp(prefix="as-user-", dir=work_root))
    directory.chmod(0o755)
    return directory


def test_reload_after_dropping_to_the_service_user_names_an_unreadable_key(world_readable_dir, mail_stack,
                                                                             tlsfloord_binary):
    """Started as root with [server] user, a reload reads the key as that user: a root-only key
    must be reported as exactly that — at start as a warning, and when a reload is refused."""
    if os.geteuid() != 0:
        pytest.fail("this test needs root (CI runs as root): it checks the switch away from it")
    identity = make_certificate(world_readable_dir, "root-only")  # key: root, mode 0600
    listeners = mail_listeners(mail_stack, "implicit")
    config = world_readable_dir / "tlsfloor.toml"
    config.write_text(render_config(certificate=identity.certificate, private_key=identity.private_key,
                                    listeners=listeners.values(), server={"user": "nobody"}))
    config.chmod(0o644)
    daemon = Daemon(config, list(listeners.values()), binary=tlsfloord_binary).wait_ready()
    try:
        warning = daemon.wait_for_records(event="reload_unready")[0]
        assert f"tls.private_key {identity.private_key}" in warning["error"], warning
        assert 'user "nobody"' in warning["error"], warning

        record = reload(daemon)
        assert record["outcome"] == "refused", record
        assert f"tls.private_key {identity.private_key} cannot be read by user \"nobody\"" in record["error"]
        assert "LoadCredential=" in record["error"]
        stream = TLSStream.connect("127.0.0.1", listeners["imap"].port, client_context("1.3"))
        assert stream.recv_line().startswith(b"* OK")
        stream.close()
    finally:
        assert daemon.stop() == 0, daemon.log_tail()
