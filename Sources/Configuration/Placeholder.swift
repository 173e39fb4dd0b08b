// Configuration module: see docs/architecture.md
