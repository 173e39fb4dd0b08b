import Foundation

/// One day or week of the trend: how many connections there were, how many of them below the
/// TLS floor, and how many users and machines those came from — the numbers that should fall
/// towards zero before the switch-off.
public struct PeriodSummary: Sendable, Equatable {
    public let start: Date
    public private(set) var connections = 0
    public private(set) var legacyConnections = 0
    /// Login names seen on connections below the floor.
    public private(set) var legacyUsers: Set<String> = []
    /// Client addresses (without port) of connections below the floor.
    public private(set) var legacyAddresses: Set<String> = []

    public init(start: Date) {
        self.start = start
    }

    mutating func add(_ record: ReportRecord) {
        connections += 1
        guard record.legacy else { return }
        legacyConnections += 1
        if let user = record.user { legacyUsers.insert(user) }
        legacyAddresses.insert(record.clientHost)
    }

    /// Legacy connections as a percentage of all, nil for a period without connections.
    public var legacyPercent: Double? {
        connections == 0 ? nil : Double(legacyConnections) * 100 / Double(connections)
    }

    /// `12.5`: one decimal is as precise as a falling share needs to be read.
    public var legacyPercentText: String? {
        legacyPercent.map { String(format: "%.1f", $0) }
    }
}
