"""SNI and ALPN are chosen by the client: in the log they get the same cleaning as login
names, so bidi overrides and line/paragraph separators cannot reorder or split a record."""

import subprocess

import pytest

pytestmark = pytest.mark.core

TRICKS = "\u202e", "\u2028", "\u2066", "\u200b"


def test_sni_and_alpn_reach_the_log_without_format_characters(implicit_proxy):
    port = implicit_proxy.port("imap")
    server_name = "mail\u202eorg.elpmaxe\u2028event=forged".encode()
    alpn = "imap\u2066,x\u2029y".encode()
    subprocess.run([b"openssl", b"s_client", b"-connect", f"127.0.0.1:{port}".encode(),
                    b"-servername", server_name, b"-alpn", alpn, b"-tls1_3"],
                   input=b"a LOGOUT\r\n", capture_output=True, timeout=20)
    record = implicit_proxy.daemon.connection_record(listener="imap")
    assert record["sni"] == "mailorg.elpmaxeevent=forged", record
    assert record["alpn"] == "imap,xy", record
    line = next(line for line in implicit_proxy.daemon.log_text().splitlines() if "event=connection" in line)
    assert not any(trick in line for trick in TRICKS), line
