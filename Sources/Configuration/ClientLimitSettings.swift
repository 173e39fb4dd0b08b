/// `[limits]` keys that apply to one client address rather than to all
/// clients together. Off (0) by default: behind carrier-grade NAT or a
/// company's gateway hundreds of users share one IPv4 address, and a limit
/// that is right for one household refuses a whole mobile network's users
/// (docs/configuration.md says how to choose values).
public struct ClientLimitSettings: Equatable, Sendable {
    /// Open connections from one address at a time (IPv6 counted per /64); 0: no limit.
    public var maxConnectionsPerIP = 0
    /// New connections from one address per minute (IPv6 per /64), each a
    /// TLS handshake tlsfloord would pay for; 0: no limit. Checked before
    /// the handshake, so a refused connection costs none.
    public var maxHandshakesPerIPPerMinute = 0

    public init() {}

    /// Whether either limit is on (the per-address table is skipped otherwise).
    public var isEnabled: Bool { maxConnectionsPerIP > 0 || maxHandshakesPerIPPerMinute > 0 }
}
