import Foundation

/// How `tlsfloord report` prints its rows.
public enum ReportFormat: String, Sendable, CaseIterable {
    /// Aligned columns for a terminal.
    case table
    /// RFC 4180, with a header line, for a spreadsheet or a mail merge.
    case csv
    /// An array of objects with stable key names, for scripts.
    case json

    /// The whole report, ending in a line break.
    public func render(_ rows: [ClientGroup]) -> String {
        switch self {
        case .table: TableRenderer.render(rows)
        case .csv: CSVRenderer.render(rows)
        case .json: JSONRenderer.render(rows)
        }
    }
}
