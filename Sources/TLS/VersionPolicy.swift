import Configuration
import Foundation

/// Decides, from the highest TLS version a client offers, whether its
/// handshake may go on — the heart of tlsfloor. Pure: no OpenSSL, no clock
/// of its own, so every branch is testable.
public struct VersionPolicy: Sendable, Equatable {
    public enum Decision: Equatable, Sendable {
        /// At or above the floor: normal handshake.
        case accept
        /// Below the floor: let OpenSSL send the `protocol_version` alert.
        case reject
        /// Below the floor: finish the handshake only to send a readable refusal.
        case explain(message: String)
        /// Below the floor, but allowed (audit period): relay, logged as legacy.
        case allowLegacy
        /// Below the floor, from an exempt network: relay, logged `legacy=exempt`.
        case exempt
        /// Below the floor, during the ramp, in today's refused share: a
        /// readable refusal that says "later", not "never".
        case ramped(message: String)
        /// Below the floor and to be refused (explained, rejected or ramped)
        /// unless the login names one of `exempt_users`: the handshake
        /// completes and the login decides.
        case loginGate(message: String, temporary: Bool)
    }

    /// Who is asking, as far as the policy cares.
    public struct Client: Sendable, Equatable {
        /// IPv4 or IPv6 address bytes (the PROXY header's client behind a front); nil for a Unix socket.
        public var address: [UInt8]?
        /// The JA4 fingerprint, which tells devices behind one address apart.
        public var fingerprint: String?

        public init(address: [UInt8]?, fingerprint: String?) {
            self.address = address
            self.fingerprint = fingerprint
        }
    }

    /// Wire value of the lowest version accepted normally (0x0303 = TLS 1.2).
    public let floor: UInt16
    public let legacy: LegacyPolicySettings

    public init(floor: TLSFloor, legacy: LegacyPolicySettings) {
        self.floor = floor == .tls13 ? 0x0304 : 0x0303
        self.legacy = legacy
    }

    /// - Parameters:
    ///   - offered: the highest non-GREASE version the client offered.
    ///   - now: the current instant, for `enforce_after` and the ramp.
    public func decide(offered: UInt16, client: Client = Client(address: nil, fingerprint: nil), now: Date) -> Decision {
        guard offered < floor else { return .accept }
        // Below SSL 3.0 nothing can be negotiated at all.
        guard offered >= 0x0301 else { return .reject }
        if let address = client.address, legacy.exemptNetworks.contains(where: { $0.contains(address) }) {
            return .exempt
        }
        if let enforceAfter = legacy.enforceAfter, now < enforceAfter { return .allowLegacy }
        let refusal: Decision
        if let ramp = legacy.ramp, now < ramp.end {
            let draw = RampDraw(client: client, day: now)
            guard draw.value < ramp.share(at: draw.dayStart) else { return .allowLegacy }
            refusal = .ramped(message: legacy.message)
        } else {
            switch legacy.action {
            case .reject: refusal = .reject
            case .explain: refusal = .explain(message: legacy.message)
            case .allow: return .allowLegacy
            }
        }
        guard !legacy.exemptUsers.isEmpty else { return refusal }
        if case .ramped = refusal { return .loginGate(message: legacy.message, temporary: true) }
        return .loginGate(message: legacy.message, temporary: false)
    }
}
