import Configuration
import EventLog
import Mail

/// Per-address limits and bans, checked once per connection when the real
/// client is known: at accept, or after a trusted front's PROXY header.
extension Connection {
    /// Counts the connection under its address, or refuses it: a STARTTLS
    /// client gets its protocol's "try again later" line in plaintext, an
    /// implicit-TLS one is closed before any handshake work.
    ///
    /// A trusted front's header without a client (`LOCAL`: its health
    /// check; `UNKNOWN`) names nobody to count: it is let through, or the
    /// front's own checks would use up its address's share and the front
    /// would take tlsfloord out of its pool.
    func admitClientAddress() -> Bool {
        let limits = runtime.limits.perClient
        let abuse = runtime.abuse
        guard limits.isEnabled || abuse.isEnabled,
              !runtime.configuration.acceptProxyProtocol || frontAddresses != nil,
              let address = clientAddressBytes, let key = ClientKey(addressBytes: address) else { return true }
        let honoursBans = abuse.isEnabled && !abuse.exemptNetworks.contains { $0.contains(address) }
        switch worker.server.clients.admit(key, now: worker.now, limits: limits, bans: honoursBans) {
        case .admitted(let tracked):
            if tracked { countedAs = key }
            return true
        case .tooManyOpen(let limit):
            refuse(.tooManyConnectionsFromAddress, outcome: .tooManyConnections,
                   error: "max_connections_per_ip: \(limit) open from \(key)")
        case .tooFast(let limit):
            refuse(.tooManyConnectionsFromAddress, outcome: .tooManyConnections,
                   error: "max_handshakes_per_ip_per_minute: \(limit) from \(key) in the last minute")
        case .banned(let remaining):
            refuse(.tooManyFailedLogins, outcome: .banned, error: "\(key) banned for \((remaining + 999) / 1000)s more after failed logins")
        }
        return false
    }

    private func refuse(_ reason: ClientRefusal, outcome: Outcome, error: String) {
        switch runtime.configuration.tls {
        case .starttls:
            closeAfterReply(MailReplies.refusal(reason, runtime.mailProtocol, hostname: runtime.configuration.hostname),
                            outcome: outcome, error: error)
        case .implicit:
            close(outcome, error: error)
        }
    }
}
