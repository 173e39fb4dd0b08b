"""The tlsfloor_history plugin's store reader and client hints, run by the real PHP on an SQLite file
laid out as docs/history.md's schema v1: whose rows a query returns (a bound parameter, never
text pasted into SQL), newest first, the protocol filter, the hidden listeners, the JA4 hint
table, and the refusal of a schema version it does not know. test_roundcube.py covers the page
on rows the real tlsfloord wrote."""

from __future__ import annotations

import json
import sqlite3
import subprocess

import pytest

from roundcube import PLUGIN_SOURCE

pytestmark = pytest.mark.roundcube

SCHEMA_V1 = """
CREATE TABLE tlsfloor_schema (version INTEGER NOT NULL);
CREATE TABLE logins (id INTEGER PRIMARY KEY, time TEXT NOT NULL, user_name TEXT NOT NULL, protocol TEXT NOT NULL,
    listener TEXT NOT NULL, tls_version TEXT, cipher TEXT, ja4 TEXT, client_name TEXT, client_version TEXT,
    client_address TEXT NOT NULL, outcome TEXT NOT NULL, refusal_kind TEXT, instance TEXT NOT NULL);
CREATE INDEX logins_user_time ON logins (user_name, time DESC);
CREATE INDEX logins_time ON logins (time);
"""

# (hours ago, user, protocol, listener, tls_version, ja4, client_name, client_version)
ROWS = [
    (1, "alice@example.test", "imap", "imaps", "TLSv1.3", "t13d1516h2_8daaf6152771_e5627efa2ab1", "Thunderbird", "128.5"),
    (2, "alice@example.test", "smtp", "submission", "TLSv1.0", "t10i050500_a1b2c3d4e5f6", None, None),
    (3, "alice@example.test", "pop3", "pop3s", "TLSv1.2", "t12i0909h1_0f2cb44170f4_5c4c70b73fa0", None, None),
    (4, "alice@example.test", "imap", "webmail", "TLSv1.3", "t13d1516h2_aaaaaaaaaaaa_bbbbbbbbbbbb", None, None),
    (5, "alice@example.test", "imap", "imaps", "TLSv1.2", "t12d1010h1_a_b", None, None),
    (6, "alice@example.test", "pop3", "pop3s", "TLSv1.1", None, None, None),
    (1, "bob@example.test", "imap", "imaps", "TLSv1.3", "t13d", "Bobs Mailer", "1"),
    (24 * 200, "alice@example.test", "imap", "imaps", "TLSv1.3", "t13d", "Older than the window", "1"),
]

PROBE = r"""
foreach (['login', 'store', 'client_hint'] as $part) {
    require $argv[1] . "/lib/tlsfloor_history_$part.php";
}
[, , $dsn, $user, $protocol, $hidden] = $argv;
try {
    $store = new tlsfloor_history_store($dsn);
} catch (Throwable $error) {
    fwrite(STDERR, $error->getMessage());
    exit(3);
}
$hints = new tlsfloor_history_client_hint(['t12i0909' => 'Office printer'], fn ($label) => "label:$label");
$rows  = $store->logins($user, new DateTimeImmutable('-90 days'), $protocol ?: null, json_decode($hidden), 100);
echo json_encode(array_map(fn ($row) => [$row->protocol, $row->tls_version, $hints->describe($row), $row->is_legacy()],
    $rows));
"""


@pytest.fixture
def store(tmp_path):
    database = tmp_path / "history.db"
    with sqlite3.connect(database) as connection:
        connection.executescript(SCHEMA_V1)
        connection.execute("INSERT INTO tlsfloor_schema VALUES (1)")
        for hours, user, protocol, listener, version, ja4, name, release in ROWS:
            connection.execute(
                "INSERT INTO logins (time, user_name, protocol, listener, tls_version, ja4, client_name, client_version,"
                " client_address, outcome, instance) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?),"
                " ?, ?, ?, ?, ?, ?, ?, '127.0.0.1', 'accepted', 'mx1')",
                (f"-{hours} hours", user, protocol, listener, version, ja4, name, release))
    connection.close()
    return database


def probe(database, user: str, protocol: str = "", hidden: list[str] = ()) -> subprocess.CompletedProcess:
    return subprocess.run(["php", "-r", PROBE, "--", str(PLUGIN_SOURCE), f"sqlite:{database}", user, protocol,
                           json.dumps(list(hidden))], capture_output=True, text=True, timeout=30)


def logins(database, user: str, protocol: str = "", hidden: list[str] = ()) -> list[list]:
    result = probe(database, user, protocol, hidden)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_user_gets_their_own_rows_newest_first_with_hints(store):
    assert logins(store, "alice@example.test", hidden=["webmail"]) == [
        ["imap", "TLSv1.3", "Thunderbird 128.5", False],
        ["smtp", "TLSv1.0", "label:clientoldtls", True],
        ["pop3", "TLSv1.2", "Office printer", False],  # the operator's longer prefix beats the built-in t12
        ["imap", "TLSv1.2", "label:clienttls12", False],
        ["pop3", "TLSv1.1", "label:clientunknown", True],  # no JA4 at all
    ]


def test_the_protocol_filter_and_the_hidden_listeners(store):
    assert [row[1] for row in logins(store, "alice@example.test", "pop3")] == ["TLSv1.2", "TLSv1.1"]
    assert [row[2] for row in logins(store, "alice@example.test", "imap")] == [
        "Thunderbird 128.5", "label:clienttls13", "label:clienttls12"]


@pytest.mark.parametrize("user", ["bob@example.test' OR '1'='1", "%", "alice@example.test ", "ALICE@example.test", ""])
def test_no_name_but_the_exact_one_matches(store, user):
    assert logins(store, user) == []


def test_a_store_of_another_schema_version_is_refused_with_the_reason(store):
    with sqlite3.connect(store) as connection:
        connection.execute("UPDATE tlsfloor_schema SET version = 2")
    connection.close()
    result = probe(store, "alice@example.test")
    assert result.returncode == 3 and "schema version 2" in result.stderr, result


def test_a_missing_store_is_an_error_not_an_empty_page(tmp_path):
    result = probe(tmp_path / "absent.db", "alice@example.test")
    assert result.returncode == 3 and "unable to open database file" in result.stderr, result


def test_the_dsn_in_the_operators_log_carries_no_password():
    code = (f"require '{PLUGIN_SOURCE}/lib/tlsfloor_history_store.php';"
            "echo tlsfloor_history_store::redacted('pgsql:host=db;dbname=tlsfloor;user=rc;password=s3cret');")
    result = subprocess.run(["php", "-r", code], capture_output=True, text=True, timeout=30)
    assert result.stdout == "pgsql:host=db;dbname=tlsfloor;user=rc;password=…", result
