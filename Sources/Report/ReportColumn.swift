/// A column of the table, CSV and HTML formats: all show the same fields, in the same order.
/// `Row` is a `ClientGroup` (per user and client) or a `PeriodSummary` (`--by`).
/// `tlsfloord history` prints its rows with the same columns and table.
public struct ReportColumn<Row>: Sendable {
    /// Heading in the terminal table.
    let title: String
    /// Header name in CSV, the same as the key in JSON.
    let name: String
    /// Counts read better right-aligned.
    let isNumeric: Bool
    let value: @Sendable (Row) -> String

    public init(title: String, name: String, isNumeric: Bool, value: @escaping @Sendable (Row) -> String) {
        self.title = title
        self.name = name
        self.isNumeric = isNumeric
        self.value = value
    }
}

extension ReportColumn<ClientGroup> {
    static var clientGroups: [ReportColumn] { [
        ReportColumn(title: "USER", name: "user", isNumeric: false) { $0.user ?? "-" },
        ReportColumn(title: "JA4", name: "ja4", isNumeric: false) { $0.ja4 ?? "-" },
        ReportColumn(title: "VERSIONS", name: "versions", isNumeric: false) { counted($0.versions) },
        ReportColumn(title: "CONNS", name: "connections", isNumeric: true) { String($0.connections) },
        ReportColumn(title: "LEGACY", name: "legacy_connections", isNumeric: true) { String($0.legacyConnections) },
        ReportColumn(title: "OUTCOMES", name: "outcomes", isNumeric: false) { counted($0.outcomes) },
        ReportColumn(title: "FIRST SEEN", name: "first_seen", isNumeric: false) { ReportTimestamp.format($0.firstSeen) },
        ReportColumn(title: "LAST SEEN", name: "last_seen", isNumeric: false) { ReportTimestamp.format($0.lastSeen) },
        ReportColumn(title: "LISTENERS", name: "listeners", isNumeric: false) { $0.listeners.sorted().joined(separator: ", ") },
        ReportColumn(title: "PROTOCOLS", name: "protocols", isNumeric: false) { $0.protocols.sorted().joined(separator: ", ") },
        ReportColumn(title: "CLIENT", name: "clients", isNumeric: false) { list($0.recentSoftware) },
        ReportColumn(title: "ADDRESSES", name: "addresses", isNumeric: false) { addresses($0) },
    ] }

    /// `TLSv1.0 (3), TLSv1.2 (1)`, sorted by name.
    private static func counted(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
    }

    private static func list(_ values: [String]) -> String {
        values.isEmpty ? "-" : values.joined(separator: ", ")
    }

    /// The most recent addresses, and how many more there were.
    private static func addresses(_ group: ClientGroup) -> String {
        let shown = group.recentAddresses
        let more = group.addressCount - shown.count
        return list(shown) + (more > 0 ? " (+\(more) more)" : "")
    }
}

extension ReportColumn<PeriodSummary> {
    /// `--by day|week`; the first two columns need the period to name it.
    static func periods(_ period: ReportPeriod) -> [ReportColumn] { [
        ReportColumn(title: "PERIOD", name: "period", isNumeric: false) { period.label($0.start) },
        ReportColumn(title: "FROM", name: "start", isNumeric: false) { ReportPeriod.date($0.start) },
        ReportColumn(title: "CONNS", name: "connections", isNumeric: true) { String($0.connections) },
        ReportColumn(title: "LEGACY", name: "legacy_connections", isNumeric: true) { String($0.legacyConnections) },
        ReportColumn(title: "LEGACY %", name: "legacy_percent", isNumeric: true) { $0.legacyPercentText ?? "-" },
        ReportColumn(title: "LEGACY USERS", name: "legacy_users", isNumeric: true) { String($0.legacyUsers.count) },
        ReportColumn(title: "LEGACY ADDRESSES", name: "legacy_addresses", isNumeric: true) {
            String($0.legacyAddresses.count)
        },
    ] }
}
