"""Issue 16, the page the user sees: Debian's Roundcube with the tlsfloor_history plugin, logging in
through tlsfloord (STARTTLS) to the real Dovecot, shows each user their own logins from the history
store that the real tlsfloord wrote — read by PHP as www-data, through the directory group that
docs/history.md prescribes (a set-group-ID directory of the web server's group), while tlsfloord
runs with the shipped unit's UMask=0077.

A headless Chromium logs in as a person would, opens Settings → Login history and the tests read
the rendered page. Screenshots are kept under $TLSFLOOR_ARTIFACTS (default
Tests/integration/artifacts/) and their paths printed.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import pathlib
import poplib
import shutil
import sqlite3
import uuid

import pytest

from clients import client_context, s_client
from conftest import Proxy, mail_listeners
from daemon import REPO_ROOT, Daemon, Listener, render_config, run_cli, toml_table
from legacy_logins import imap_login
from png import count_color, read_pixels
from postgres import PostgresServer
from roundcube import WEB_USER, Browser, RoundcubeSite, wait_for_rows

pytestmark = pytest.mark.roundcube

NOTICE = {
    "en_US": "Your program still uses TLS 1.0/1.1: update it or replace the device (help: https://mail.example.test/tls).",
    "de_DE": "Ihr Programm nutzt noch TLS 1.0/1.1: bitte aktualisieren oder das Gerät ersetzen (Hilfe: https://mail.example.test/tls).",
}
CUTOFF = datetime.date.today() + datetime.timedelta(days=120)
CUTOFF_SHOWN = CUTOFF.strftime("%d.%m.%Y")  # the site's date_format below
THUNDERBIRD = ("Thunderbird", "128.5")
BOBS_PROGRAM = ("Bobs Other Mailer", "9.9")
LEGACY_ROW_RGB = (0xFD, 0xE2, 0xE1)  # tr.tlsfloor-legacy background in the plugin's CSS


def artifacts_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("TLSFLOOR_ARTIFACTS") or REPO_ROOT / "Tests" / "integration" / "artifacts")


def grant_web_server_read(directory: pathlib.Path) -> None:
    """docs/history.md's recipe: the store's directory belongs to a group the web server is in
    (here its own group), with the set-group-ID bit, so the files tlsfloord creates (0640) take it."""
    shutil.chown(directory, group=WEB_USER)
    directory.chmod(0o2750)


def s_client_imap_login(port: int, user, version_flag: str) -> None:
    """An old client: `openssl s_client` pinned to TLS 1.0/1.1, no IMAP ID."""
    result = s_client(port, version_flag, "-cipher", "DEFAULT@SECLEVEL=0", "-quiet", "-ign_eof",
                      stdin=f"a LOGIN {user.address} {user.password}\r\nb LOGOUT\r\n".encode())
    output = result.stdout.decode(errors="replace")
    assert "a OK" in output, output


def pop3_login(port: int, user, cafile) -> None:
    pop = poplib.POP3_SSL("127.0.0.1", port, context=client_context("1.2", cafile))
    try:
        pop.user(user.address)
        pop.pass_(user.password)
    finally:
        pop.quit()


def webmail_host(listener: Listener) -> str:
    """Roundcube's imap_host for a STARTTLS listener (verified against the test certificate's name)."""
    return f"tls://localhost:{listener.port}"


class History:
    """tlsfloord with an SQLite history store, the logins it recorded, and a Roundcube site reading them."""

    def __init__(self, daemon: Daemon, database: pathlib.Path, site: RoundcubeSite):
        self.daemon = daemon
        self.database = database
        self.site = site  # reads `database`

    def rows(self, where: str, *parameters) -> list[tuple]:
        connection = sqlite3.connect(f"{self.database.as_uri()}?mode=ro", uri=True)
        try:
            return connection.execute(f"SELECT protocol, listener, tls_version, client_name FROM logins "
                                      f"WHERE {where}", parameters).fetchall()
        finally:
            connection.close()


@contextlib.contextmanager
def tlsfloord_with_history(mail_stack, certificate, binary, config: pathlib.Path, history: dict):
    """tlsfloord with `[history]` = `history`, implicit-TLS listeners for the mail programs and a
    STARTTLS one for the webmail, `[legacy] action = "allow"`; stopped (exit 0 required) at the end."""
    listeners = {**mail_listeners(mail_stack, "implicit"),
                 # The webmail's own way in: every page view is an IMAP login, which the page leaves out.
                 "webmail": Listener.on_free_port("webmail", "imap", "starttls", f"127.0.0.1:{mail_stack.ports.imap}")}
    config.write_text(render_config(certificate=certificate.certificate, private_key=certificate.private_key,
                                    listeners=listeners.values(), legacy={"action": "allow"})
                      + toml_table("[history]", history))
    check = run_cli("check", "--config", str(config))
    assert check.returncode == 0, check.stderr
    # The shipped unit's UMask=0077.
    daemon = Daemon(config, list(listeners.values()), binary=binary,
                    launcher=("sh", "-c", 'umask 077 && exec "$@"', "sh")).wait_ready()
    try:
        yield Proxy(daemon, listeners)
    finally:
        code = daemon.stop()
        assert code == 0, f"tlsfloord exited {code}; log:\n{daemon.log_tail()}"


def plugin_settings(dsn: str) -> dict:
    return {
        "tlsfloor_history_dsn": dsn,
        "tlsfloor_history_notice": NOTICE,
        "tlsfloor_history_cutoff": CUTOFF.isoformat(),
        "tlsfloor_history_hide_listeners": ["webmail"],
        "date_format": "d.m.Y",
    }


@pytest.fixture(scope="module")
def history(mail_stack, certificate, tlsfloord_binary, work_root):
    """The SQLite store, read by PHP as www-data through the directory's group only."""
    run_id = uuid.uuid4().hex[:8]
    store_dir = work_root / f"history-{run_id}"
    store_dir.mkdir()
    grant_web_server_read(store_dir)
    database = store_dir / "history.db"
    with tlsfloord_with_history(mail_stack, certificate, tlsfloord_binary, work_root / f"tlsfloor-{run_id}.toml",
                                {"store": f"sqlite:{database}"}) as proxy:
        alice, bob, carol = (mail_stack.user(name) for name in ("alice", "bob", "carol"))
        imap_login(proxy, alice, "1.3", certificate.certificate, program=THUNDERBIRD)
        s_client_imap_login(proxy.port("imap"), alice, "-tls1")
        pop3_login(proxy.port("pop3"), alice, certificate.certificate)
        imap_login(proxy, bob, "1.3", certificate.certificate, program=BOBS_PROGRAM)
        s_client_imap_login(proxy.port("imap"), carol, "-tls1_1")
        wait_for_rows(lambda: sqlite_counts(database), {alice.address: 3, bob.address: 1, carol.address: 1})

        site = RoundcubeSite(work_root / f"roundcube-{run_id}", webmail_host(proxy.listeners["webmail"]),
                             certificate.certificate, plugin_settings(f"sqlite:{database}")).start()
        try:
            yield History(proxy.daemon, database, site)
        finally:
            site.stop()


@pytest.fixture(scope="module")
def postgres_history(mail_stack, certificate, tlsfloord_binary, work_root):
    """A PostgreSQL store that tlsfloord writes as its own role, read by the plugin as the README's
    SELECT-only role."""
    run_id = uuid.uuid4().hex[:8]
    server = PostgresServer(work_root / f"postgres-{run_id}").init()
    server.start()
    try:
        uri = server.create_database("history", "tlsfloor_writer", "writer-pw-1")
        password_file = work_root / f"history-password-{run_id}"
        password_file.write_text("writer-pw-1\n")
        password_file.chmod(0o600)
        with tlsfloord_with_history(mail_stack, certificate, tlsfloord_binary, work_root / f"tlsfloor-{run_id}.toml",
                                    {"store": uri, "password_file": password_file}) as proxy:
            alice, bob = mail_stack.user("alice"), mail_stack.user("bob")
            imap_login(proxy, alice, "1.3", certificate.certificate, program=THUNDERBIRD)
            s_client_imap_login(proxy.port("imap"), alice, "-tls1")
            imap_login(proxy, bob, "1.3", certificate.certificate, program=BOBS_PROGRAM)
            wait_for_rows(lambda: postgres_counts(server), {alice.address: 2, bob.address: 1})
            for statement in ("CREATE ROLE roundcube_history LOGIN PASSWORD 'reader-pw-2'",
                              "GRANT CONNECT ON DATABASE history TO roundcube_history",
                              "GRANT USAGE ON SCHEMA public TO roundcube_history",
                              "GRANT SELECT ON logins, tlsfloor_schema TO roundcube_history"):
                server.sql(statement, "history")
            dsn = f"pgsql:host=127.0.0.1;port={server.port};dbname=history;user=roundcube_history;password=reader-pw-2"
            site = RoundcubeSite(work_root / f"roundcube-{run_id}", webmail_host(proxy.listeners["webmail"]),
                                 certificate.certificate, plugin_settings(dsn)).start()
            try:
                yield site
            finally:
                site.stop()
    finally:
        server.stop()


def sqlite_counts(database: pathlib.Path) -> dict[str, int]:
    if not database.exists():
        return {}
    connection = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)
    try:
        return dict(connection.execute("SELECT user_name, count(*) FROM logins GROUP BY user_name"))
    except sqlite3.OperationalError:
        return {}  # the writer has not created the tables yet
    finally:
        connection.close()


def postgres_counts(server: PostgresServer) -> dict[str, int]:
    try:
        output = server.sql("SELECT user_name, count(*) FROM logins GROUP BY user_name", "history")
    except RuntimeError:
        return {}  # the writer has not created the tables yet
    return {user: int(count) for user, count in (line.split("|") for line in output.split())}


@pytest.fixture
def browser(tmp_path):
    opened = []

    def open_browser(language: str) -> Browser:
        opened.append(Browser(tmp_path / f"profile-{len(opened)}", language))
        return opened[-1]

    yield open_browser
    for each in opened:
        each.close()


def shown_rows(browser: Browser) -> list[dict]:
    """Each login row of the page as the user sees it."""
    return browser.driver.execute_script("""
        return [...document.querySelectorAll('tr.tlsfloor-login')].map(row => ({
            protocol: row.dataset.protocol,
            section: row.closest('section').dataset.protocol,
            tls: row.dataset.tlsVersion,
            legacy: row.classList.contains('tlsfloor-legacy'),
            badge: row.querySelector('.tlsfloor-badge')?.textContent ?? null,
            time: row.querySelector('time').getAttribute('datetime'),
            client: row.querySelector('td.tlsfloor-client').innerText.trim(),
            address: row.querySelector('td.tlsfloor-address').innerText.trim(),
            result: row.querySelector('td.tlsfloor-result').innerText.trim(),
            notice: row.nextElementSibling && row.nextElementSibling.matches('tr.tlsfloor-legacy-notice')
                    ? row.nextElementSibling.innerText.trim() : null,
        }));""")


def test_a_user_sees_their_own_logins_with_the_tls10_one_highlighted(history, mail_stack, browser):
    alice = mail_stack.user("alice")
    page = browser("en-US")
    page.log_in(history.site, alice.address, alice.password)
    page.open_login_history(history.site)
    screenshot = page.screenshot(artifacts_dir() / "roundcube-login-history-en.png")
    print(f"login history screenshot: {screenshot}")

    rows = shown_rows(page)
    assert [(row["section"], row["tls"], row["client"], row["address"], row["result"], row["legacy"])
            for row in rows] == [
        # IMAP first, newest first: the TLS 1.0 login came after the TLS 1.3 one.
        ("imap", "TLSv1.0", "Old TLS 1.0/1.1 program or device", "127.0.0.1", "Logged in", True),
        ("imap", "TLSv1.3", " ".join(THUNDERBIRD), "127.0.0.1", "Logged in", False),
        ("pop3", "TLSv1.2", "Program with TLS 1.2", "127.0.0.1", "Logged in", False),
    ], rows
    assert rows[0]["time"] > rows[1]["time"]
    assert [row["badge"] for row in rows] == ["outdated", None, None]
    assert rows[0]["notice"] == f"From {CUTOFF_SHOWN} on, logins like this will fail. {NOTICE['en_US']}", rows[0]
    assert rows[1]["notice"] is None and rows[2]["notice"] is None
    summary = page.driver.find_element("css selector", ".tlsfloor-legacy-summary").text
    assert "TLS 1.0 or 1.1" in summary and CUTOFF_SHOWN in summary, summary

    # Another user's logins exist in the store and never reach this page; nor do the webmail's own.
    assert history.rows("user_name = ?", mail_stack.user("bob").address)
    assert history.rows("user_name = ? AND listener = 'webmail'", alice.address), "the webmail's logins"
    source = page.driver.page_source
    assert BOBS_PROGRAM[0] not in source and "carol" not in source

    # The highlight is drawn: the legacy row and its notice row are tens of thousands of pixels.
    _, _, pixels = read_pixels(screenshot.read_bytes())
    assert count_color(pixels, LEGACY_ROW_RGB, tolerance=4) > 20_000, f"no highlighted row in {screenshot}"

    page.click("css selector", "nav.tlsfloor-filter a[data-protocol=pop3]")
    page.wait.until(lambda driver: "_protocol=pop3" in driver.current_url)
    assert [(row["section"], row["tls"]) for row in shown_rows(page)] == [("pop3", "TLSv1.2")]
    assert "tlsfloor_history" not in history.site.errors(), history.site.errors()


def test_the_page_speaks_german_to_a_german_browser(history, mail_stack, browser):
    carol = mail_stack.user("carol")
    page = browser("de-DE")
    page.log_in(history.site, carol.address, carol.password)
    menu_entry = page.driver.find_element("css selector", "#taskmenu a.settings")
    assert menu_entry.text.strip() == "Einstellungen", menu_entry.text
    page.open_login_history(history.site)
    screenshot = page.screenshot(artifacts_dir() / "roundcube-login-history-de.png")
    print(f"login history screenshot (German): {screenshot}")

    entry = page.driver.find_element("css selector", "#settings-menu li.tlsfloor-history a")
    assert entry.text.strip() == "Login-Historie"
    rows = shown_rows(page)
    assert [(row["section"], row["tls"], row["client"], row["result"], row["legacy"]) for row in rows] == [
        ("imap", "TLSv1.1", "Altes Programm oder Gerät mit TLS 1.0/1.1", "Angemeldet", True),
    ], rows
    assert rows[0]["badge"] == "veraltet"
    assert rows[0]["notice"] == f"Ab dem {CUTOFF_SHOWN} schlagen solche Anmeldungen fehl. {NOTICE['de_DE']}"
    headers = [cell.text.strip() for cell in page.driver.find_elements("css selector", "table.tlsfloor-logins th")]
    assert headers == ["Zeit", "TLS-Version", "Programm oder Gerät", "IP-Adresse", "Ergebnis"], headers
    assert "Thunderbird" not in page.driver.page_source  # alice's rows stay hers


def test_a_store_that_cannot_be_read_shows_a_short_message_and_logs_the_reason(history, mail_stack, certificate,
                                                                             work_root, browser):
    webmail = next(listener for listener in history.daemon.listeners if listener.name == "webmail")
    missing = work_root / "no-such-dir" / "history.db"
    site = RoundcubeSite(work_root / f"roundcube-broken-{uuid.uuid4().hex[:8]}", webmail_host(webmail),
                         certificate.certificate, {"tlsfloor_history_dsn": f"sqlite:{missing}"}).start()
    try:
        alice = mail_stack.user("alice")
        page = browser("en-US")
        page.log_in(site, alice.address, alice.password)
        page.open_login_history(site)
        shown = page.driver.find_element("id", "tlsfloor-history")
        assert shown.text == "The login history cannot be shown right now. Please try again later.", shown.text
        assert str(missing) not in page.driver.page_source  # the path is the operator's business
        assert f"tlsfloor_history: cannot read the login history" in site.errors() and str(missing) in site.errors(), \
            site.errors()
    finally:
        site.stop()


def test_the_page_reads_a_postgresql_store_as_a_select_only_role(postgres_history, mail_stack, browser):
    alice = mail_stack.user("alice")
    page = browser("en-US")
    page.log_in(postgres_history, alice.address, alice.password)
    page.open_login_history(postgres_history)
    rows = shown_rows(page)
    assert [(row["section"], row["tls"], row["client"], row["legacy"]) for row in rows] == [
        ("imap", "TLSv1.0", "Old TLS 1.0/1.1 program or device", True),
        ("imap", "TLSv1.3", " ".join(THUNDERBIRD), False),
    ], rows
    assert rows[0]["time"] > rows[1]["time"] and rows[0]["time"].endswith("Z")
    assert rows[0]["notice"] == f"From {CUTOFF_SHOWN} on, logins like this will fail. {NOTICE['en_US']}"
    assert BOBS_PROGRAM[0] not in page.driver.page_source
    assert "tlsfloor_history" not in postgres_history.errors(), postgres_history.errors()
