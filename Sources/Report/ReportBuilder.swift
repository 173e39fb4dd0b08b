import Foundation

/// Folds log lines into report rows — and, when asked, into per-period totals — one line at
/// a time, so memory grows with the number of users, clients and periods, not with the size of the log.
public struct ReportBuilder: Sendable {
    public let filter: ReportFilter
    /// Lines that were neither a tlsfloord record nor another well-formed log line.
    public private(set) var skippedLines = 0
    private var groups: [ClientGroup.Key: ClientGroup] = [:]
    private var trend: TrendBuilder?

    /// `trendPeriod`: also total the connections per day or week (`report --by`, the HTML chart).
    public init(filter: ReportFilter = ReportFilter(), trendPeriod: ReportPeriod? = nil) {
        self.filter = filter
        trend = trendPeriod.map(TrendBuilder.init)
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
        guard filter.admits(record) else { return }
        trend?.add(record)
        let key = ClientGroup.Key(record)
        if groups[key] == nil {
            groups[key] = ClientGroup(first: record)
        } else {
            groups[key]?.add(record)
        }
    }

    /// The report's rows in report order: legacy first, then most recently seen.
    public var rows: [ClientGroup] {
        groups.values.filter(filter.admits).sorted(by: ClientGroup.reportOrder)
    }

    /// Rows and, when a trend period was given, the trend.
    public var report: Report {
        Report(rows: rows, trend: trend?.trend)
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
