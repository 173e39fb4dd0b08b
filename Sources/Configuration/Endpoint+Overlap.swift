/// Which listening addresses would take the same clients.
///
/// Every TCP listener binds one `SO_REUSEPORT` socket per worker, so the
/// kernel no longer refuses a second bind that overlaps the first: it
/// quietly splits the clients between the two listeners instead, each with
/// its own protocol and backend. Overlaps are therefore refused when the
/// configuration is read (`run`, `check` and reload alike).
extension Endpoint {
    /// True when both could receive a client for the same address and port.
    /// `[::]` covers IPv4 as well (Linux binds it dual-stack unless
    /// `net.ipv6.bindv6only` is set); `0.0.0.0` covers every IPv4 address.
    /// A host name may resolve to anything, so a wildcard is taken to cover it.
    public func overlaps(_ other: Endpoint) -> Bool {
        guard case let .tcp(host, port) = self, case let .tcp(otherHost, otherPort) = other else { return self == other }
        guard port == otherPort else { return false }
        return host == otherHost || Self.wildcard(host, covers: otherHost) || Self.wildcard(otherHost, covers: host)
    }

    private static func wildcard(_ host: String, covers other: String) -> Bool {
        guard let wildcard = try? IPNetwork(host), wildcard.address.allSatisfy({ $0 == 0 }) else { return false }
        if wildcard.address.count == 16 { return true }
        guard let address = try? IPNetwork(other) else { return true }
        return address.address.count == 4
    }
}
