// TLS module: see docs/architecture.md
