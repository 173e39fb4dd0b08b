import Foundation

/// Which connections a report covers.
public struct ReportFilter: Sendable {
    /// Only connections at or after this time.
    public var since: Date?
    /// Only rows with at least one connection below the TLS floor.
    public var legacyOnly: Bool

    public init(since: Date? = nil, legacyOnly: Bool = false) {
        self.since = since
        self.legacyOnly = legacyOnly
    }
}

/// Folds log lines into report rows, one line at a time, so memory grows with
/// the number of users and clients, not with the size of the log.
public struct ReportBuilder: Sendable {
    public let filter: ReportFilter
    /// Lines that were neither a tlsfloord record nor another well-formed log line.
    public private(set) var skippedLines = 0
    private var groups: [ClientGroup.Key: ClientGroup] = [:]

    public init(filter: ReportFilter = ReportFilter()) {
        self.filter = filter
    }

    /// Reads one log line in either format.
    public mutating func add(line: some StringProtocol) {
        switch RecordLine.parse(Substring(line)) {
        case .connection(let record): add(record)
        case .ignored: break
        case .malformed: skippedLines += 1
        }
    }

    public mutating func add(_ record: ReportRecord) {
        if let since = filter.since, record.timestamp < since { return }
        let key = ClientGroup.Key(record)
        if groups[key] == nil {
            groups[key] = ClientGroup(first: record)
        } else {
            groups[key]?.add(record)
        }
    }

    /// The report's rows in report order: legacy first, then most recently seen.
    public var rows: [ClientGroup] {
        groups.values.filter { !filter.legacyOnly || $0.isLegacy }.sorted(by: ClientGroup.reportOrder)
    }

    /// The warning for stderr when lines were skipped, nil when none were.
    public var skippedWarning: String? {
        switch skippedLines {
        case 0: nil
        case 1: "skipped 1 line that is not a tlsfloord record"
        default: "skipped \(skippedLines) lines that are not tlsfloord records"
        }
    }
}
