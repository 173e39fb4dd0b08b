import Foundation
import Report

/// The `time` column as text: ISO 8601 in UTC with milliseconds (`2026-11-30T06:07:44.123Z`),
/// which sorts as text in SQLite and is what PostgreSQL is handed and gives back.
public enum HistoryTime {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Rounded to the millisecond (the style truncates): a time read back from the text, which
    /// lands a hair below it in binary floating point, prints as the same text again.
    public static func format(_ date: Date) -> String {
        style.format(date.addingTimeInterval(0.000_5))
    }

    public static func parse(_ text: String) -> Date? {
        ReportTimestamp.parse(text)
    }
}
