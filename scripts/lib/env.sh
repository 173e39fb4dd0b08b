# Sourced by scripts/test and scripts/demo: a non-login shell (CI, cron, sudo)
# may not have read /etc/profile.d, where the toolchain adds itself to PATH.
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="$PATH:/opt/swift/usr/bin"
fi
