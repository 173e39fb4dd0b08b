import Foundation

/// The legacy share over time: one summary per period, oldest first, without gaps — a day
/// without connections is a row of zeros, so the chart's time axis stays even.
public struct Trend: Sendable, Equatable {
    public let period: ReportPeriod
    public let periods: [PeriodSummary]
}

/// Collects `PeriodSummary`s as records arrive, in any order.
struct TrendBuilder: Sendable {
    let period: ReportPeriod
    private var summaries: [Date: PeriodSummary] = [:]

    init(period: ReportPeriod) {
        self.period = period
    }

    mutating func add(_ record: ReportRecord) {
        let start = period.start(of: record.timestamp)
        summaries[start, default: PeriodSummary(start: start)].add(record)
    }

    var trend: Trend {
        guard let first = summaries.keys.min(), let last = summaries.keys.max() else {
            return Trend(period: period, periods: [])
        }
        var periods: [PeriodSummary] = []
        var start = first
        while start <= last {
            periods.append(summaries[start] ?? PeriodSummary(start: start))
            start = period.next(after: start)
        }
        return Trend(period: period, periods: periods)
    }
}
