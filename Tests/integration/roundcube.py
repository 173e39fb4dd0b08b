"""Debian's Roundcube package with the tlsfloor_history plugin, served by PHP's built-in web server,
and a headless Chromium (driven through chromedriver by Selenium) that uses it as a person would.

The site is a directory of its own laid out like Debian's /var/lib/roundcube (program, skins and
stock plugins are symlinks into the package; config/, plugins/, the database, temp/ and logs/ are
the site's), so nothing of the system installation is changed. PHP runs as www-data: the plugin
reads tlsfloord's history store with exactly the rights the web server has.
"""

from __future__ import annotations

import os
import pathlib
import pwd
import secrets
import shutil
import signal
import sqlite3
import subprocess
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from daemon import REPO_ROOT
from ports import free_port, wait_until_listening

PACKAGE = pathlib.Path("/usr/share/roundcube")
PACKAGE_SITE = pathlib.Path("/var/lib/roundcube")
PLUGIN_SOURCE = REPO_ROOT / "integrations" / "roundcube" / "tlsfloor_history"
STOCK_PLUGINS = ("jqueryui", "filesystem_attachments")  # Debian's roundcube-core requires these
WEB_USER = "www-data"


def php_literal(value) -> str:
    """A Python value as PHP source: str, int, bool, None, list and dict."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (str, os.PathLike)):
        return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(php_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        return "[" + ", ".join(f"{php_literal(key)} => {php_literal(item)}" for key, item in value.items()) + "]"
    raise TypeError(f"no PHP form for {value!r}")


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


class RoundcubeSite:
    """One Roundcube installation under `root`, logging in to IMAP at `imap_host`
    (e.g. "tls://localhost:PORT" for STARTTLS) and trusting `cafile` for it."""

    def __init__(self, root: pathlib.Path, imap_host: str, cafile: pathlib.Path, settings: dict):
        self.root = root
        self.imap_host = imap_host
        self.cafile = cafile
        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self._server: subprocess.Popen | None = None

    def _lay_out(self) -> None:
        root = self.root
        for sub in ("config", "plugins", "public_html", "db", "temp", "logs"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        links = {
            "program": PACKAGE / "program",
            "index.php": PACKAGE / "index.php",
            "skins": PACKAGE_SITE / "skins",
            "config/defaults.inc.php": pathlib.Path("/etc/roundcube/defaults.inc.php"),
            "config/mimetypes.php": pathlib.Path("/etc/roundcube/mimetypes.php"),
            "public_html/program": PACKAGE_SITE / "public_html" / "program",
            "public_html/skins": pathlib.Path("../skins"),
            "public_html/plugins": pathlib.Path("../plugins"),
            **{f"plugins/{name}": PACKAGE / "plugins" / name for name in STOCK_PLUGINS},
        }
        for name, target in links.items():
            (root / name).symlink_to(target)
        # A copy, not a link: www-data may not be able to traverse the checkout.
        shutil.copytree(PLUGIN_SOURCE, root / "plugins" / "tlsfloor_history")
        # Debian's public_html/index.php, with this site as the installation path.
        (root / "public_html" / "index.php").write_text(
            f"<?php\ndefine('INSTALL_PATH', {php_literal(str(root) + '/')});\ninclude INSTALL_PATH . 'index.php';\n")

        database = root / "db" / "roundcube.db"
        with sqlite3.connect(database) as connection:
            connection.executescript((PACKAGE / "SQL" / "sqlite.initial.sql").read_text())
        connection.close()

        config = {
            "db_dsnw": f"sqlite:///{database}?mode=0640",
            "imap_host": self.imap_host,
            "imap_conn_options": {"ssl": {"verify_peer": True, "peer_name": "localhost",
                                          "cafile": str(self.cafile)}},
            "des_key": secrets.token_hex(12),
            "plugins": ["tlsfloor_history"],
            "skin": "elastic",
            "log_dir": f"{root}/logs/",
            "temp_dir": f"{root}/temp/",
            "enable_spellcheck": False,
            **self.settings,
        }
        (root / "config" / "config.inc.php").write_text(
            "<?php\n$config = [];\n" + "".join(f"$config[{php_literal(key)}] = {php_literal(value)};\n"
                                               for key, value in config.items()))
        web = pwd.getpwnam(WEB_USER)
        for path in (root / "db", database, root / "temp", root / "logs"):
            os.chown(path, web.pw_uid, web.pw_gid)
        root.chmod(0o755)

    def start(self) -> "RoundcubeSite":
        self._lay_out()
        log = open(self.root / "logs" / "php-server.log", "ab")
        self._server = subprocess.Popen(
            ["setpriv", f"--reuid={WEB_USER}", f"--regid={WEB_USER}", "--init-groups",
             "php", "-S", f"127.0.0.1:{self.port}", "-t", str(self.root / "public_html")],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            # Chromium asks for the page, its scripts and styles at once.
            env={**os.environ, "PHP_CLI_SERVER_WORKERS": "4"})
        log.close()
        try:
            wait_until_listening("127.0.0.1", self.port, timeout=15, is_alive=lambda: self._server.poll() is None)
        except Exception as error:
            self.stop()
            raise RuntimeError(f"php -S did not start: {error}\n{self.logs()}") from error
        return self

    def stop(self) -> None:
        """Stops the server and its workers: PHP_CLI_SERVER_WORKERS forks them, and they outlive a
        master that is merely terminated, so the whole process group (its own session) goes."""
        if self._server is None:
            return
        group = self._server.pid
        for signum in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(group, signum)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and _group_alive(group):
                self._server.poll()  # reaps the master, so that it does not linger as a zombie
                time.sleep(0.05)
            if not _group_alive(group):
                break
        self._server.wait(timeout=5)
        self._server = None

    def errors(self) -> str:
        """Roundcube's own error log (PHP errors, the plugin's store errors)."""
        path = self.root / "logs" / "errors.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def logs(self) -> str:
        server = self.root / "logs" / "php-server.log"
        return (server.read_text(errors="replace")[-3000:] if server.exists() else "") + self.errors()


class Browser:
    """Headless Chromium, driven through Debian's chromedriver; `language` is what it asks
    web pages for (Accept-Language), as a user's browser setting would."""

    def __init__(self, profile: pathlib.Path, language: str = "en-US"):
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1400,1100", "--hide-scrollbars", f"--user-data-dir={profile}",
                         f"--lang={language}"):
            options.add_argument(argument)
        options.add_experimental_option("prefs", {"intl.accept_languages": f"{language},{language.split('-')[0]}"})
        self.driver = webdriver.Chrome(options=options,
                                       service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"))
        self.driver.set_page_load_timeout(60)
        self.wait = WebDriverWait(self.driver, 30)

    def log_in(self, site: RoundcubeSite, user: str, password: str) -> None:
        """Roundcube's login form, then the mailbox view it leads to, loaded and idle."""
        self.driver.get(site.url)
        self.wait.until(expected_conditions.element_to_be_clickable((By.ID, "rcmloginuser"))).send_keys(user)
        self.driver.find_element(By.ID, "rcmloginpwd").send_keys(password)
        self.driver.find_element(By.ID, "rcmloginsubmit").click()
        self._until(site, f"the mailbox after logging in as {user}", lambda driver: driver.find_elements(
            By.ID, "messagelist") and self._idle())

    def open_login_history(self, site: RoundcubeSite) -> None:
        """Settings in the task menu, then the plugin's entry in the Settings section list."""
        self.click(By.CSS_SELECTOR, "#taskmenu a.settings")
        self._until(site, "the Settings page", lambda driver: driver.find_elements(By.ID, "settings-menu")
                    and self._idle())
        self.click(By.CSS_SELECTOR, "#settings-menu li.tlsfloor-history a")
        self._until(site, "the Login history page", lambda driver: driver.find_elements(By.ID, "tlsfloor-history"))

    def _idle(self) -> bool:
        """Roundcube ignores a click on a task while it is still busy loading (the message list)."""
        return self.driver.execute_script("return !!window.rcmail && !rcmail.busy")

    def _until(self, site: RoundcubeSite, what: str, condition) -> None:
        try:
            self.wait.until(condition)
        except Exception as error:
            raise AssertionError(f"no {what} within 30 s; at {self.driver.current_url}:\n"
                                 f"{self.driver.page_source[:3000]}\nRoundcube:\n{site.errors()}") from error

    def click(self, by: str, selector: str) -> None:
        self.wait.until(expected_conditions.element_to_be_clickable((by, selector))).click()

    def screenshot(self, path: pathlib.Path) -> pathlib.Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not self.driver.save_screenshot(str(path)):
            raise AssertionError(f"Chromium wrote no screenshot to {path}")
        return path

    def close(self) -> None:
        self.driver.quit()


def wait_for_rows(counts, expected: dict[str, int], timeout: float = 20) -> dict[str, int]:
    """Polls `counts()` (rows per user name in the history store) until each user in `expected`
    has at least that many; tlsfloord's writer commits in batches, a moment after each login."""
    deadline = time.monotonic() + timeout
    found: dict[str, int] = {}
    while time.monotonic() < deadline:
        found = counts()
        if all(found.get(user, 0) >= count for user, count in expected.items()):
            return found
        time.sleep(0.2)
    raise AssertionError(f"the history store has {found} rows per user, expected at least {expected}")
