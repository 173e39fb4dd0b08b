"""Issue 14: certificates chosen by SNI, ECDSA beside RSA chosen by what the client offers,
OCSP staples from files, and ticket keys shared between instances — with real clients
(`openssl s_client`, Python's ssl) against the real binary."""

import base64
import os
import pwd
import re
import signal
import socket

import pytest

from certs import issue_certificate, make_ca, ocsp_response, stale_ocsp_response
from clients import client_context, s_client
from daemon import Daemon, Listener, render_config, run_cli

pytestmark = pytest.mark.certificates

MAIL_NAMES = ["mail.example.test", "*.mail.example.test"]


@pytest.fixture(scope="session")
def pki(work_root):
    """A CA and its leaves: the default (localhost, ECDSA), mail.example.test as ECDSA and as RSA,
    other.example.test (ECDSA), and a good OCSP response for the ECDSA mail certificate."""
    ca = make_ca(work_root / "pki")
    leaves = {
        "default": issue_certificate(ca, "default-ecdsa", "ecdsa", ["localhost"]),
        "mail-ecdsa": issue_certificate(ca, "mail-ecdsa", "ecdsa", MAIL_NAMES),
        "mail-rsa": issue_certificate(ca, "mail-rsa", "rsa", MAIL_NAMES),
        "other": issue_certificate(ca, "other-ecdsa", "ecdsa", ["other.example.test"]),
    }
    return ca, leaves, ocsp_response(ca, leaves["mail-ecdsa"], work_root / "pki" / "mail-ecdsa.ocsp")


def entry(pair, **extra) -> dict:
    return {"certificate": pair.certificate, "private_key": pair.private_key, **extra}


@pytest.fixture
def start_with_certificates(start_tlsfloord, mail_stack, pki):
    """Factory: a tlsfloord with one implicit IMAP listener, the default certificate from `pki`
    and the given `[[tls.certificates]]` entries (default: mail ECDSA with its staple, mail RSA, other)."""
    _, leaves, good_ocsp = pki

    def start(certificates=None, tls=None, legacy=None, **listener_extra):
        if certificates is None:
            certificates = [entry(leaves["mail-ecdsa"], ocsp_response=good_ocsp), entry(leaves["mail-rsa"]),
                            entry(leaves["other"])]
        listener = Listener.on_free_port("imaps", "imap", "implicit", f"127.0.0.1:{mail_stack.ports.imap}",
                                         **listener_extra)
        daemon = start_tlsfloord([listener], cert=leaves["default"], certificates=certificates, tls=tls, legacy=legacy)
        return daemon, listener.port
    return start


def served_subject(output: str) -> str:
    match = re.search(r"^subject=CN = (\S+)$", output, re.MULTILINE)
    assert match, output
    return match.group(1)


# ---------------------------------------------------------------- SNI

@pytest.mark.parametrize("servername,subject,cert", [
    ("mail.example.test", "mail-ecdsa", "mail.example.test/ecdsa"),
    ("IMAP.Mail.Example.Test", "mail-ecdsa", "mail.example.test/ecdsa"),  # wildcard, any case
    ("other.example.test", "other-ecdsa", "other.example.test/ecdsa"),
    ("unknown.example.test", "default-ecdsa", "localhost/ecdsa"),
    (None, "default-ecdsa", "localhost/ecdsa"),  # no SNI at all, like Outlook 2013
])
def test_sni_picks_the_certificate_and_the_log_names_it(start_with_certificates, servername, subject, cert):
    daemon, port = start_with_certificates()
    result = s_client(port, servername=servername)
    output = result.stdout.decode(errors="replace")
    assert served_subject(output) == subject
    record = daemon.connection_record(listener="imaps")
    assert record["cert"] == cert
    assert record["sni"] == (servername or "-")


@pytest.mark.parametrize("cipher,key_type", [("ECDHE-ECDSA-AES128-SHA", "ecdsa"), ("AES128-SHA", "rsa")])
def test_an_allowed_tls10_client_gets_the_certificate_for_its_name(start_with_certificates, cipher, key_type):
    """The switch to the name's context comes before the legacy settings (security level 0), which
    a context switch would otherwise reset: the old handshake must still complete."""
    daemon, port = start_with_certificates(legacy={"action": "allow"})
    output = s_client(port, "-tls1", "-cipher", f"{cipher}@SECLEVEL=0", servername="mail.example.test")
    assert served_subject(output.stdout.decode(errors="replace")) == f"mail-{key_type}"
    record = daemon.connection_record(listener="imaps")
    assert (record["tls_version"], record["legacy"], record["cert"]) == ("TLSv1.0", "yes", f"mail.example.test/{key_type}")


def test_listener_default_certificate_serves_clients_without_sni(start_with_certificates):
    daemon, port = start_with_certificates(default_certificate="other.example.test")
    assert served_subject(s_client(port, servername=None).stdout.decode()) == "other-ecdsa"
    # A name the [tls] certificate serves still gets it on this listener.
    assert served_subject(s_client(port, servername="localhost").stdout.decode()) == "default-ecdsa"


# ---------------------------------------------------------------- ECDSA beside RSA

@pytest.mark.parametrize("options,key_type,signature", [
    ((), "ecdsa", "ECDSA"),
    (("-tls1_2",), "ecdsa", "ECDSA"),
    (("-tls1_2", "-sigalgs", "RSA+SHA256"), "rsa", "RSA"),          # Java 7, old Android: no ECDSA signature
    (("-tls1_2", "-cipher", "aRSA"), "rsa", "RSA-PSS"),              # no ECDSA cipher suite
    (("-tls1_3", "-sigalgs", "rsa_pss_rsae_sha256"), "rsa", "RSA-PSS"),
    (("-tls1_3", "-sigalgs", "ecdsa_secp256r1_sha256"), "ecdsa", "ECDSA"),
])
def test_the_client_offer_chooses_between_ecdsa_and_rsa(start_with_certificates, options, key_type, signature):
    daemon, port = start_with_certificates()
    output = s_client(port, *options, servername="mail.example.test").stdout.decode(errors="replace")
    assert served_subject(output) == f"mail-{key_type}"
    assert f"Peer signature type: {signature}\n" in output, output
    assert daemon.connection_record(listener="imaps")["cert"] == f"mail.example.test/{key_type}"


def test_check_refuses_two_certificates_of_one_key_type_for_the_same_names(tmp_path, pki):
    _, leaves, _ = pki
    second = issue_certificate(pki[0], "mail-ecdsa-2", "ecdsa", MAIL_NAMES)
    config = write_config(tmp_path, leaves, [entry(leaves["mail-ecdsa"]), entry(second)])
    result = run_cli("check", "--config", str(config))
    assert result.returncode == 1, result.stdout
    assert (f"{config}: tls.certificates[2].certificate: {second.certificate} and {leaves['mail-ecdsa'].certificate} "
            "(tls.certificates[1]) both have ecdsa keys for the same names") in result.stderr


def test_check_refuses_a_name_served_by_two_sets_of_names(tmp_path, pki):
    _, leaves, _ = pki
    config = write_config(tmp_path, leaves, [entry(leaves["mail-ecdsa"]),
                                             entry(leaves["other"], names=["mail.example.test"])])
    result = run_cli("check", "--config", str(config))
    assert result.returncode == 1
    assert (f"{config}: tls.certificates[2].names: \"mail.example.test\" is also served by tls.certificates[1] "
            "with other names") in result.stderr


def test_check_refuses_an_unknown_listener_default_certificate(tmp_path, pki):
    _, leaves, _ = pki
    config = write_config(tmp_path, leaves, [], default_certificate="nobody.example.test")
    result = run_cli("check", "--config", str(config))
    assert result.returncode == 1
    assert f"{config}: listener[1].default_certificate: no certificate serves \"nobody.example.test\"" in result.stderr


def write_config(tmp_path, leaves, certificates, tls=None, **listener_extra):
    listener = Listener("imaps", "imap", "implicit", "127.0.0.1:1", "127.0.0.1:2", listener_extra)
    config = tmp_path / "check.toml"
    config.write_text(render_config(certificate=leaves["default"].certificate, private_key=leaves["default"].private_key,
                                    listeners=[listener], certificates=certificates, tls=tls))
    return config


# ---------------------------------------------------------------- OCSP stapling

def test_status_request_gets_the_staple_of_the_served_certificate(start_with_certificates):
    _, port = start_with_certificates()
    stapled = s_client(port, "-status", servername="mail.example.test").stdout.decode(errors="replace")
    assert "OCSP Response Status: successful (0x0)" in stapled, stapled
    assert "Cert Status: good" in stapled, stapled
    # The RSA certificate for the same names has no staple of its own.
    rsa = s_client(port, "-status", "-tls1_2", "-cipher", "aRSA", servername="mail.example.test").stdout.decode()
    assert "OCSP response: no response sent" in rsa, rsa


def test_stale_or_foreign_ocsp_responses_are_left_out_with_a_warning(start_with_certificates, pki, tmp_path):
    ca, leaves, good_ocsp = pki
    stale = stale_ocsp_response(ca, leaves["mail-ecdsa"], tmp_path / "stale.ocsp")
    daemon, port = start_with_certificates(certificates=[entry(leaves["mail-ecdsa"], ocsp_response=stale),
                                                         entry(leaves["other"], ocsp_response=good_ocsp)])
    warnings = {record["key"]: record["reason"] for record in daemon.wait_for_records(2, event="certificate_warning")}
    assert "stale, its next update" in warnings["tls.certificates[1].ocsp_response"], warnings
    assert "the response is for another certificate" in warnings["tls.certificates[2].ocsp_response"], warnings
    for name in ("mail.example.test", "other.example.test"):
        output = s_client(port, "-status", servername=name).stdout.decode(errors="replace")
        assert "OCSP response: no response sent" in output, output


def test_ocsp_response_is_reread_on_reload(start_with_certificates, pki, tmp_path):
    ca, leaves, good_ocsp = pki
    staple = tmp_path / "mail.ocsp"
    staple.write_bytes(stale_ocsp_response(ca, leaves["mail-ecdsa"], tmp_path / "stale.ocsp").read_bytes())
    daemon, port = start_with_certificates(certificates=[entry(leaves["mail-ecdsa"], ocsp_response=staple)])
    assert "no response sent" in s_client(port, "-status", servername="mail.example.test").stdout.decode()
    staple.write_bytes(good_ocsp.read_bytes())  # what the renewal hook does, before `systemctl reload`
    daemon.send_signal(signal.SIGHUP)
    assert daemon.wait_for_records(event="reload")[0]["outcome"] == "ok"
    output = s_client(port, "-status", servername="mail.example.test").stdout.decode(errors="replace")
    assert "Cert Status: good" in output, output


def test_check_reports_a_left_out_staple_but_passes(tmp_path, pki):
    ca, leaves, good_ocsp = pki
    config = write_config(tmp_path, leaves, [entry(leaves["other"], ocsp_response=good_ocsp)])
    result = run_cli("check", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert (f"warning: {config}: tls.certificates[1].ocsp_response: not stapled: {good_ocsp}: "
            "the response is for another certificate") in result.stderr


def test_check_refuses_a_file_that_is_no_ocsp_response(tmp_path, pki):
    _, leaves, _ = pki
    config = write_config(tmp_path, leaves, [entry(leaves["mail-ecdsa"], ocsp_response=leaves["mail-ecdsa"].certificate)])
    result = run_cli("check", "--config", str(config))
    assert result.returncode == 1
    assert f"{config}: tls.certificates[1].ocsp_response: {leaves['mail-ecdsa'].certificate} is not a DER OCSP response" \
        in result.stderr


# ---------------------------------------------------------------- session resumption across instances

# Python resumes a session only with the context that made it, as a real client would.
CLIENT = client_context("1.3")


def first_session(port: int):
    """A TLS 1.3 session from a full handshake; the ticket arrives with the first bytes after it."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        with CLIENT.wrap_socket(sock, server_hostname="mail.example.test") as tls:
            assert tls.recv(256).startswith(b"* OK")
            return tls.session


def resumes(port: int, session) -> bool:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        with CLIENT.wrap_socket(sock, server_hostname="mail.example.test", session=session) as tls:
            assert tls.recv(256).startswith(b"* OK")
            return tls.session_reused


def test_a_session_from_one_instance_resumes_on_another_with_the_same_ticket_keys(start_with_certificates, tmp_path):
    shared, other = tmp_path / "shared.key", tmp_path / "other.key"
    shared.write_bytes(os.urandom(80) + os.urandom(80))  # nginx format: raw 80-byte keys
    other.write_bytes(os.urandom(80))
    first, first_port = start_with_certificates(tls={"ticket_keys": shared})
    second, second_port = start_with_certificates(tls={"ticket_keys": shared})
    third, third_port = start_with_certificates(tls={"ticket_keys": other})

    session = first_session(first_port)
    assert resumes(second_port, session)
    assert not resumes(third_port, session)
    assert second.wait_for_records(event="connection", resumed="yes")[0].get("cert") is None
    assert third.wait_for_records(event="connection")[0]["cert"] == "mail.example.test/ecdsa"


def test_rotated_ticket_keys_are_reread_on_reload_and_old_keys_still_decrypt(start_with_certificates, tmp_path):
    keys = tmp_path / "tls-ticket-keys"
    old, new, newer = (os.urandom(80) for _ in range(3))
    lines = lambda *ks: "".join(base64.b64encode(k).decode() + "\n" for k in ks)  # noqa: E731 (HAProxy format)
    keys.write_text(lines(old))
    daemon, port = start_with_certificates(tls={"ticket_keys": keys})
    session = first_session(port)

    keys.write_text(lines(new, old))  # rotation: a new first key encrypts, the old one still decrypts
    daemon.send_signal(signal.SIGHUP)
    daemon.wait_for_records(event="reload", outcome="ok")
    assert resumes(port, session)

    keys.write_text(lines(newer, new))  # the old key is gone: its tickets get a full handshake
    daemon.send_signal(signal.SIGHUP)
    daemon.wait_for_records(2, event="reload", outcome="ok")
    assert not resumes(port, session)


def test_check_refuses_a_ticket_key_file_of_the_wrong_size(tmp_path, pki):
    _, leaves, _ = pki
    keys = tmp_path / "ticket.key"
    keys.write_bytes(b"\x80" * 48)
    config = write_config(tmp_path, leaves, [], tls={"ticket_keys": keys})
    result = run_cli("check", "--config", str(config))
    assert result.returncode == 1
    assert f"{config}: tls.ticket_keys: {keys} is 48 bytes, not a multiple of 80" in result.stderr


# ---------------------------------------------------------------- reload after the privilege drop

def test_reload_after_the_switch_to_server_user_rereads_group_readable_files(work_root, tlsfloord_binary, mail_stack,
                                                                             pki, tmp_path):
    """[server] user: the account reads keys, staples and ticket keys through its group after the
    switch (Debian: group ssl-cert), so a reload that renews them still works."""
    if os.geteuid() != 0:
        pytest.fail("this test needs root (CI runs as root): it checks the switch away from it")
    ca, leaves, good_ocsp = pki
    nobody = pwd.getpwnam("nobody")
    directory = work_root / f"as-nobody-{os.getpid()}-{tmp_path.name}"
    directory.mkdir(mode=0o755)
    files = {name: directory / name for name in ("mail.pem", "mail.key", "mail.ocsp", "ticket.keys")}
    files["mail.pem"].write_bytes(leaves["mail-ecdsa"].certificate.read_bytes())
    files["mail.key"].write_bytes(leaves["mail-ecdsa"].private_key.read_bytes())
    files["mail.ocsp"].write_bytes(stale_ocsp_response(ca, leaves["mail-ecdsa"], tmp_path / "stale.ocsp").read_bytes())
    files["ticket.keys"].write_bytes(os.urandom(80))
    for path in files.values():  # root-owned, readable by the group only: what ssl-cert gives on Debian
        os.chown(path, 0, nobody.pw_gid)
        path.chmod(0o640)
    listener = Listener.on_free_port("imaps", "imap", "implicit", f"127.0.0.1:{mail_stack.ports.imap}")
    config = directory / "tlsfloor.toml"
    config.write_text(render_config(
        certificate=files["mail.pem"], private_key=files["mail.key"], listeners=[listener],
        server={"user": "nobody"}, tls={"ocsp_response": files["mail.ocsp"], "ticket_keys": files["ticket.keys"]}))
    config.chmod(0o644)
    daemon = Daemon(config, [listener], binary=tlsfloord_binary).wait_ready()
    try:
        assert "no response sent" in s_client(listener.port, "-status", servername="mail.example.test").stdout.decode()
        files["mail.ocsp"].write_bytes(good_ocsp.read_bytes())
        daemon.send_signal(signal.SIGHUP)
        assert daemon.wait_for_records(event="reload")[0]["outcome"] == "ok", daemon.log_tail()
        output = s_client(listener.port, "-status", servername="mail.example.test").stdout.decode(errors="replace")
        assert "Cert Status: good" in output, output
    finally:
        assert daemon.stop() == 0, daemon.log_tail()
