"""Real logins for the notify and report tests: an old client (TLS 1.0, announcing itself with
IMAP ID like Outlook does) and a current one, through tlsfloord with `[legacy] action = "allow"`."""

from __future__ import annotations

import imaplib

from clients import client_context
from conftest import Proxy
from stack import MailUser

OLD_PROGRAM = ("Microsoft Outlook", "14.0")


def imap_login(proxy: Proxy, user: MailUser, version: str, cafile, program: tuple[str, str] | None = None) -> dict:
    """Logs `user` in over IMAPS at TLS `version`; returns tlsfloord's record of the connection."""
    before = len(proxy.daemon.records(event="connection", user=user.address))
    imap = imaplib.IMAP4_SSL("127.0.0.1", proxy.port("imap"), ssl_context=client_context(version, cafile))
    try:
        if program:
            name, release = program
            assert imap.xatom("ID", f'("name" "{name}" "version" "{release}")')[0] == "OK"
        assert imap.login(user.address, user.password)[0] == "OK"
        assert imap.select("INBOX")[0] == "OK"
    finally:
        imap.logout()
    return proxy.daemon.wait_for_records(before + 1, event="connection", user=user.address)[-1]


def connection_lines(proxy: Proxy) -> list[str]:
    """The daemon's key=value connection records, as an operator's log file holds them."""
    return [line for line in proxy.daemon.log_text().splitlines()
            if line.startswith("ts=") and " event=connection " in line]
