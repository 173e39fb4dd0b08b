/// Why tlsfloord turns a client away, for now, before its session begins.
/// All three are temporary: the client may come back later, so each
/// protocol's "try again later" form carries the text.
public enum ClientRefusal: Sendable, CaseIterable {
    /// `[limits] max_connections`: the daemon is full.
    case tooManyConnections
    /// `max_connections_per_ip` or `max_handshakes_per_ip_per_minute`:
    /// this address (IPv6: its /64) has its share.
    case tooManyConnectionsFromAddress
    /// `[abuse]`: this address is banned after failed logins.
    case tooManyFailedLogins

    /// The words after the protocol's code; mail programs show them to the user.
    var text: String {
        switch self {
        case .tooManyConnections: "Too many connections, please try again later"
        case .tooManyConnectionsFromAddress: "Too many connections from your address, please try again later"
        case .tooManyFailedLogins: "Too many failed logins from your address, please try again later"
        }
    }
}
