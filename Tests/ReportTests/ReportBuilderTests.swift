import Foundation
import Testing
@testable import Report

private func build(_ text: String, _ filter: ReportFilter = ReportFilter()) -> ReportBuilder {
    var builder = ReportBuilder(filter: filter)
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) { builder.add(line: line) }
    return builder
}

private func date(_ text: String) -> Date {
    ReportTimestamp.parse(text) ?? .distantPast
}

private struct RowSummary: Equatable, CustomStringConvertible {
    var identity: ClientGroup.Identity
    var ja4: String?
    var description: String { "\(identity) \(ja4 ?? "-")" }
}

private func summaries(_ rows: [ClientGroup]) -> [RowSummary] {
    rows.map { RowSummary(identity: $0.identity, ja4: $0.ja4) }
}

@Test func groupsByUserAndFingerprintOrAddressWhenNoLogin() {
    let rows = build(RecordedLog.lines).rows
    #expect(summaries(rows) == [
        // Legacy rows first, most recently seen first …
        RowSummary(identity: .address("203.0.113.9"), ja4: RecordedLog.unknown),
        RowSummary(identity: .address("203.0.113.20"), ja4: RecordedLog.bobOld),
        RowSummary(identity: .user("alice"), ja4: RecordedLog.oldOutlook),
        RowSummary(identity: .user("bob"), ja4: RecordedLog.bobOld),
        RowSummary(identity: .address("198.51.100.7"), ja4: RecordedLog.oldOutlook),
        // … then the clients that are fine, most recently seen first.
        RowSummary(identity: .user("carol"), ja4: RecordedLog.carol),
        RowSummary(identity: .user("bob"), ja4: RecordedLog.bobNew),
        RowSummary(identity: .user("alice"), ja4: RecordedLog.iPhone),
    ])
}

@Test func aggregatesVersionsCountsTimesAndPlaces() throws {
    let rows = build(RecordedLog.lines).rows
    let refusedOutlook = try #require(rows.first { $0.identity == .address("198.51.100.7") })
    #expect(refusedOutlook.connections == 2)
    #expect(refusedOutlook.legacyConnections == 2)
    #expect(refusedOutlook.versions == ["TLSv1.0": 2])
    #expect(refusedOutlook.outcomes == ["tls_version_refused": 2])
    #expect(refusedOutlook.firstSeen == date("2026-11-20T08:00:00Z"))
    #expect(refusedOutlook.lastSeen == date("2026-11-20T08:05:00.250Z"))
    #expect(refusedOutlook.recentAddresses == ["198.51.100.7"])
    #expect(refusedOutlook.recentSoftware.isEmpty)

    let aliceOutlook = try #require(rows.first { $0.identity == .user("alice") && $0.ja4 == RecordedLog.oldOutlook })
    #expect(aliceOutlook.versions == ["TLSv1.0": 1])
    #expect(aliceOutlook.outcomes == ["relayed": 1])
    #expect(aliceOutlook.legacyConnections == 1)
    #expect(aliceOutlook.recentSoftware == ["Microsoft Outlook 14.0"])

    let bobExplained = try #require(rows.first { $0.identity == .address("203.0.113.20") })
    #expect(bobExplained.versions == ["TLSv1.1": 1])
    #expect(bobExplained.outcomes == ["legacy_explained": 1])
    #expect(bobExplained.listeners == ["pop3s"])
    #expect(bobExplained.protocols == ["pop3"])

    let bobSubmission = try #require(rows.first { $0.ja4 == RecordedLog.bobNew })
    #expect(bobSubmission.legacyConnections == 0)
    #expect(bobSubmission.versions == ["TLSv1.2": 1])
    #expect(bobSubmission.listeners == ["submission"])
    #expect(bobSubmission.protocols == ["smtp"])
    #expect(bobSubmission.recentAddresses == ["2001:db8::5"])
    #expect(bobSubmission.lastSeen == date("2026-11-23T12:00:00Z"))

    let aliceIPhone = try #require(rows.first { $0.ja4 == RecordedLog.iPhone })
    #expect(aliceIPhone.versions == ["TLSv1.3": 1])
    #expect(aliceIPhone.recentSoftware == ["iPhone Mail 17.1"])
}

@Test func countsOnlyLinesThatAreNotRecords() {
    let builder = build(RecordedLog.lines)
    // The pasted sentence and the truncated JSON; not the startup/reload lines or sshd's entry.
    #expect(builder.skippedLines == 2)
    #expect(builder.skippedWarning == "skipped 2 lines that are not tlsfloord records")
    #expect(build("garbage").skippedWarning == "skipped 1 line that is not a tlsfloord record")
    #expect(build("").skippedWarning == nil)
    #expect(build(RecordedLog.lines).rows.map(\.connections).reduce(0, +) == 9)
}

@Test func sinceDropsEarlierConnectionsAndRecomputesFirstSeen() throws {
    let rows = build(RecordedLog.lines, ReportFilter(since: date("2026-11-22"))).rows
    #expect(summaries(rows) == [
        RowSummary(identity: .address("203.0.113.9"), ja4: RecordedLog.unknown),
        RowSummary(identity: .address("203.0.113.20"), ja4: RecordedLog.bobOld),
        RowSummary(identity: .user("carol"), ja4: RecordedLog.carol),
        RowSummary(identity: .user("bob"), ja4: RecordedLog.bobNew),
        RowSummary(identity: .user("alice"), ja4: RecordedLog.iPhone),
    ])
    let exact = build(RecordedLog.lines, ReportFilter(since: date("2026-11-20T08:05:00Z"))).rows
    let refusedOutlook = try #require(exact.first { $0.identity == .address("198.51.100.7") })
    #expect(refusedOutlook.connections == 1)
    #expect(refusedOutlook.firstSeen == date("2026-11-20T08:05:00.250Z"))
}

@Test func legacyOnlyKeepsRowsWithAConnectionBelowTheFloor() {
    let rows = build(RecordedLog.lines, ReportFilter(legacyOnly: true)).rows
    #expect(summaries(rows) == [
        RowSummary(identity: .address("203.0.113.9"), ja4: RecordedLog.unknown),
        RowSummary(identity: .address("203.0.113.20"), ja4: RecordedLog.bobOld),
        RowSummary(identity: .user("alice"), ja4: RecordedLog.oldOutlook),
        RowSummary(identity: .user("bob"), ja4: RecordedLog.bobOld),
        RowSummary(identity: .address("198.51.100.7"), ja4: RecordedLog.oldOutlook),
    ])
}

@Test func theOrderOfTheInputDoesNotChangeTheReport() {
    let reversed = RecordedLog.lines.split(separator: "\n").reversed().joined(separator: "\n")
    #expect(ReportFormat.json.render(build(reversed).report) == ReportFormat.json.render(build(RecordedLog.lines).report))
}

@Test func listsTheMostRecentAddressesFirstAndCountsTheRest() throws {
    let lines = (1...5).map { index in
        "ts=2026-11-2\(index)T10:00:00Z event=connection listener=imaps protocol=imap tls=implicit "
            + "client=192.0.2.\(index):5000 outcome=relayed tls_version=TLSv1.2 ja4=j user=dave"
    }
    let builder = build(lines.joined(separator: "\n"))
    let row = try #require(builder.rows.first)
    #expect(row.recentAddresses == ["192.0.2.5", "192.0.2.4", "192.0.2.3"])
    #expect(row.addressCount == 5)
    #expect(ReportFormat.csv.render(builder.report).contains("\"192.0.2.5, 192.0.2.4, 192.0.2.3 (+2 more)\""))
}
