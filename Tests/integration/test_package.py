"""The Debian package (debian/, scripts/package): one version from debian/changelog; the package
built by dpkg-buildpackage, its file list and conffiles, lintian, a binary that runs without the
Swift toolchain; then installed on this machine with dpkg, its units verified by systemd-analyze,
the shipped configuration checked, and purged again with nothing left behind.

Installing changes the machine, so that part runs only as root, skips (saying why) when dpkg is
busy or tlsfloor is already there, and restores what it changed (the package, the test's
certificate, the system user if it created it) even when an assertion fails.

The package is built by `scripts/package` into a temporary directory (a release build: minutes
on a cold scratch path, a relink on a warm one); TLSFLOOR_DEB=path.deb tests a package built before.
"""

from __future__ import annotations

import fcntl
import grp
import os
import pathlib
import pwd
import re
import shutil
import stat
import subprocess

import pytest

from daemon import REPO_ROOT, binary_path

pytestmark = pytest.mark.package

CHANGELOG = REPO_ROOT / "debian" / "changelog"
UNIT_DIR = pathlib.Path("/usr/lib/systemd/system")
UNITS = sorted(path.name for path in (REPO_ROOT / "systemd").glob("tlsfloord*"))
CONFIG_DIR = pathlib.Path("/etc/tlsfloor")
BINARY = pathlib.Path("/usr/sbin/tlsfloord")
EXPECTED_FILES = {
    "./usr/sbin/tlsfloord",
    *(f"./usr/lib/systemd/system/{unit}" for unit in UNITS),
    "./usr/lib/sysusers.d/tlsfloor.conf",
    "./usr/lib/tmpfiles.d/tlsfloor.conf",
    "./etc/tlsfloor/tlsfloor.toml",
    "./etc/tlsfloor/notify/legacy-tls.de-en.txt",
    "./usr/share/doc/tlsfloor/README.md",
    "./usr/share/doc/tlsfloor/operations.md",
    "./usr/share/doc/tlsfloor/configuration.md",
    "./usr/share/doc/tlsfloor/copyright",
    "./usr/share/doc/tlsfloor/changelog.gz",
    "./usr/share/man/man8/tlsfloord.8.gz",
    "./usr/share/man/man5/tlsfloor.toml.5.gz",
}
# What the package puts on the machine; all of it must be gone after a purge.
INSTALLED_PATHS = [BINARY, CONFIG_DIR, *(UNIT_DIR / unit for unit in UNITS),
                   pathlib.Path("/usr/lib/sysusers.d/tlsfloor.conf"), pathlib.Path("/usr/lib/tmpfiles.d/tlsfloor.conf"),
                   pathlib.Path("/usr/share/doc/tlsfloor"), pathlib.Path("/usr/share/man/man8/tlsfloord.8.gz"),
                   pathlib.Path("/usr/share/man/man5/tlsfloor.toml.5.gz")]


def changelog_version() -> str:
    """`tlsfloor (0.1.0) unstable; …` → 0.1.0: the one place the version is set."""
    match = re.match(r"tlsfloor \(([^)\s]+)\) ", CHANGELOG.read_text())
    assert match, "debian/changelog does not start with a tlsfloor entry"
    return match.group(1)


def upstream_version(version: str) -> str:
    """A Debian revision (`-1`), if the package ever gets one, is not part of tlsfloord's version."""
    return version.rsplit("-", 1)[0] if "-" in version else version


def run(*command: str, check: bool = True, timeout: float = 120, **options) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, **options)
    if check:
        assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}{result.stderr}"
    return result


def test_tlsfloord_reports_the_version_of_debian_changelog():
    result = run(str(binary_path()), "--version")
    assert result.stdout.startswith(f"tlsfloord {upstream_version(changelog_version())} ("), \
        (result.stdout, "set TLSFloorVersion.number in Sources/tlsfloord/TLSFloorVersion.swift to debian/changelog's")


# ---------------------------------------------------------------- the built package

@pytest.fixture(scope="module")
def package(tmp_path_factory) -> pathlib.Path:
    prebuilt = os.environ.get("TLSFLOOR_DEB")
    if prebuilt:
        return pathlib.Path(prebuilt)
    for tool in ("dpkg-buildpackage", "lintian", "pandoc", "dh"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} not found: scripts/install-deps installs the package build tools")
    out = tmp_path_factory.mktemp("package")
    result = subprocess.run([str(REPO_ROOT / "scripts" / "package")], cwd=REPO_ROOT, capture_output=True, text=True,
                            timeout=3600, env={**os.environ, "PACKAGE_DIR": str(out)})
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    debs = [path for path in out.glob("tlsfloor_*.deb")]
    assert len(debs) == 1, list(out.iterdir())
    version = changelog_version()
    assert debs[0].name == f"tlsfloor_{version}_{run('dpkg', '--print-architecture').stdout.strip()}.deb"
    return debs[0]


def test_package_holds_the_daemon_units_configuration_docs_and_man_pages(package):
    listing = run("dpkg-deb", "-c", str(package)).stdout
    print(listing)
    files = {line.split()[-1] for line in listing.splitlines() if not line.startswith("d")}
    assert EXPECTED_FILES <= files, sorted(EXPECTED_FILES - files)
    assert not [name for name in files if "/usr/local/" in name or name.endswith(".example")], files
    conffiles = run("dpkg-deb", "-I", str(package), "conffiles").stdout.split()
    assert sorted(conffiles) == ["/etc/tlsfloor/notify/legacy-tls.de-en.txt", "/etc/tlsfloor/tlsfloor.toml"]
    depends = run("dpkg-deb", "-f", str(package), "Depends").stdout
    assert "libssl3" in depends and "libsystemd0" in depends, depends
    assert "swift" not in depends.lower(), depends


def test_packaged_units_and_config_are_the_repository_files(package, tmp_path):
    run("dpkg-deb", "-x", str(package), str(tmp_path))
    for unit in UNITS:
        assert (tmp_path / "usr/lib/systemd/system" / unit).read_text() == (REPO_ROOT / "systemd" / unit).read_text()
    assert (tmp_path / "etc/tlsfloor/tlsfloor.toml").read_text() == (REPO_ROOT / "config/tlsfloor.toml").read_text()
    assert (tmp_path / "usr/lib/sysusers.d/tlsfloor.conf").read_text() == \
        (REPO_ROOT / "systemd/tlsfloor.sysusers.conf").read_text()


def test_packaged_binary_needs_no_swift_toolchain(package, tmp_path):
    run("dpkg-deb", "-x", str(package), str(tmp_path))
    binary = tmp_path / "usr/sbin/tlsfloord"
    libraries = run("ldd", str(binary)).stdout
    print(libraries)
    assert "not found" not in libraries and "/opt/swift" not in libraries, libraries
    assert not re.search(r"libswift|libFoundation|libdispatch|libBlocksRuntime", libraries), libraries
    # Run it with the toolchain's libraries out of reach.
    env = {"PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": ""}
    assert run(str(binary), "--version", env=env).stdout.startswith(f"tlsfloord {upstream_version(changelog_version())} (")


def test_man_pages_render(package, tmp_path):
    run("dpkg-deb", "-x", str(package), str(tmp_path))
    pages = {"man8/tlsfloord.8.gz": ["check", "report", "notify", "--config"],
             "man5/tlsfloor.toml.5.gz": ["min_version", "[[listener]]", "backend"]}
    for page, words in pages.items():
        text = run("man", "--warnings", "-P", "cat", "-l", str(tmp_path / "usr/share/man" / page),
                   env={**os.environ, "MANWIDTH": "80"}).stdout
        for word in words:
            assert word in text, (page, word, text[:2000])


def test_lintian_is_clean(package):
    result = run("lintian", "--fail-on", "error,warning", "--info", "--show-overrides", str(package), check=False)
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    # Each override says why, in a comment right above it.
    overrides = REPO_ROOT / "debian" / "tlsfloor.lintian-overrides"
    lines = overrides.read_text().splitlines() if overrides.exists() else []
    for number, line in enumerate(lines):
        if line.strip() and not line.startswith("#"):
            assert number > 0 and lines[number - 1].startswith("#"), f"override without a reason: {line}"


# ---------------------------------------------------------------- installed on this machine

def dpkg_is_locked() -> bool:
    for lock in ("/var/lib/dpkg/lock-frontend", "/var/lib/dpkg/lock"):
        try:
            with open(lock, "w") as handle:
                fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.lockf(handle, fcntl.LOCK_UN)
        except OSError:
            return True
    return False


def package_status() -> str:
    return run("dpkg-query", "-W", "-f=${Status}", "tlsfloor", check=False).stdout


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture
def installed(package):
    """The package installed with dpkg; afterwards purged, whatever happened in between."""
    if os.geteuid() != 0:
        pytest.skip("installing a package needs root")
    if dpkg_is_locked():
        pytest.skip("dpkg is locked: another package operation is running on this machine")
    if package_status() not in ("", "unknown ok not-installed"):
        pytest.skip(f"tlsfloor is already installed here ({package_status()}); the test would replace it")
    left_over = [str(path) for path in INSTALLED_PATHS if path.exists()]
    if left_over:
        pytest.skip(f"{left_over} exist already (make install?); the test would overwrite them")
    user_before = user_exists("tlsfloor")
    try:
        run("dpkg", "-i", str(package), timeout=300)
        yield
    finally:
        for name in ("fullchain.pem", "privkey.pem"):  # the operator's files from the test, not the package's
            (CONFIG_DIR / name).unlink(missing_ok=True)
        if package_status() not in ("", "unknown ok not-installed"):
            run("dpkg", "--purge", "tlsfloor", check=False, timeout=300)
        if not user_before and user_exists("tlsfloor"):
            run("userdel", "tlsfloor", check=False)
            if any(group.gr_name == "tlsfloor" for group in grp.getgrall()):
                run("groupdel", "tlsfloor", check=False)


def test_install_verify_check_and_purge(installed, certificate):
    version = upstream_version(changelog_version())
    assert package_status() == "install ok installed"
    assert run(str(BINARY), "--version").stdout.startswith(f"tlsfloord {version} (")

    # The units as installed load cleanly.
    for unit in UNITS:
        result = run("systemd-analyze", "verify", str(UNIT_DIR / unit), check=False, timeout=60)
        assert result.returncode == 0 and result.stderr.strip() == "", (unit, result.stderr)
    # Installed, not enabled or started (the configuration needs certificates first).
    assert not list(pathlib.Path("/etc/systemd/system").rglob("tlsfloord*"))

    # The system user from sysusers.d; the configuration readable by its group only (tmpfiles.d).
    user = pwd.getpwnam("tlsfloor")
    assert user.pw_shell == "/usr/sbin/nologin" and user.pw_uid < 1000, user
    group = grp.getgrnam("tlsfloor").gr_gid
    for path, mode in ((CONFIG_DIR, 0o750), (CONFIG_DIR / "tlsfloor.toml", 0o640)):
        status = path.stat()
        assert (status.st_uid, status.st_gid, stat.S_IMODE(status.st_mode)) == (0, group, mode), path

    # The shipped configuration as it is: check names the certificate the operator has to put in place.
    config = str(CONFIG_DIR / "tlsfloor.toml")
    missing = run(str(BINARY), "check", "--config", config, check=False)
    assert missing.returncode != 0 and "/etc/tlsfloor/fullchain.pem" in missing.stderr, missing.stderr
    # First start, step 1 of docs/operations.md; then the service user can check it.
    for source, name in ((certificate.certificate, "fullchain.pem"), (certificate.private_key, "privkey.pem")):
        target = CONFIG_DIR / name
        shutil.copyfile(source, target)
        os.chown(target, 0, group)
        target.chmod(0o640)
    checked = run("runuser", "-u", "tlsfloor", "--", str(BINARY), "check", "--config", config, check=False)
    assert checked.returncode == 0, checked.stderr
    for name in ("fullchain.pem", "privkey.pem"):
        (CONFIG_DIR / name).unlink()

    run("dpkg", "--purge", "tlsfloor", timeout=300)
    assert package_status() in ("", "unknown ok not-installed")
    left_over = [str(path) for path in INSTALLED_PATHS if path.exists()]
    assert left_over == [], left_over
    assert not list(pathlib.Path("/var/lib/systemd").rglob("*tlsfloor*"))
    assert not pathlib.Path("/var/lib/dpkg/info/tlsfloor.list").exists()
    # Debian keeps system users on purge (a later user with the same uid would inherit its files):
    # the user stays, locked, owning nothing the package left (docs/operations.md).
    assert user_exists("tlsfloor")
