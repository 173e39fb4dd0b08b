"""Issue 3: `tlsfloord check`, `--version`, `--help`."""

import re
import socket

import pytest

from daemon import Listener, render_config, run_cli

pytestmark = pytest.mark.core


@pytest.fixture
def write_config(tmp_path, certificate):
    """write_config(edit=lambda text: text, **render_config overrides) -> path of a config file."""
    def write(edit=lambda text: text, listeners=None, cert=None, private_key=None, **sections):
        listeners = listeners or [
            Listener.on_free_port("imaps", "imap", "implicit", "127.0.0.1:143"),
            Listener.on_free_port("smtps", "smtp", "implicit", "127.0.0.1:587"),
        ]
        text = render_config(certificate=cert or certificate.certificate,
                             private_key=private_key or certificate.private_key,
                             listeners=listeners, **sections)
        path = tmp_path / "tlsfloor.toml"
        path.write_text(edit(text))
        return path
    return write


def assert_check_fails_naming(config, *keys):
    result = run_cli("check", "--config", str(config))
    assert result.returncode != 0, f"check accepted a bad config:\n{config.read_text()}"
    message = result.stderr
    assert str(config) in message, f"message does not name the file: {message!r}"
    assert any(key in message for key in keys), f"message names none of {keys}: {message!r}"
    return message


def test_check_accepts_a_valid_config_without_opening_sockets(write_config):
    config = write_config()
    listener_port = int(re.search(r'listen = "127\.0\.0\.1:(\d+)"', config.read_text()).group(1))
    # Hold the listen port: a `check` that tried to bind would fail.
    with socket.create_server(("127.0.0.1", listener_port)):
        result = run_cli("check", "--config", str(config))
    assert result.returncode == 0, result.stderr


def test_check_rejects_an_unknown_key(write_config):
    config = write_config(edit=lambda text: text.replace("[limits]\n", "[limits]\nmax_conections = 5\n"))
    assert_check_fails_naming(config, "max_conections")


def test_check_rejects_a_missing_certificate(write_config, tmp_path):
    config = write_config(cert=tmp_path / "no-such-cert.pem")
    message = assert_check_fails_naming(config, "certificate")
    assert "no-such-cert.pem" in message


def test_check_rejects_a_key_that_does_not_match_the_certificate(write_config, rsa_certificate):
    config = write_config(private_key=rsa_certificate.private_key)
    assert_check_fails_naming(config, "private_key", "certificate")


def test_check_rejects_a_duplicate_listen_address(write_config):
    first = Listener.on_free_port("imaps", "imap", "implicit", "127.0.0.1:143")
    twin = Listener("pop3s", "pop3", "implicit", first.listen, "127.0.0.1:110")
    config = write_config(listeners=[first, twin])
    assert_check_fails_naming(config, "listen")


def test_check_rejects_an_unknown_protocol(write_config):
    config = write_config(listeners=[Listener.on_free_port("news", "nntp", "implicit", "127.0.0.1:119")])
    message = assert_check_fails_naming(config, "protocol")
    assert "nntp" in message


def test_check_rejects_a_missing_config_file(tmp_path):
    missing = tmp_path / "absent.toml"
    result = run_cli("check", "--config", str(missing))
    assert result.returncode != 0
    assert str(missing) in result.stderr


def test_version_prints_a_version_number():
    result = run_cli("--version")
    assert result.returncode == 0, result.stderr
    assert re.search(r"\d+\.\d+", result.stdout + result.stderr), result


def test_help_names_the_subcommands():
    result = run_cli("--help")
    assert result.returncode == 0, result.stderr
    assert "run" in result.stdout and "check" in result.stdout, result.stdout
