/// How a client connection ended — the one word an operator filters on.
public enum Outcome: String, Sendable, CaseIterable {
    /// Relayed to a backend until one side closed.
    case relayed
    /// Below the TLS floor: TLS alert, nothing else (`legacy.action = "reject"`).
    case tlsVersionRefused = "tls_version_refused"
    /// Below the TLS floor: handshake completed only to send a readable refusal.
    case legacyExplained = "legacy_explained"
    /// Below the TLS floor, during the ramp and in today's share: a readable temporary refusal.
    case legacyRamped = "legacy_ramped"
    /// The TLS handshake failed for another reason (no shared cipher, not TLS, reset).
    case handshakeFailed = "handshake_failed"
    case handshakeTimeout = "handshake_timeout"
    /// Plaintext phase of a STARTTLS session ended without TLS (QUIT, errors, EOF).
    case plaintextClosed = "plaintext_closed"
    case backendUnavailable = "backend_unavailable"
    /// The backend refused the session in its greeting.
    case backendRefused = "backend_refused"
    case idleTimeout = "idle_timeout"
    /// Over `max_connections`, or over a per-address limit (`error` says which).
    case tooManyConnections = "too_many_connections"
    /// The client's address is banned for now after failed logins (`[abuse]`).
    case banned
    /// A PROXY protocol header from an untrusted or malformed front.
    case proxyHeaderRefused = "proxy_header_refused"
    /// Still open when the shutdown grace period ended.
    case shutdown
    /// A trusted front's health check: a PROXY `LOCAL` header, then a close
    /// before any TLS or login. Logged at debug level only — a balancer
    /// checking every few seconds would otherwise fill the log.
    case healthCheck = "health_check"
}
