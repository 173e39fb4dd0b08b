import Foundation

/// The timestamps a report reads and prints: RFC 3339 (`2026-11-23T14:14:20.551Z`,
/// `2026-11-23T15:14:20+01:00`) and, for `--since`, a bare `YYYY-MM-DD` meaning midnight UTC.
public enum ReportTimestamp {
    private static let style = Date.ISO8601FormatStyle()

    /// Parses RFC 3339 with or without fractional seconds, or `YYYY-MM-DD`; nil for anything else.
    public static func parse(_ text: some StringProtocol) -> Date? {
        let text = String(text)
        if let date = try? style.parse(text) { return date }
        guard isBareDate(text) else { return nil }
        return try? style.parse(text + "T00:00:00Z")
    }

    /// `2026-11-23T14:14:20Z`: UTC, whole seconds — what an operator reads and pastes into `--since`.
    public static func format(_ date: Date) -> String {
        style.format(date)
    }

    private static func isBareDate(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count == 10 else { return false }
        return scalars.indices.allSatisfy { index in
            index == 4 || index == 7 ? scalars[index] == "-" : ("0"..."9").contains(scalars[index])
        }
    }
}
