// Systemd module: see docs/architecture.md
