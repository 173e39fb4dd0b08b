import Foundation

/// An array of objects, keys sorted, every key present (`null` when there is no value),
/// so scripts can rely on the shape.
enum JSONRenderer {
    static func render(_ rows: [ClientGroup]) -> String {
        encode(rows.map(JSONRow.init))
    }

    static func render(_ trend: Trend) -> String {
        encode(trend.periods.map { JSONPeriod(period: trend.period, summary: $0) })
    }

    private static func encode(_ objects: [some Encodable]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, numbers and dictionaries of them cannot fail.
        guard let data = try? encoder.encode(objects) else { return "[]\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// The JSON shape of one period of `--by`; the same keys as the CSV header.
private struct JSONPeriod: Encodable {
    let period: ReportPeriod
    let summary: PeriodSummary

    enum CodingKeys: String, CodingKey {
        case period, start, connections
        case legacyConnections = "legacy_connections"
        case legacyPercent = "legacy_percent"
        case legacyUsers = "legacy_users"
        case legacyAddresses = "legacy_addresses"
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(period.label(summary.start), forKey: .period)
        try container.encode(ReportPeriod.date(summary.start), forKey: .start)
        try container.encode(summary.connections, forKey: .connections)
        try container.encode(summary.legacyConnections, forKey: .legacyConnections)
        // The same one decimal as the table: a number, or null for a period without connections.
        try container.encode(summary.legacyPercentText.flatMap(Double.init), forKey: .legacyPercent)
        try container.encode(summary.legacyUsers.count, forKey: .legacyUsers)
        try container.encode(summary.legacyAddresses.count, forKey: .legacyAddresses)
    }
}

/// The JSON shape of one row; key names are part of the command's interface.
private struct JSONRow: Encodable {
    let group: ClientGroup

    enum CodingKeys: String, CodingKey {
        case user, ja4, versions, connections, outcomes, listeners, protocols, clients, addresses
        case legacyConnections = "legacy_connections"
        case firstSeen = "first_seen"
        case lastSeen = "last_seen"
        case addressCount = "address_count"
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(group.user, forKey: .user)
        try container.encode(group.ja4, forKey: .ja4)
        try container.encode(group.versions, forKey: .versions)
        try container.encode(group.connections, forKey: .connections)
        try container.encode(group.legacyConnections, forKey: .legacyConnections)
        try container.encode(group.outcomes, forKey: .outcomes)
        try container.encode(ReportTimestamp.format(group.firstSeen), forKey: .firstSeen)
        try container.encode(ReportTimestamp.format(group.lastSeen), forKey: .lastSeen)
        try container.encode(group.listeners.sorted(), forKey: .listeners)
        try container.encode(group.protocols.sorted(), forKey: .protocols)
        try container.encode(group.recentSoftware, forKey: .clients)
        try container.encode(group.recentAddresses, forKey: .addresses)
        try container.encode(group.addressCount, forKey: .addressCount)
    }
}
