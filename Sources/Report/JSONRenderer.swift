import Foundation

/// An array of objects, keys sorted, every key present (`null` when there is no value),
/// so scripts can rely on the shape.
enum JSONRenderer {
    static func render(_ rows: [ClientGroup]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, numbers and dictionaries of them cannot fail.
        guard let data = try? encoder.encode(rows.map(JSONRow.init)) else { return "[]\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
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
