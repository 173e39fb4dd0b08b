"""The shipped systemd units load cleanly, stay hardened, and agree with the example configuration.

Standalone: needs only pytest and systemd-analyze (Debian package `systemd`). A missing
systemd-analyze is a failure, not a skip: these checks are the only proof the units work.
"""
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UNITS = REPO / "systemd"
CONFIG = REPO / "config" / "tlsfloor.toml"
INSTALLED_BINARY = "/usr/sbin/tlsfloord"  # where the Debian package puts it
MAXIMUM_EXPOSURE = 2.0

# Listener name -> default port, as the README and config/tlsfloor.toml describe them.
DEFAULT_LISTENERS = {"imaps": 993, "pop3s": 995, "smtps": 465, "submission": 587, "imap": 143, "pop3": 110}


def systemd_analyze():
    path = shutil.which("systemd-analyze")
    if path is None:
        pytest.fail("systemd-analyze not found: apt-get install systemd")
    return path


def read_unit(path):
    """Unit files allow repeated keys (ExecReload=, SystemCallFilter=): keep every value."""
    values = {}
    section = None
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        values.setdefault((section, key), []).append(value)
    return values


@pytest.fixture(scope="module")
def staged_units(tmp_path_factory):
    """The units with the binary path pointing at a dummy executable, as systemd-analyze checks it exists."""
    stage = tmp_path_factory.mktemp("units")
    binary = stage / "tlsfloord"
    binary.write_text("#!/bin/sh\nexit 0\n")
    binary.chmod(0o755)
    for unit in sorted(UNITS.glob("tlsfloord*")):
        (stage / unit.name).write_text(unit.read_text().replace(INSTALLED_BINARY, str(binary)))
    return stage


def shipped_unit_names():
    return sorted(unit.name for unit in UNITS.glob("tlsfloord*"))


@pytest.mark.parametrize("unit", shipped_unit_names())
def test_unit_verifies_without_any_complaint(staged_units, unit):
    result = subprocess.run(
        [systemd_analyze(), "verify", unit], cwd=staged_units, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


def test_service_hardening_scores_ok(staged_units):
    result = subprocess.run(
        [systemd_analyze(), "security", "--offline=true", "--no-pager", "tlsfloord.service"],
        cwd=staged_units, capture_output=True, text=True, timeout=60,
    )
    match = re.search(r"Overall exposure level for tlsfloord\.service: (\d+\.\d+)", result.stdout)
    assert match, result.stdout + result.stderr
    assert float(match.group(1)) <= MAXIMUM_EXPOSURE, result.stdout


def test_one_socket_unit_per_default_listener_named_like_the_listener():
    for name, port in DEFAULT_LISTENERS.items():
        unit = read_unit(UNITS / f"tlsfloord-{name}.socket")
        assert unit[("Socket", "ListenStream")] == [str(port)], name
        assert unit[("Socket", "FileDescriptorName")] == [name]
        assert unit[("Socket", "Service")] == ["tlsfloord.service"]
    socket_units = {unit.name for unit in UNITS.glob("*.socket")}
    assert socket_units == {f"tlsfloord-{name}.socket" for name in DEFAULT_LISTENERS}


def test_every_example_listener_can_be_socket_activated():
    listeners = tomllib.loads(CONFIG.read_text())["listener"]
    for listener in listeners:
        unit = read_unit(UNITS / f"tlsfloord-{listener['name']}.socket")
        port = listener["listen"].rsplit(":", 1)[1]
        assert unit[("Socket", "ListenStream")] == [port], listener["name"]


def test_service_runs_checked_configuration_and_stops_within_the_grace():
    unit = read_unit(UNITS / "tlsfloord.service")
    config_path = "/etc/tlsfloor/tlsfloor.toml"
    assert unit[("Service", "Type")] == ["notify"]
    assert unit[("Service", "ExecStartPre")] == [f"{INSTALLED_BINARY} check --config {config_path}"]
    assert unit[("Service", "ExecStart")] == [f"{INSTALLED_BINARY} run --config {config_path}"]
    assert unit[("Service", "ExecReload")] == [
        f"{INSTALLED_BINARY} check --config {config_path}",
        "/bin/kill -HUP $MAINPID",
    ]
    # The example may leave it commented out: then the built-in default (docs/configuration.md) applies.
    grace = tomllib.loads(CONFIG.read_text()).get("limits", {}).get("shutdown_grace", "30s")
    assert grace.endswith("s")
    stop_timeout = unit[("Service", "TimeoutStopSec")][0]
    assert stop_timeout.endswith("s") and int(stop_timeout[:-1]) > int(grace[:-1])


def test_install_stages_everything_and_keeps_an_edited_configuration(tmp_path):
    binary = tmp_path / "tlsfloord-built"
    binary.write_text("#!/bin/sh\necho tlsfloord\n")
    binary.chmod(0o755)
    root = tmp_path / "root"
    env = dict(os.environ, DESTDIR=str(root), PREFIX="/opt/tlsfloor", TLSFLOORD_BINARY=str(binary))

    subprocess.run(["make", "install"], cwd=REPO, env=env, check=True, capture_output=True, timeout=60)
    config = root / "etc/tlsfloor/tlsfloor.toml"
    config.write_text(config.read_text() + "# edited by the operator\n")
    subprocess.run(["make", "install"], cwd=REPO, env=env, check=True, capture_output=True, timeout=60)

    assert config.read_text().endswith("# edited by the operator\n")
    assert (root / "etc/tlsfloor/tlsfloor.toml.example").read_text() == CONFIG.read_text()
    template = "notify/legacy-tls.de-en.txt"
    assert (root / "etc/tlsfloor" / template).read_text() == (REPO / "config" / template).read_text()
    assert os.access(root / "opt/tlsfloor/sbin/tlsfloord", os.X_OK)
    assert (root / "usr/lib/sysusers.d/tlsfloor.conf").is_file()
    assert (root / "usr/lib/tmpfiles.d/tlsfloor.conf").read_text() == (UNITS / "tlsfloor.tmpfiles.conf").read_text()
    assert (root / "opt/tlsfloor/share/doc/tlsfloor/operations.md").is_file()
    service = read_unit(root / "etc/systemd/system/tlsfloord.service")
    assert service[("Service", "ExecStart")] == ["/opt/tlsfloor/sbin/tlsfloord run --config /etc/tlsfloor/tlsfloor.toml"]
    installed_units = {unit.name for unit in (root / "etc/systemd/system").iterdir()}
    assert installed_units == set(shipped_unit_names())
