import Foundation
import Testing
@testable import Report

private func date(_ text: String) -> Date {
    ReportTimestamp.parse(text) ?? .distantPast
}

private func affectedUsers(_ text: String, since: Date? = nil) -> [AffectedUser] {
    var builder = ReportBuilder(filter: ReportFilter(since: since, legacyLoginsOnly: true))
    for line in text.split(separator: "\n") { builder.add(line: line) }
    return AffectedUser.grouping(builder.rows)
}

@Test func onlyUsersWhoLoggedInBelowTheFloorAreAffectedWithOnlyTheirLegacyDevices() throws {
    let users = affectedUsers(RecordedLog.lines)
    // carol is on TLS 1.3 only; refused and explained clients never logged in.
    #expect(users.map(\.login) == ["alice", "bob"])
    let alice = users[0]
    #expect(alice.devices.map(\.ja4) == [RecordedLog.oldOutlook])  // not the iPhone at TLS 1.3
    #expect(alice.devices[0].recentSoftware == ["Microsoft Outlook 14.0"])
    #expect(alice.devices[0].connections == 1)  // the two refusals before the login are not hers by name
    #expect(users[1].devices.map(\.ja4) == [RecordedLog.bobOld])
}

@Test func aRejectedLoginIsNotAffected() {
    let log = [
        connectionLine("2026-11-20T08:00:00Z", client: "198.51.100.7:1", legacy: true, user: "mallory@example.org", login: "rejected"),
        connectionLine("2026-11-20T09:00:00Z", client: "198.51.100.8:1", legacy: true, user: "erika@example.org"),
    ].joined(separator: "\n")
    #expect(affectedUsers(log).map(\.login) == ["erika@example.org"])
}

@Test func devicesAreListedWithProgramVersionCountAndTimesMostRecentFirst() throws {
    let log = [
        connectionLine("2026-11-01T09:00:10Z", client: "198.51.100.7:1", legacy: true, user: "erika@example.org",
                       software: "Microsoft Outlook"),
        connectionLine("2026-11-20T18:00:59Z", client: "198.51.100.7:2", legacy: true, user: "erika@example.org",
                       software: "Microsoft Outlook"),
        connectionLine("2026-11-21T07:00:00Z", client: "192.0.2.9:1", legacy: true, user: "erika@example.org",
                       ja4: "t11i100600_0f2cb44170f4_b0e2c1fcb4a7"),
    ].joined(separator: "\n")
    let erika = try #require(affectedUsers(log).first)
    #expect(DeviceList.text(erika.devices) == """
          - TLSv1.0 · 1× · 2026-11-21 07:00 UTC
            JA4 t11i100600_0f2cb44170f4_b0e2c1fcb4a7
          - Microsoft Outlook · TLSv1.0 · 2× · 2026-11-01 09:00 – 2026-11-20 18:00 UTC
            JA4 t10i090500_c491f621fb4c_195413a0cc0f
        """)
}

@Test func recipientIsTheLoginWhenItIsAnAddressElseLoginAtDomainElseSkipped() throws {
    #expect(try NoticePlan.recipient(login: "erika@example.org", domain: nil).get().description == "erika@example.org")
    #expect(try NoticePlan.recipient(login: "erika@example.org", domain: "other.example").get().description == "erika@example.org")
    #expect(try NoticePlan.recipient(login: "erika", domain: "example.org").get().description == "erika@example.org")
    #expect(throws: NoticePlan.Skip.noAddress(login: "erika", reason: "not a mail address (--domain appends one)")) {
        try NoticePlan.recipient(login: "erika", domain: nil).get()
    }
    #expect(throws: NoticePlan.Skip.self) { try NoticePlan.recipient(login: "a b@example.org", domain: nil).get() }
}

@Test func stateKeepsAUserFromBeingMailedAgainUntilResendAfterHasPassed() throws {
    let users = affectedUsers(RecordedLog.lines).map { AffectedUser(login: $0.login + "@example.org", devices: $0.devices) }
    let now = date("2026-11-30T12:00:00Z")
    var state = NoticeState()
    #expect(NoticePlan(users: users, state: state, now: now, resendAfter: 14 * 86_400, domain: nil).notices.count == 2)

    state.record(user: "alice@example.org", at: date("2026-11-20T12:00:00Z"))  // 10 days ago
    state.record(user: "bob@example.org", at: date("2026-11-16T12:00:00Z"))    // exactly 14 days ago
    let plan = NoticePlan(users: users, state: state, now: now, resendAfter: 14 * 86_400, domain: nil)
    #expect(plan.notices.map(\.recipient.description) == ["bob@example.org"])
    #expect(plan.skipped == [.recentlyNotified(login: "alice@example.org", at: date("2026-11-20T12:00:00Z"))])
    #expect(plan.skipped[0].description == "skipped alice@example.org: notified 2026-11-20T12:00:00Z, not yet due again")
}

@Test func stateFileLinesRoundTripAndTheLatestNoticeCounts() throws {
    let address = try #require(MailAddress("erika@example.org"))
    let text = NoticeState.line(user: "erika", recipient: address, messageID: "2@example.org", at: date("2026-11-20T12:00:00Z"))
        + NoticeState.line(user: "erika", recipient: address, messageID: "1@example.org", at: date("2026-11-01T12:00:00Z"))
        + "\n"
    #expect(text.hasPrefix(#"{"message_id":"2@example.org","notified_at":"2026-11-20T12:00:00Z","recipient":"erika@example.org","user":"erika"}"# + "\n"))
    let state = try NoticeState(jsonLines: text)
    #expect(state.lastNotified == ["erika": date("2026-11-20T12:00:00Z")])
    let firstLine = try #require(text.split(separator: "\n").first)
    #expect(throws: NoticeStateError(line: 2)) { try NoticeState(jsonLines: firstLine + "\n{\"user\":\"x\"}\n") }
}

@Test func composedNoticeCarriesUserDevicesAndTheCutoffDateAsAnnounced() throws {
    let template = try NoticeTemplate("Subject: Abschaltung am {{cutoff}}\n\nHallo {{user}},\n{{devices}}\n")
    let sender = try #require(NoticeSender("postmaster@example.org"))
    // An instant with its own offset keeps its own date, not the UTC one (29 September).
    let composer = try #require(NoticeComposer(template: template, sender: sender, cutoff: "2023-09-30T00:00:00+02:00"))
    #expect(NoticeComposer(template: template, sender: sender, cutoff: "30.09.2023") == nil)
    let user = try #require(affectedUsers(RecordedLog.lines).first)
    let plan = NoticePlan(users: [user], state: NoticeState(), now: Date(), resendAfter: 0, domain: "example.org")
    let message = composer.message(for: try #require(plan.notices.first), date: Date(timeIntervalSince1970: 0), messageID: "x@example.org")
    #expect(message.recipient.description == "alice@example.org")
    #expect(message.headers.map(\.value) == ["Abschaltung am 2023-09-30"])
    #expect(message.body == "Hallo alice,\n" + DeviceList.text(user.devices) + "\n")
    #expect(message.body.contains("Microsoft Outlook 14.0 · TLSv1.0 · 1×"))
}
