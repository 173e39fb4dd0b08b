import Foundation

/// The unit of `report --by`: calendar days, or ISO 8601 weeks (Monday to Sunday), both in UTC
/// like every time the report prints, so one log gives the same periods on every machine.
public enum ReportPeriod: String, Sendable, CaseIterable {
    case day
    case week

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        return calendar
    }()

    /// Midnight UTC that starts the period `date` falls in.
    public func start(of date: Date) -> Date {
        let calendar = Self.calendar
        switch self {
        case .day:
            return calendar.startOfDay(for: date)
        case .week:
            let day = calendar.startOfDay(for: date)
            // Foundation numbers weekdays Sunday = 1 … Saturday = 7 in every calendar.
            let daysSinceMonday = (calendar.component(.weekday, from: day) + 5) % 7
            return calendar.date(byAdding: .day, value: -daysSinceMonday, to: day) ?? day
        }
    }

    /// The start of the period after the one starting at `start`.
    public func next(after start: Date) -> Date {
        Self.calendar.date(byAdding: .day, value: self == .day ? 1 : 7, to: start)
            ?? start.addingTimeInterval(self == .day ? 86_400 : 604_800)
    }

    /// `2026-11-23` for a day, `2026-W48` for an ISO week.
    public func label(_ start: Date) -> String {
        let parts = Self.calendar.dateComponents([.year, .month, .day, .yearForWeekOfYear, .weekOfYear], from: start)
        switch self {
        case .day:
            return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
        case .week:
            return String(format: "%04d-W%02d", parts.yearForWeekOfYear ?? 0, parts.weekOfYear ?? 0)
        }
    }

    /// The first day of the period, `YYYY-MM-DD`.
    public static func date(_ start: Date) -> String {
        ReportPeriod.day.label(start)
    }
}
