import Foundation

/// `--since` of `report` and `notify`: an instant (RFC 3339 or `YYYY-MM-DD`, see
/// `ReportTimestamp`) or an age such as `30d` — what a cron job wants, since it cannot
/// write today's date into its own command line.
public enum SinceTime {
    public static func parse(_ text: String, now: Date) -> Date? {
        ReportTimestamp.parse(text) ?? TimeSpan.parse(text).map { now.addingTimeInterval(-$0) }
    }
}

/// Operator-facing lengths of time for log windows: `90s`, `30m`, `12h`, `30d`, `2w`.
public enum TimeSpan {
    private static let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]

    /// Seconds; nil unless a whole number followed by one unit.
    public static func parse(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let seconds = units[unit], let count = Int(text.dropLast()), count >= 0,
              text.dropLast().allSatisfy(\.isASCII)
        else { return nil }
        return TimeInterval(count) * seconds
    }
}
