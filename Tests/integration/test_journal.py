"""The journal, end to end: tlsfloord with `[log] target = "journal"` writing to a real
systemd-journald (private to the test, see journal.py), read back with `journalctl -o json`
as an operator would — the TLSFLOOR_* fields of relayed and refused connections, MESSAGE_IDs,
priorities, the queries docs/operations.md gives — and `journalctl -o json | tlsfloord report -`
against the report of the stderr log of the same client sessions.

The same sessions run twice, against a daemon logging to the journal and against one logging
to stderr (same listeners and policy, other ports), so every record exists in both forms.
"""

from __future__ import annotations

import dataclasses
import datetime
import imaplib
import json
import re
import shlex
import smtplib
import socket
import ssl
import subprocess

import pytest

from clients import TLSStream, client_context
from daemon import REPO_ROOT, Daemon, Listener, listening_ports, render_config
from journal import PrivateJournal
from stack import MailStack, MailUser

pytestmark = pytest.mark.journal

MESSAGE = "TLS 1.0 and 1.1 are switched off, please update your mail program"
OPERATIONS_MD = REPO_ROOT / "docs" / "operations.md"
# docs/operations.md's queries name this user and date; the test puts its own in.
DOC_USER = "alice@example.org"
DOC_DATE = "2026-11-01"

# Sources/Systemd/JournalMessageID.swift: part of the interface, never changed.
TLS_VERSION_REFUSED = "50ebfdfde33746e1a316784cf2e2d30c"
LEGACY_EXPLAINED = "5ff93a662cc34a4e80814b9a2911db65"
LEGACY_ALLOWED = "94b56bbc99bb442890da8a343c9db686"
START = "aa6d1f5922ce4a82a389d8bc6c5d7c16"
STOP = "fcb544a3d8d44f28a81774dce2e4790f"
# syslog priority per swift-log level (docs/operations.md, Logs).
PRIORITIES = {"trace": "7", "debug": "7", "info": "6", "notice": "5", "warning": "4", "error": "3", "critical": "2"}
# Keys whose values differ between two runs of the same session: time, source port, amounts.
PER_RUN_KEYS = {"ts", "client", "duration_ms", "bytes_in", "bytes_out"}


def operator_listeners(stack: MailStack) -> list[Listener]:
    """IMAPS refuses legacy clients (the global `reject`), POP3S explains, SMTPS still allows."""
    return [
        Listener.on_free_port("imap", "imap", "implicit", f"127.0.0.1:{stack.ports.imap}"),
        Listener.on_free_port("pop3", "pop3", "implicit", f"127.0.0.1:{stack.ports.pop3}",
                              legacy={"action": "explain", "message": MESSAGE}),
        Listener.on_free_port("smtp", "smtp", "implicit", f"127.0.0.1:{stack.ports.smtp}",
                              legacy={"action": "allow"}),
    ]


def operator_sessions(ports: dict[str, int], alice: MailUser, bob: MailUser, cafile) -> None:
    """Five connections, one of each kind an operator asks about."""
    # alice's current Thunderbird: IMAPS with TLS 1.3, announcing itself with IMAP ID.
    imap = imaplib.IMAP4_SSL("127.0.0.1", ports["imap"], ssl_context=client_context("1.3", cafile))
    try:
        assert imap.xatom("ID", '("name" "Thunderbird" "version" "115.3")')[0] == "OK"
        assert imap.login(alice.address, alice.password)[0] == "OK"
        assert imap.select("INBOX")[0] == "OK"
    finally:
        imap.logout()
    # bob with TLS 1.2.
    imap = imaplib.IMAP4_SSL("127.0.0.1", ports["imap"], ssl_context=client_context("1.2", cafile))
    try:
        assert imap.login(bob.address, bob.password)[0] == "OK"
    finally:
        imap.logout()
    # An old client at IMAPS with TLS 1.0: alert 70.
    with socket.create_connection(("127.0.0.1", ports["imap"])) as sock, pytest.raises(ssl.SSLError) as refused:
        client_context("1.0").wrap_socket(sock, server_hostname="localhost")
    assert refused.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION"
    # An old client at POP3S with TLS 1.1: told why.
    stream = TLSStream.connect("127.0.0.1", ports["pop3"], client_context("1.1"))
    try:
        assert stream.recv_line().startswith(b"+OK")
        stream.send(b"CAPA\r\n")
        assert stream.recv_line() == f"-ERR [SYS/PERM] {MESSAGE}\r\n".encode()
    finally:
        stream.close()
    # alice's old phone sends mail with TLS 1.0 over SMTPS, which still allows it.
    with smtplib.SMTP_SSL("127.0.0.1", ports["smtp"], context=client_context("1.0", cafile)) as smtp:
        smtp.login(alice.address, alice.password)


@dataclasses.dataclass
class Run:
    """One daemon that served `operator_sessions` between `began` and `ended` and has stopped."""

    daemon: Daemon
    began: datetime.datetime
    ended: datetime.datetime

    @property
    def pid(self) -> str:
        return str(self.daemon.process.pid)


@dataclasses.dataclass
class Sessions:
    journal: PrivateJournal
    journal_run: Run
    stderr_run: Run
    alice: MailUser

    def entries(self, *matches: str) -> list[dict]:
        """The journal daemon's entries matching `matches` (journalctl syntax)."""
        return self.journal.entries(f"_PID={self.journal_run.pid}", *matches)

    def connection_entries(self, **fields: str) -> list[dict]:
        return self.entries("TLSFLOOR_EVENT=connection",
                            *(f"TLSFLOOR_{key.upper()}={value}" for key, value in fields.items()))

    def stderr_records(self, **match: str) -> list[dict]:
        return self.stderr_run.daemon.records(event="connection", **match)


def serve_sessions(config_dir, name: str, stack: MailStack, certificate, binary, *,
                   log: dict, journal: PrivateJournal | None = None) -> Run:
    listeners = operator_listeners(stack)
    config = config_dir / f"{name}.toml"
    config.write_text(render_config(certificate=certificate.certificate, private_key=certificate.private_key,
                                    listeners=listeners, log=log, legacy={"action": "reject"}))
    daemon = Daemon(config, listeners, binary=binary, launcher=journal.launcher if journal else ())
    try:
        ports = {listener.name: listener.port for listener in listeners}
        if journal:
            # Nothing on stderr to wait for: the `listening` records are in the journal.
            journal.wait_for_entries(len(listeners), f"_PID={daemon.process.pid}", "TLSFLOOR_EVENT=listening",
                                     timeout=20)
            assert set(ports.values()) <= listening_ports()
        else:
            daemon.wait_ready()
        began = datetime.datetime.now(datetime.timezone.utc)
        operator_sessions(ports, stack.user("alice"), stack.user("bob"), certificate.certificate)
        if journal:
            journal.wait_for_entries(5, f"_PID={daemon.process.pid}", "TLSFLOOR_EVENT=connection")
        else:
            daemon.wait_for_records(5, event="connection")
        ended = datetime.datetime.now(datetime.timezone.utc)
    finally:
        code = daemon.stop()
    assert code == 0, daemon.log_tail()
    return Run(daemon, began, ended)


@pytest.fixture(scope="module")
def sessions(tmp_path_factory, mail_stack, certificate, tlsfloord_binary):
    root = tmp_path_factory.mktemp("journal")
    journal = PrivateJournal(root)
    try:
        journal_run = serve_sessions(root, "journal", mail_stack, certificate, tlsfloord_binary,
                                     log={"target": "journal"}, journal=journal)
        journal.wait_for_entries(1, f"_PID={journal_run.pid}", f"MESSAGE_ID={STOP}")
        stderr_run = serve_sessions(root, "stderr", mail_stack, certificate, tlsfloord_binary,
                                    log={"target": "stderr"})
        yield Sessions(journal, journal_run, stderr_run, mail_stack.user("alice"))
    finally:
        journal.stop()


def single(entries: list[dict]) -> dict:
    assert len(entries) == 1, entries
    return entries[0]


def tlsfloor_fields(entry: dict) -> dict[str, str]:
    """TLSFLOOR_TLS_VERSION=… → {"tls_version": …}, as the stderr record names the keys."""
    return {name.removeprefix("TLSFLOOR_").lower(): value for name, value in entry.items()
            if name.startswith("TLSFLOOR_")}


# ---------------------------------------------------------------- what the journal holds

def test_a_relayed_login_is_queryable_by_its_fields(sessions):
    entry = single(sessions.connection_entries(user=sessions.alice.address, tls_version="TLSv1.3"))
    assert entry["SYSLOG_IDENTIFIER"] == "tlsfloord"
    assert entry["PRIORITY"] == "6", entry
    assert "MESSAGE_ID" not in entry, "a current client's connection is nothing to alert on"
    fields = tlsfloor_fields(entry)
    assert fields["outcome"] == "relayed" and fields["login"] == "accepted", fields
    assert (fields["listener"], fields["protocol"], fields["tls"]) == ("imap", "imap", "implicit"), fields
    assert (fields["client_name"], fields["client_version"]) == ("Thunderbird", "115.3"), fields
    assert fields["client"].startswith("127.0.0.1:") and fields["cert"] == "localhost/ecdsa", fields
    # JA4 of a TLS 1.3 hello without SNI (imaplib sends none to an IP address).
    assert re.fullmatch(r"t13i\d{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}", fields["ja4"]), fields
    assert int(fields["bytes_in"]) > 0 and int(fields["bytes_out"]) > 0, fields
    assert sessions.alice.password not in json.dumps(sessions.entries())

    bob = single(sessions.connection_entries(user="bob@example.test"))
    assert (bob["TLSFLOOR_TLS_VERSION"], bob["TLSFLOOR_OUTCOME"]) == ("TLSv1.2", "relayed"), bob


def test_a_refused_legacy_client_carries_what_it_offered_and_its_message_id(sessions):
    refused = single(sessions.connection_entries(outcome="tls_version_refused"))
    assert refused["MESSAGE_ID"] == TLS_VERSION_REFUSED
    fields = tlsfloor_fields(refused)
    assert (fields["offered_version"], fields["legacy"], fields["tls_version"]) == ("TLSv1.0", "yes", "-"), fields
    assert fields["backend"] == "-" and fields["listener"] == "imap", fields
    assert fields["ja4"].startswith("t10"), fields

    explained = single(sessions.connection_entries(outcome="legacy_explained"))
    assert explained["MESSAGE_ID"] == LEGACY_EXPLAINED
    assert (explained["TLSFLOOR_LISTENER"], explained["TLSFLOOR_TLS_VERSION"]) == ("pop3", "TLSv1.1"), explained

    allowed = single(sessions.entries(f"MESSAGE_ID={LEGACY_ALLOWED}"))
    assert tlsfloor_fields(allowed) | {"user": sessions.alice.address} == tlsfloor_fields(allowed)
    assert (allowed["TLSFLOOR_LISTENER"], allowed["TLSFLOOR_LEGACY"], allowed["TLSFLOOR_OUTCOME"]) == \
        ("smtp", "yes", "relayed"), allowed


def test_start_and_stop_have_their_message_ids(sessions):
    assert single(sessions.entries(f"MESSAGE_ID={START}"))["TLSFLOOR_EVENT"] == "start"
    assert single(sessions.entries(f"MESSAGE_ID={STOP}"))["TLSFLOOR_EVENT"] == "stop"


def test_records_go_only_to_the_journal(sessions):
    assert not [line for line in sessions.journal_run.daemon.lines if line.startswith("ts=")], \
        sessions.journal_run.daemon.log_tail()


def test_each_journal_record_has_the_keys_values_and_level_of_the_stderr_record(sessions):
    """The same session gives the same record in both targets: every key, every value that does not
    depend on the moment or the source port, and PRIORITY from the stderr `level`."""
    entries = sessions.connection_entries()
    records = sessions.stderr_records()
    assert len(entries) == len(records) == 5

    def session_key(fields: dict) -> tuple:
        return fields["listener"], fields["outcome"], fields.get("user", "-"), fields["tls_version"]

    journal_by_session = {session_key(tlsfloor_fields(entry)): entry for entry in entries}
    assert len(journal_by_session) == 5
    for record in records:
        entry = journal_by_session[session_key(record)]
        fields = tlsfloor_fields(entry)
        assert set(fields) == set(record) - {"ts", "level", "msg"}, (fields, record)
        assert {key: value for key, value in fields.items() if key not in PER_RUN_KEYS} == \
            {key: value for key, value in record.items() if key not in PER_RUN_KEYS | {"level", "msg"}}
        assert entry["PRIORITY"] == PRIORITIES[record["level"]], (entry, record)
        # The message names the client with its (per-run) source port.
        assert entry["MESSAGE"] == record["msg"].replace(record["client"], fields["client"]), (entry, record)


# ---------------------------------------------------------------- tlsfloord report

def report_rows(report_input: bytes, binary) -> list[dict]:
    result = subprocess.run([str(binary), "report", "--format", "json", "-"], input=report_input,
                            capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def assert_seen_within(rows: list[dict], run: Run) -> None:
    earliest = run.began.replace(microsecond=0)
    latest = run.ended.replace(microsecond=0) + datetime.timedelta(seconds=1)
    for row in rows:
        for key in ("first_seen", "last_seen"):
            seen = datetime.datetime.fromisoformat(row[key].replace("Z", "+00:00"))
            assert earliest <= seen <= latest, (row, run.began, run.ended)


def without_times(rows: list[dict]) -> list[str]:
    return sorted(json.dumps({key: value for key, value in row.items() if key not in ("first_seen", "last_seen")},
                             sort_keys=True) for row in rows)


def test_report_of_the_journal_equals_report_of_the_stderr_log(sessions, tlsfloord_binary):
    """`journalctl -o json | tlsfloord report -` and the report of the stderr log of the same sessions
    give the same rows; only the times differ, each within its own run."""
    exported = sessions.journal.journalctl("-t", "tlsfloord", "-o", "json").stdout
    from_journal = report_rows(exported, tlsfloord_binary)
    stderr_log = "\n".join(sessions.stderr_run.daemon.lines).encode() + b"\n"
    from_stderr = report_rows(stderr_log, tlsfloord_binary)

    assert without_times(from_journal) == without_times(from_stderr)
    assert_seen_within(from_journal, sessions.journal_run)
    assert_seen_within(from_stderr, sessions.stderr_run)
    # The rows say what the sessions were: alice twice (IMAP 1.3, SMTP 1.0), bob, two refused addresses.
    outcomes = sorted((row["user"] or "-", tuple(row["versions"]), tuple(row["outcomes"])) for row in from_journal)
    assert outcomes == sorted([
        (sessions.alice.address, ("TLSv1.3",), ("relayed",)),
        (sessions.alice.address, ("TLSv1.0",), ("relayed",)),
        ("bob@example.test", ("TLSv1.2",), ("relayed",)),
        ("-", ("TLSv1.0",), ("tls_version_refused",)),
        ("-", ("TLSv1.1",), ("legacy_explained",)),
    ]), from_journal


# ---------------------------------------------------------------- the documented queries

def documented_queries() -> dict[str, str]:
    """The `journalctl` lines of the "Queries" block in docs/operations.md, by the comment above each."""
    text = OPERATIONS_MD.read_text()
    block = re.search(r"<!-- queries tested by Tests/integration/test_journal.py -->\s*```sh\n(.*?)```", text, re.S)
    assert block, "docs/operations.md lost its tested queries block"
    queries, comment = {}, None
    for line in block.group(1).splitlines():
        if line.startswith("#"):
            comment = line.lstrip("# ").strip()
        elif line.startswith("journalctl"):
            queries[comment] = line
    return queries


def run_documented(sessions: Sessions, query: str, *, since: str) -> list[dict]:
    """The query as documented, with the test's user and date, on the test's journal, as JSON."""
    words = shlex.split(query.replace(DOC_USER, sessions.alice.address).replace(DOC_DATE, since))
    assert words[0] == "journalctl"
    return sessions.journal.entries(f"_PID={sessions.journal_run.pid}", *words[1:])


def test_the_queries_in_operations_md_find_what_they_say(sessions):
    queries = documented_queries()
    assert len(queries) == 4, queries
    today = datetime.date.today().isoformat()
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()

    refusals = next(query for label, query in queries.items() if label.startswith("Every legacy client refused"))
    found = run_documented(sessions, refusals, since=today)
    assert sorted(entry["TLSFLOOR_OUTCOME"] for entry in found) == ["legacy_explained", "tls_version_refused"]
    assert run_documented(sessions, refusals, since=tomorrow) == []

    logins = next(query for label, query in queries.items() if label.startswith("One user's logins"))
    found = run_documented(sessions, logins, since=today)
    assert sorted((entry["TLSFLOOR_LISTENER"], entry["TLSFLOOR_TLS_VERSION"]) for entry in found) == \
        [("imap", "TLSv1.3"), ("smtp", "TLSv1.0")], found

    allowed = next(query for label, query in queries.items() if label.startswith("Legacy clients still let through"))
    found = run_documented(sessions, allowed, since=today)
    assert [(entry["TLSFLOOR_USER"], entry["TLSFLOOR_LISTENER"]) for entry in found] == \
        [(sessions.alice.address, "smtp")], found

    lifecycle = next(query for label, query in queries.items() if label.startswith("Starts and stops"))
    found = run_documented(sessions, lifecycle, since=today)
    assert [entry["TLSFLOOR_EVENT"] for entry in found] == ["start", "stop"], found
