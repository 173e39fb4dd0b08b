import Foundation

/// One row of the audit report: every connection of one user with one client
/// fingerprint (JA4), or — when no login was seen — of one address with one fingerprint.
public struct ClientGroup: Sendable, Equatable {
    /// Who the row is about.
    public enum Identity: Hashable, Sendable, Comparable {
        case user(String)
        /// No login seen: the client's address stands in for the user.
        case address(String)
    }

    /// Identity plus fingerprint: what makes two records land in the same row.
    struct Key: Hashable {
        var identity: Identity
        var ja4: String?

        init(_ record: ReportRecord) {
            identity = record.user.map(Identity.user) ?? .address(record.clientHost)
            ja4 = record.ja4
        }
    }

    /// How many distinct addresses and client programs a row lists, most recent first.
    public static let recentLimit = 3

    public let identity: Identity
    public let ja4: String?
    public private(set) var connections = 0
    /// Connections below the TLS floor (refused, explained or allowed).
    public private(set) var legacyConnections = 0
    /// Connections per TLS version (negotiated, or offered when refused).
    public private(set) var versions: [String: Int] = [:]
    /// Connections per outcome (`relayed`, `tls_version_refused`, …).
    public private(set) var outcomes: [String: Int] = [:]
    public private(set) var firstSeen: Date
    public private(set) var lastSeen: Date
    public private(set) var listeners: Set<String> = []
    public private(set) var protocols: Set<String> = []
    private var addressesLastSeen: [String: Date] = [:]
    private var softwareLastSeen: [String: Date] = [:]

    init(first record: ReportRecord) {
        let key = Key(record)
        identity = key.identity
        ja4 = key.ja4
        firstSeen = record.timestamp
        lastSeen = record.timestamp
        add(record)
    }

    mutating func add(_ record: ReportRecord) {
        connections += 1
        if record.legacy { legacyConnections += 1 }
        versions[record.version, default: 0] += 1
        outcomes[record.outcome, default: 0] += 1
        firstSeen = min(firstSeen, record.timestamp)
        lastSeen = max(lastSeen, record.timestamp)
        listeners.insert(record.listener)
        protocols.insert(record.protocol)
        Self.remember(record.clientHost, at: record.timestamp, in: &addressesLastSeen)
        if let software = record.software { Self.remember(software, at: record.timestamp, in: &softwareLastSeen) }
    }

    /// The login name, nil for a row keyed by address.
    public var user: String? {
        if case .user(let name) = identity { return name }
        return nil
    }

    public var isLegacy: Bool { legacyConnections > 0 }

    /// The most recently seen client addresses (without ports), at most `recentLimit`.
    public var recentAddresses: [String] { Self.mostRecent(addressesLastSeen) }
    /// Distinct client addresses seen in all.
    public var addressCount: Int { addressesLastSeen.count }
    /// The most recently seen client programs ("Thunderbird 115.3", from IMAP ID), at most `recentLimit`.
    public var recentSoftware: [String] { Self.mostRecent(softwareLastSeen) }

    /// Report order: legacy rows first, then the most recently seen; ties by identity
    /// and fingerprint so the output does not depend on the order of the input.
    static func reportOrder(_ left: ClientGroup, _ right: ClientGroup) -> Bool {
        if left.isLegacy != right.isLegacy { return left.isLegacy }
        if left.lastSeen != right.lastSeen { return left.lastSeen > right.lastSeen }
        if left.identity != right.identity { return left.identity < right.identity }
        return (left.ja4 ?? "") < (right.ja4 ?? "")
    }

    private static func remember(_ value: String, at time: Date, in lastSeen: inout [String: Date]) {
        lastSeen[value] = max(lastSeen[value] ?? time, time)
    }

    private static func mostRecent(_ lastSeen: [String: Date]) -> [String] {
        lastSeen.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(recentLimit).map(\.key)
    }
}
