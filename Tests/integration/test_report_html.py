"""`tlsfloord report --by day` and `--format html` on records the real daemon wrote: the page is
rendered by a real headless Chromium (`--dump-dom` shows one bar per day of a known log with its
share; `--screenshot` shows the bars drawn). The screenshot stays in pytest's tmp dir; its path
is printed."""

from __future__ import annotations

import json
import pathlib
import re
import shutil
import subprocess

import pytest

from conftest import Proxy, mail_listeners
from daemon import run_cli
from legacy_logins import OLD_PROGRAM, connection_lines, imap_login
from png import count_color, read_pixels

pytestmark = pytest.mark.report

# The known log: the real records of one legacy and one current login, placed on three days.
DAYS = {
    "2026-11-20": ["legacy", "legacy", "current"],  # 66.7 %
    "2026-11-21": ["legacy", "current"],            # 50.0 %
    "2026-11-22": ["current", "current"],           # 0.0 %
}
EXPECTED_SHARE = {"2026-11-20": "66.7", "2026-11-21": "50.0", "2026-11-22": "0.0"}
BAR_RGB = (0xC6, 0x28, 0x28)  # svg .bar fill in the page's CSS


@pytest.fixture(scope="module")
def chromium():
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("chromium not found (scripts/install-deps installs the Debian package)")
    return path


@pytest.fixture
def known_log(start_tlsfloord, mail_stack, certificate, tmp_path) -> pathlib.Path:
    listeners = mail_listeners(mail_stack, "implicit")
    proxy = Proxy(start_tlsfloord(listeners.values(), legacy={"action": "allow"}), listeners)
    imap_login(proxy, mail_stack.user("alice"), "1.0", certificate.certificate, program=OLD_PROGRAM)
    imap_login(proxy, mail_stack.user("bob"), "1.3", certificate.certificate)
    lines = connection_lines(proxy)
    by_kind = {"legacy": next(line for line in lines if " legacy=yes " in line),
               "current": next(line for line in lines if " legacy=yes " not in line)}
    dated = []
    for day, kinds in DAYS.items():
        for hour, kind in enumerate(kinds, start=8):
            dated.append(re.sub(r"^ts=\S+", f"ts={day}T{hour:02d}:00:00.000Z", by_kind[kind]))
    log = tmp_path / "tlsfloord.log"
    log.write_text("\n".join(dated) + "\n")
    return log


def chromium_run(chromium: str, profile: pathlib.Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           f"--user-data-dir={profile}", *arguments],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def test_by_day_counts_each_day_of_the_known_log(known_log):
    result = run_cli("report", "--by", "day", "--format", "json", str(known_log))
    assert result.returncode == 0, result.stderr
    periods = json.loads(result.stdout)
    assert [(p["period"], p["connections"], p["legacy_connections"], p["legacy_users"], p["legacy_addresses"])
            for p in periods] == [("2026-11-20", 3, 2, 1, 1), ("2026-11-21", 2, 1, 1, 1), ("2026-11-22", 2, 0, 0, 0)]
    assert {p["period"]: f'{p["legacy_percent"]:.1f}' for p in periods} == EXPECTED_SHARE
    weeks = run_cli("report", "--by", "week", str(known_log))
    assert weeks.returncode == 0, weeks.stderr
    # Friday to Sunday: one ISO week, starting Monday the 16th.
    assert weeks.stdout.splitlines()[1:] == ["2026-W47  2026-11-16      7       3      42.9             1                 1"], \
        weeks.stdout


def test_html_page_renders_in_chromium_with_one_bar_per_day(known_log, chromium, tmp_path):
    page = tmp_path / "report.html"
    result = run_cli("report", "--format", "html", "--by", "day", str(known_log))
    assert result.returncode == 0, result.stderr
    page.write_text(result.stdout)

    dom = chromium_run(chromium, tmp_path / "profile", "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr
    bars = re.findall(r'<rect class="bar" data-period="([^"]+)" data-legacy-percent="([^"]*)"', dom.stdout)
    assert dict(bars) == EXPECTED_SHARE and len(bars) == 3, dom.stdout[:3000]
    assert "<svg" in dom.stdout and "<script" not in dom.stdout
    users = re.findall(r"<tr class=\"legacy\"><td>([^<]+)</td>", dom.stdout)
    assert "alice@example.test" in users, users
    assert " ".join(OLD_PROGRAM) in dom.stdout

    screenshot = tmp_path / "report.png"
    shot = chromium_run(chromium, tmp_path / "profile", f"--screenshot={screenshot}", "--window-size=1280,1000",
                        page.as_uri())
    assert shot.returncode == 0 and screenshot.is_file(), shot.stderr
    print(f"report page screenshot: {screenshot}")
    width, height, rows = read_pixels(screenshot.read_bytes())
    assert (width, height) == (1280, 1000)
    # The 66.7 % and 50 % bars are tens of thousands of pixels; the legacy rows' red edge a few hundred.
    assert count_color(rows, BAR_RGB) > 20_000, f"no chart bars drawn in {screenshot}"
