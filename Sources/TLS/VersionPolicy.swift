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
    ///   - now: the current instant, for `enforce_after`.
    public func decide(offered: UInt16, now: Date) -> Decision {
        guard offered < floor else { return .accept }
        // Below SSL 3.0 nothing can be negotiated at all.
        guard offered >= 0x0301 else { return .reject }
        if let enforceAfter = legacy.enforceAfter, now < enforceAfter { return .allowLegacy }
        switch legacy.action {
        case .reject: return .reject
        case .explain: return .explain(message: legacy.message)
        case .allow: return .allowLegacy
        }
    }
}
