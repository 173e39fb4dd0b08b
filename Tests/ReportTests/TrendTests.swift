import Foundation
import Testing
@testable import Report

private func trend(_ text: String, by period: ReportPeriod, since: Date? = nil) -> Trend? {
    var builder = ReportBuilder(filter: ReportFilter(since: since), trendPeriod: period)
    for line in text.split(separator: "\n") { builder.add(line: line) }
    return builder.report.trend
}

private func date(_ text: String) -> Date {
    ReportTimestamp.parse(text) ?? .distantPast
}

/// One key=value connection record; only the keys the trend reads vary.
func connectionLine(_ timestamp: String, client: String, legacy: Bool, user: String? = nil,
                    login: String? = nil, software: String? = nil, ja4: String = "t10i090500_c491f621fb4c_195413a0cc0f") -> String {
    var line = "ts=\(timestamp) level=info event=connection listener=imaps protocol=imap tls=implicit client=\(client) "
        + "outcome=relayed tls_version=\(legacy ? "TLSv1.0" : "TLSv1.3") cipher=- sni=- offered_version=- ja4=\(ja4)"
    if legacy { line += " legacy=yes" }
    if let user { line += " user=\(user) login=\(login ?? "accepted")" }
    if let software { line += " client_name=\"\(software)\"" }
    return line + " backend=- error=-"
}

@Test func totalsEachDayWithShareAndDistinctLegacyUsersAndAddresses() throws {
    let log = [
        connectionLine("2026-11-20T08:00:00Z", client: "198.51.100.7:1", legacy: true, user: "alice"),
        connectionLine("2026-11-20T09:00:00Z", client: "198.51.100.7:2", legacy: true, user: "alice"),
        connectionLine("2026-11-20T10:00:00Z", client: "203.0.113.9:3", legacy: true),
        connectionLine("2026-11-20T23:59:59Z", client: "192.0.2.1:4", legacy: false, user: "carol"),
        connectionLine("2026-11-21T00:00:00Z", client: "192.0.2.1:5", legacy: false, user: "carol"),
        connectionLine("2026-11-21T12:00:00Z", client: "203.0.113.20:6", legacy: true, user: "bob"),
    ].joined(separator: "\n")
    let days = try #require(trend(log, by: .day))
    #expect(days.period == .day)
    #expect(days.periods.map { ReportPeriod.day.label($0.start) } == ["2026-11-20", "2026-11-21"])
    let first = days.periods[0], second = days.periods[1]
    #expect((first.connections, first.legacyConnections) == (4, 3))
    #expect(first.legacyUsers == ["alice"])
    #expect(first.legacyAddresses == ["198.51.100.7", "203.0.113.9"])
    #expect(first.legacyPercentText == "75.0")
    #expect((second.connections, second.legacyConnections, second.legacyUsers.count) == (2, 1, 1))
    #expect(second.legacyPercentText == "50.0")
}

@Test func fillsPeriodsWithoutConnectionsSoTheTimeAxisStaysEven() throws {
    let log = [
        connectionLine("2026-11-20T08:00:00Z", client: "198.51.100.7:1", legacy: true),
        connectionLine("2026-11-23T08:00:00Z", client: "192.0.2.1:1", legacy: false),
    ].joined(separator: "\n")
    let days = try #require(trend(log, by: .day))
    #expect(days.periods.map { ReportPeriod.day.label($0.start) } == ["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23"])
    #expect(days.periods[1].connections == 0)
    #expect(days.periods[1].legacyPercent == nil)
    #expect(days.periods.map(\.legacyPercentText) == ["100.0", nil, nil, "0.0"])
}

@Test func weeksStartOnMondayAndCarryTheISOWeekNumber() throws {
    // 2026-11-22 is a Sunday, 2026-11-23 a Monday; 2027-01-01 (a Friday) is in week 53 of 2026.
    let log = [
        connectionLine("2026-11-22T23:00:00Z", client: "198.51.100.7:1", legacy: true),
        connectionLine("2026-11-23T00:30:00Z", client: "198.51.100.7:2", legacy: false),
        connectionLine("2027-01-01T12:00:00Z", client: "198.51.100.7:3", legacy: false),
    ].joined(separator: "\n")
    let weeks = try #require(trend(log, by: .week))
    let labels = weeks.periods.map { ReportPeriod.week.label($0.start) }
    #expect(labels.first == "2026-W47")
    #expect(labels.dropFirst().first == "2026-W48")
    #expect(labels.last == "2026-W53")
    #expect(labels.count == 7)
    #expect(ReportPeriod.date(weeks.periods[0].start) == "2026-11-16")
    #expect(ReportPeriod.date(weeks.periods[1].start) == "2026-11-23")
    #expect(ReportPeriod.date(weeks.periods[6].start) == "2026-12-28")
    #expect(weeks.periods[0].legacyConnections == 1 && weeks.periods[1].legacyConnections == 0)
}

@Test func sinceAppliesToTheTrendAndNoPeriodGivesNoTrend() throws {
    let log = [
        connectionLine("2026-11-20T08:00:00Z", client: "198.51.100.7:1", legacy: true),
        connectionLine("2026-11-22T08:00:00Z", client: "192.0.2.1:1", legacy: false),
    ].joined(separator: "\n")
    let days = try #require(trend(log, by: .day, since: date("2026-11-21")))
    #expect(days.periods.map { ReportPeriod.day.label($0.start) } == ["2026-11-22"])
    var builder = ReportBuilder()
    builder.add(line: log)
    #expect(builder.report.trend == nil)
}

@Test func periodFormatsShareOneShape() throws {
    let log = [
        connectionLine("2026-11-20T08:00:00Z", client: "198.51.100.7:1", legacy: true, user: "alice"),
        connectionLine("2026-11-20T09:00:00Z", client: "192.0.2.1:1", legacy: false),
        connectionLine("2026-11-20T10:00:00Z", client: "192.0.2.2:1", legacy: false),
    ].joined(separator: "\n")
    let report = Report(rows: [], trend: trend(log, by: .day))
    #expect(ReportFormat.table.render(report) == """
        PERIOD      FROM        CONNS  LEGACY  LEGACY %  LEGACY USERS  LEGACY ADDRESSES
        2026-11-20  2026-11-20      3       1      33.3             1                 1

        """)
    #expect(ReportFormat.csv.render(report) == "period,start,connections,legacy_connections,legacy_percent,legacy_users,legacy_addresses\r\n"
        + "2026-11-20,2026-11-20,3,1,33.3,1,1\r\n")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(ReportFormat.json.render(report).utf8)) as? [[String: Any]])
    #expect(json.count == 1)
    #expect(json[0]["period"] as? String == "2026-11-20")
    #expect(json[0]["legacy_percent"] as? Double == 33.3)
    #expect(json[0]["legacy_users"] as? Int == 1)
    #expect(Set(json[0].keys) == ["period", "start", "connections", "legacy_connections", "legacy_percent",
                                  "legacy_users", "legacy_addresses"])
}

@Test func timeSpansAndAgesForSince() {
    #expect(TimeSpan.parse("30d") == 2_592_000)
    #expect(TimeSpan.parse("2w") == 1_209_600)
    #expect(TimeSpan.parse("90s") == 90)
    #expect(TimeSpan.parse("d") == nil)
    #expect(TimeSpan.parse("-1d") == nil)
    #expect(TimeSpan.parse("3y") == nil)
    let now = date("2026-11-30T12:00:00Z")
    #expect(SinceTime.parse("1d", now: now) == date("2026-11-29T12:00:00Z"))
    #expect(SinceTime.parse("2026-11-01", now: now) == date("2026-11-01T00:00:00Z"))
    #expect(SinceTime.parse("yesterday", now: now) == nil)
}
