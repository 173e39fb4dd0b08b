// ProxyProtocol module: see docs/architecture.md
