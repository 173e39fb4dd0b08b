// EventLog module: see docs/architecture.md
