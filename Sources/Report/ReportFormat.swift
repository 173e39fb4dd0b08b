import Foundation

/// How `tlsfloord report` prints its rows.
public enum ReportFormat: String, Sendable, CaseIterable {
    /// Aligned columns for a terminal.
    case table
    /// RFC 4180, with a header line, for a spreadsheet or a mail merge.
    case csv
    /// An array of objects with stable key names, for scripts.
    case json
    /// One self-contained page: the legacy share as a chart, the per-period and per-user tables.
    case html

    /// The period the format needs when none was asked for: the page always has its chart.
    public var defaultTrendPeriod: ReportPeriod? {
        self == .html ? .day : nil
    }

    /// The whole report, ending in a line break. Table, CSV and JSON print the trend
    /// instead of the per-user rows when there is one; the page shows both.
    public func render(_ report: Report) -> String {
        switch (self, report.trend) {
        case (.table, let trend?): TableRenderer.render(trend.periods, columns: ReportColumn.periods(trend.period))
        case (.table, nil): TableRenderer.render(report.rows, columns: ReportColumn.clientGroups)
        case (.csv, let trend?): CSVRenderer.render(trend.periods, columns: ReportColumn.periods(trend.period))
        case (.csv, nil): CSVRenderer.render(report.rows, columns: ReportColumn.clientGroups)
        case (.json, let trend?): JSONRenderer.render(trend)
        case (.json, nil): JSONRenderer.render(report.rows)
        case (.html, _): HTMLRenderer.render(report)
        }
    }
}
