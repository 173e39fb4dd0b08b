/// `[abuse]`: refusing an address for a while after repeated failed
/// logins, the way fail2ban would, but before a TLS handshake or a backend
/// connection is spent on it. Off (`max_failed_logins = 0`) by default, for
/// the same reason as the per-address limits: one address can be many users.
public struct AbuseSettings: Equatable, Sendable {
    /// Failed logins from one address (IPv6 per /64) within `window` that
    /// start a ban; 0 turns banning off.
    public var maxFailedLogins = 0
    /// How far back failures count.
    public var window: Duration = .seconds(10 * 60)
    /// How long a banned address is refused.
    public var banTime: Duration = .seconds(15 * 60)
    /// Addresses never banned (a webmail front end, the monitoring host).
    public var exemptNetworks: [IPNetwork] = []

    public init() {}

    public var isEnabled: Bool { maxFailedLogins > 0 }
}
