"""The login history store (issue 16): real IMAP, POP3 and SMTP logins through the real daemon
land as rows in the store — SQLite, and a real PostgreSQL started here — with the columns of
docs/history.md; `tlsfloord history USER` shows them; a store that is down or missing never
stops the serving, is logged, and writing resumes when it comes back."""

from __future__ import annotations

import datetime
import grp
import imaplib
import json
import poplib
import re
import shutil
import signal
import smtplib
import sqlite3
import stat
import subprocess
import time

import pytest

from clients import client_context
from conftest import Proxy, mail_listeners
from daemon import binary_path
from postgres import PostgresServer

pytestmark = pytest.mark.history

TIME_FORMAT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
COLUMNS = ["id", "time", "user_name", "protocol", "listener", "tls_version", "cipher", "ja4", "client_name",
           "client_version", "client_address", "outcome", "refusal_kind", "instance"]
THUNDERBIRD = ("Thunderbird", "115.4.1")


# ---------------------------------------------------------------- clients

def imap_login(proxy: Proxy, user, version: str, cafile, password: str | None = None,
               program: tuple[str, str] | None = None) -> bool:
    """An IMAPS login (with IMAP ID first when `program` is given); True if the server accepted it."""
    imap = imaplib.IMAP4_SSL("127.0.0.1", proxy.port("imap"), ssl_context=client_context(version, cafile))
    try:
        if program:
            assert imap.xatom("ID", f'("name" "{program[0]}" "version" "{program[1]}")')[0] == "OK"
        try:
            imap.login(user.address, password or user.password)
            return True
        except imaplib.IMAP4.error:
            return False
    finally:
        imap.logout()


def pop3_login(proxy: Proxy, user, cafile) -> None:
    pop3 = poplib.POP3_SSL("127.0.0.1", proxy.port("pop3"), context=client_context("1.2", cafile))
    try:
        pop3.user(user.address)
        pop3.pass_(user.password)
    finally:
        pop3.quit()


def smtp_login(proxy: Proxy, user, cafile) -> None:
    with smtplib.SMTP_SSL("127.0.0.1", proxy.port("smtp"), context=client_context("1.3", cafile), timeout=20) as smtp:
        smtp.ehlo("client.example.test")
        smtp.login(user.address, user.password)


def legacy_imap_login(proxy: Proxy, user) -> str:
    """An old client: `openssl s_client -tls1` at security level 0, IMAP ID then LOGIN; its output."""
    commands = (f'a ID ("name" "Microsoft Outlook" "version" "14.0")\r\n'
                f'b LOGIN "{user.address}" "{user.password}"\r\nc LOGOUT\r\n')
    result = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{proxy.port('imap')}", "-tls1",
         "-cipher", "DEFAULT@SECLEVEL=0", "-quiet", "-ign_eof", "-servername", "localhost"],
        input=commands.encode(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20)
    return result.stdout.decode(errors="replace")


# ---------------------------------------------------------------- the store and the CLI

def sqlite_rows(path) -> list[dict]:
    if not path.exists():
        return []
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as database:
        database.row_factory = sqlite3.Row
        return [dict(row) for row in database.execute(f"SELECT {', '.join(COLUMNS)} FROM logins ORDER BY id")]


def wait_for(read, count: int, timeout: float = 15) -> list:
    deadline = time.monotonic() + timeout
    while True:
        rows = read()
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.1)


def history(config, user: str, *options: str) -> subprocess.CompletedProcess:
    result = subprocess.run([str(binary_path()), "history", user, "--config", str(config), *options],
                            capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    print(f"$ tlsfloord history {user} {' '.join(options)}\n{result.stdout}{result.stderr}")
    return result


def history_json(config, user: str, *options: str) -> list[dict]:
    result = history(config, user, "--format", "json", *options)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def start_with_history(start_tlsfloord, mail_stack, history_table: dict, legacy: dict | None = None,
                       **options) -> Proxy:
    listeners = mail_listeners(mail_stack, "implicit")
    daemon = start_tlsfloord(listeners.values(), legacy=legacy, tables={"history": history_table}, **options)
    return Proxy(daemon, listeners)


# ---------------------------------------------------------------- SQLite

def test_logins_over_imap_pop3_smtp_and_tls10_land_as_rows_and_history_shows_them(
        start_tlsfloord, mail_stack, certificate, tmp_path):
    store = tmp_path / "history.db"
    proxy = start_with_history(start_tlsfloord, mail_stack, {"store": f"sqlite:{store}", "instance": "edge-1"},
                               legacy={"action": "allow"})
    alice, bob = mail_stack.user("alice"), mail_stack.user("bob")
    started = datetime.datetime.now(datetime.timezone.utc)

    assert imap_login(proxy, alice, "1.3", certificate.certificate, program=THUNDERBIRD)
    assert not imap_login(proxy, alice, "1.3", certificate.certificate, password="wrong-password")
    pop3_login(proxy, alice, certificate.certificate)
    smtp_login(proxy, alice, certificate.certificate)
    output = legacy_imap_login(proxy, alice)
    assert "b OK" in output, output
    assert imap_login(proxy, bob, "1.2", certificate.certificate)

    rows = wait_for(lambda: sqlite_rows(store), 6)
    assert len(rows) == 6, rows
    log = {(record["listener"], record["user"], record["login"], record["tls_version"]): record
           for record in proxy.daemon.wait_for_records(6, event="connection", where=lambda r: "user" in r)}
    for row in rows:
        assert TIME_FORMAT.match(row["time"]), row
        assert started - datetime.timedelta(seconds=1) <= datetime.datetime.fromisoformat(row["time"]) \
            <= datetime.datetime.now(datetime.timezone.utc), row
        assert (row["client_address"], row["instance"], row["refusal_kind"]) == ("127.0.0.1", "edge-1", None), row
        # The history says what the connection log says about the same login.
        record = log[(row["listener"], row["user_name"], row["outcome"], row["tls_version"])]
        assert (row["protocol"], row["cipher"], row["ja4"]) == (record["protocol"], record["cipher"], record["ja4"]), (row, record)
        assert row["ja4"] and row["cipher"], row

    summary = [(row["user_name"], row["protocol"], row["listener"], row["tls_version"], row["outcome"],
                row["client_name"], row["client_version"]) for row in rows]
    assert summary == [
        (alice.address, "imap", "imap", "TLSv1.3", "accepted", *THUNDERBIRD),
        (alice.address, "imap", "imap", "TLSv1.3", "rejected", None, None),
        (alice.address, "pop3", "pop3", "TLSv1.2", "accepted", None, None),
        (alice.address, "smtp", "smtp", "TLSv1.3", "accepted", None, None),
        (alice.address, "imap", "imap", "TLSv1.0", "accepted", "Microsoft Outlook", "14.0"),
        (bob.address, "imap", "imap", "TLSv1.2", "accepted", None, None),
    ], summary
    assert alice.password not in store.read_bytes().decode(errors="replace")

    # Support staff: alice's five logins, newest first, bob's never; the TLS 1.0 one marked.
    shown = history_json(proxy.daemon.config_file, alice.address)
    alice_rows = [row for row in rows if row["user_name"] == alice.address]
    assert shown == [{key: row[key] for key in COLUMNS if key != "id"} for row in reversed(alice_rows)]
    table = history(proxy.daemon.config_file, alice.address)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["TIME", "PROTOCOL", "LISTENER", "TLS", "LEGACY", "OUTCOME", "CLIENT", "ADDRESS",
                                "CIPHER", "JA4", "INSTANCE"]
    assert len(lines) == 6, lines
    assert re.search(r"imap\s+imap\s+TLSv1\.0\s+yes\s+accepted\s+Microsoft Outlook 14\.0\s+127\.0\.0\.1", lines[1]), lines
    assert re.search(r"imap\s+imap\s+TLSv1\.3\s+-\s+accepted\s+Thunderbird 115\.4\.1\s+127\.0\.0\.1", lines[5]), lines
    assert bob.address not in table.stdout
    assert history_json(proxy.daemon.config_file, alice.address, "--since", "2099-01-01") == []


def test_a_refused_legacy_login_is_a_row_with_its_refusal_kind_and_addresses_can_be_anonymized(
        start_tlsfloord, mail_stack, certificate, tmp_path):
    store = tmp_path / "history.db"
    alice, bob = mail_stack.user("alice"), mail_stack.user("bob")
    proxy = start_with_history(start_tlsfloord, mail_stack,
                               {"store": f"sqlite:{store}", "anonymize_addresses": True},
                               legacy={"action": "explain", "exempt_users": [alice.address]})
    assert "b OK" in legacy_imap_login(proxy, alice)
    refused = legacy_imap_login(proxy, bob)
    assert "b NO" in refused and "b OK" not in refused, refused

    rows = wait_for(lambda: sqlite_rows(store), 2)
    assert [(row["user_name"], row["tls_version"], row["outcome"], row["refusal_kind"], row["client_address"],
             row["client_name"]) for row in rows] == [
        (alice.address, "TLSv1.0", "accepted", None, "127.0.0.0/24", "Microsoft Outlook"),
        (bob.address, "TLSv1.0", "refused_legacy", "permanent", "127.0.0.0/24", "Microsoft Outlook"),
    ], rows
    assert rows[0]["instance"] == history_json(proxy.daemon.config_file, alice.address)[0]["instance"] != ""


def test_a_missing_store_does_not_stop_serving_is_logged_and_writing_resumes(
        start_tlsfloord, mail_stack, certificate, tmp_path):
    """The store's directory does not exist yet: logins go on, the queue (2 rows) overflows and
    says so; once the directory exists, the writer reconnects and writes what it held."""
    store = tmp_path / "later" / "history.db"
    proxy = start_with_history(start_tlsfloord, mail_stack, {"store": f"sqlite:{store}", "queue_size": 2})
    alice = mail_stack.user("alice")
    unavailable = proxy.daemon.wait_for_records(1, event="history_store_unavailable")[0]
    assert "unable to open" in unavailable["error"], unavailable

    for _ in range(3):
        assert imap_login(proxy, alice, "1.3", certificate.certificate)
    dropped = proxy.daemon.wait_for_records(1, timeout=20, event="history_dropped")
    assert [record["dropped"] for record in dropped] == ["1"], dropped

    store.parent.mkdir()
    proxy.daemon.wait_for_records(1, timeout=70, event="history_store_available", where=lambda r: "dropped" in r)
    assert len(wait_for(lambda: sqlite_rows(store), 2)) == 2
    assert imap_login(proxy, alice, "1.3", certificate.certificate)
    assert len(wait_for(lambda: sqlite_rows(store), 3)) == 3
    assert len(proxy.daemon.records(event="history_store_unavailable")) == 1


def test_the_web_servers_group_can_read_the_sqlite_store_also_after_tlsfloord_stopped(
        start_tlsfloord, mail_stack, certificate, work_root):
    """As docs/history.md sets it up: a set-group-ID directory whose group the web server is in.
    tlsfloord runs with the unit's UMask=0077, yet its files are group-readable; and a reader
    that may not write the directory still opens the WAL-mode file once tlsfloord is gone."""
    directory = work_root / f"history-group-{time.monotonic_ns()}"
    directory.mkdir()
    shutil.chown(directory, group="nogroup")
    directory.chmod(0o2750)
    store = directory / "history.db"
    proxy = start_with_history(start_tlsfloord, mail_stack, {"store": f"sqlite:{store}"},
                               launcher=("sh", "-c", 'umask 077 && exec "$0" "$@"'))
    alice = mail_stack.user("alice")
    assert imap_login(proxy, alice, "1.3", certificate.certificate)
    assert len(wait_for(lambda: sqlite_rows(store), 1)) == 1
    proxy.daemon.exit_status_seen = True
    assert proxy.daemon.stop() == 0

    for path in directory.iterdir():
        info = path.stat()
        assert (stat.S_IMODE(info.st_mode), grp.getgrgid(info.st_gid).gr_name) == (0o640, "nogroup"), path
    reader = subprocess.run(
        ["runuser", "-u", "nobody", "--", "python3", "-c",
         "import sqlite3, sys; db = sqlite3.connect(f'file:{sys.argv[1]}?mode=ro', uri=True); "
         "print(db.execute('SELECT user_name, tls_version FROM logins').fetchall())", str(store)],
        capture_output=True, text=True, timeout=30)
    assert reader.stdout.strip() == f"[('{alice.address}', 'TLSv1.3')]", reader.stderr


def test_a_reload_that_changes_history_keeps_the_running_store_and_says_so(
        start_tlsfloord, mail_stack, certificate, tmp_path):
    store = tmp_path / "history.db"
    proxy = start_with_history(start_tlsfloord, mail_stack, {"store": f"sqlite:{store}", "instance": "before"})
    config = proxy.daemon.config_file
    config.write_text(config.read_text().replace('instance = "before"', 'instance = "after"'))
    proxy.daemon.send_signal(signal.SIGHUP)
    proxy.daemon.wait_for_records(1, event="history_reload")
    proxy.daemon.wait_for_records(1, event="reload", outcome="ok")
    assert imap_login(proxy, mail_stack.user("alice"), "1.3", certificate.certificate)
    assert [row["instance"] for row in wait_for(lambda: sqlite_rows(store), 1)] == ["before"]


def test_check_names_history_mistakes(tmp_path, certificate, mail_stack):
    from daemon import Listener, render_config
    listener = Listener.on_free_port("imap", "imap", "implicit", f"127.0.0.1:{mail_stack.ports.imap}")
    cases = {
        "history.store: directory": {"store": f"sqlite:{tmp_path}/missing/history.db"},
        "history.store: \"mysql://x\" is not a store": {"store": "mysql://x"},
        "history.store: the URI carries a password": {"store": "postgresql://tlsfloor:secret@db/history"},
        "history.store: not a PostgreSQL connection URI: invalid URI query parameter": {"store": "postgresql://db/h?bogus=1"},
        "history.keep: \"90\" is not a retention time": {"store": f"sqlite:{tmp_path}/h.db", "keep": "90"},
        "history.password_file: cannot read": {"store": "postgresql://db/history", "password_file": f"{tmp_path}/none"},
        "history.queue_size: must be between": {"store": f"sqlite:{tmp_path}/h.db", "queue_size": 0},
        "history.colour: unknown key": {"store": f"sqlite:{tmp_path}/h.db", "colour": "blue"},
    }
    for expected, table in cases.items():
        config = tmp_path / "check.toml"
        config.write_text(render_config(certificate=certificate.certificate, private_key=certificate.private_key,
                                        listeners=[listener], tables={"history": table}))
        result = subprocess.run([str(binary_path()), "check", "--config", str(config)],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode != 0 and f"{config}: {expected}" in result.stderr, (expected, result.stderr)


# ---------------------------------------------------------------- PostgreSQL

@pytest.fixture(scope="module")
def postgres(work_root):
    server = PostgresServer(work_root / f"postgres-{time.monotonic_ns()}").init()
    server.start()
    yield server
    server.stop()


def test_two_instances_share_one_postgresql_history_which_survives_an_outage(
        start_tlsfloord, mail_stack, certificate, tmp_path, postgres):
    uri = postgres.create_database("history_shared", "tlsfloor_writer", "writer-pw-1")
    password_file = tmp_path / "pgpass"
    password_file.write_text("writer-pw-1\n")
    password_file.chmod(0o600)
    alice = mail_stack.user("alice")
    edges = [start_with_history(start_tlsfloord, mail_stack,
                                {"store": uri, "password_file": str(password_file), "instance": name},
                                legacy={"action": "allow"})
             for name in ("edge-a", "edge-b")]
    for edge in edges:
        edge.daemon.wait_for_records(1, event="history_store_available")

    assert imap_login(edges[0], alice, "1.3", certificate.certificate, program=THUNDERBIRD)
    assert "b OK" in legacy_imap_login(edges[1], alice)
    config = edges[0].daemon.config_file
    shown = wait_for(lambda: history_json(config, alice.address), 2)
    assert [(row["instance"], row["tls_version"], row["outcome"], row["client_name"]) for row in shown] == [
        ("edge-b", "TLSv1.0", "accepted", "Microsoft Outlook"),
        ("edge-a", "TLSv1.3", "accepted", "Thunderbird"),
    ], shown
    assert all(TIME_FORMAT.match(row["time"]) for row in shown), shown
    assert history_json(edges[1].daemon.config_file, alice.address) == shown
    assert postgres.sql("SELECT version FROM tlsfloor_schema", "history_shared").split() == ["1"]

    # A reader with SELECT only, as docs/history.md grants it to the webmail, sees the same.
    postgres.sql("CREATE ROLE history_reader LOGIN PASSWORD 'reader-pw-2'")
    postgres.sql("GRANT SELECT ON logins, tlsfloor_schema TO history_reader", "history_shared")
    (tmp_path / "reader-pass").write_text("reader-pw-2\n")
    reader_config = tmp_path / "reader.toml"
    reader_config.write_text(config.read_text().replace("tlsfloor_writer@", "history_reader@")
                             .replace(str(password_file), str(tmp_path / "reader-pass")))
    assert history_json(reader_config, alice.address) == shown

    # The database goes away: both instances keep serving and say so; it comes back, rows follow.
    postgres.stop()
    assert imap_login(edges[0], alice, "1.2", certificate.certificate)
    edges[0].daemon.wait_for_records(1, timeout=20, event="history_store_unavailable")
    failed = history(config, alice.address)
    assert failed.returncode != 0 and "cannot connect to PostgreSQL" in failed.stderr, failed.stderr
    postgres.start()
    edges[0].daemon.wait_for_records(1, timeout=70, event="history_store_available", where=lambda r: "dropped" in r)
    shown = wait_for(lambda: history_json(config, alice.address), 3)
    assert [(row["instance"], row["tls_version"]) for row in shown][0] == ("edge-a", "TLSv1.2"), shown
