import Foundation
import Testing
@testable import Report

@Test func readsAStderrConnectionLine() throws {
    let line: Substring = #"ts=2026-11-23T14:14:20.551Z level=notice event=connection listener=imaps protocol=imap tls=implicit client=127.0.0.1:39644 outcome=tls_version_refused tls_version=- cipher=- sni=- offered_version=TLSv1.0 offered_ciphers=9 ja4=t10i090500_c491f621fb4c_195413a0cc0f legacy=yes backend=- bytes_in=0 bytes_out=0 duration_ms=1 error="unsupported protocol" msg="imaps: 127.0.0.1:39644 offered TLSv1.0: tls_version_refused""#
    guard case .connection(let record) = RecordLine.parse(line) else {
        Issue.record("not read as a connection record")
        return
    }
    #expect(record == ReportRecord(
        timestamp: try #require(ReportTimestamp.parse("2026-11-23T14:14:20.551Z")), listener: "imaps",
        protocol: "imap", client: "127.0.0.1:39644", outcome: "tls_version_refused", offeredVersion: "TLSv1.0",
        ja4: "t10i090500_c491f621fb4c_195413a0cc0f", legacy: true))
    #expect(record.version == "TLSv1.0")
    #expect(record.clientHost == "127.0.0.1")
}

@Test func readsAJournalEntryWithItsTimestampInMicroseconds() throws {
    let line: Substring = #"{"__REALTIME_TIMESTAMP":"1795443260551000","TLSFLOOR_EVENT":"connection","TLSFLOOR_LISTENER":"pop3s","TLSFLOOR_PROTOCOL":"pop3","TLSFLOOR_CLIENT":"[2001:db8::7]:4000","TLSFLOOR_OUTCOME":"relayed","TLSFLOOR_TLS_VERSION":"TLSv1.2","TLSFLOOR_USER":"erin","TLSFLOOR_JA4":"-"}"#
    guard case .connection(let record) = RecordLine.parse(line) else {
        Issue.record("not read as a connection record")
        return
    }
    let expected = try #require(ReportTimestamp.parse("2026-11-23T14:14:20.551Z"))
    #expect(abs(record.timestamp.timeIntervalSince(expected)) < 0.000_01)
    #expect(record.user == "erin")
    #expect(record.version == "TLSv1.2")
    #expect(record.ja4 == nil)
    #expect(record.clientHost == "2001:db8::7")
    #expect(!record.legacy)
}

@Test func readsJournalFieldsThatAreNotUTF8OrRepeated() {
    // journalctl prints a non-UTF-8 value as byte values, a repeated field as an array.
    let line: Substring = #"{"__REALTIME_TIMESTAMP":"1795443260000000","TLSFLOOR_EVENT":"connection","TLSFLOOR_LISTENER":["imaps","imaps"],"TLSFLOOR_PROTOCOL":"imap","TLSFLOOR_CLIENT":"192.0.2.1:1","TLSFLOOR_OUTCOME":"relayed","TLSFLOOR_USER":[106,246,114,103]}"#
    guard case .connection(let record) = RecordLine.parse(line) else {
        Issue.record("not read as a connection record")
        return
    }
    #expect(record.listener == "imaps")
    #expect(record.user == "j\u{FFFD}rg")
}

@Test func otherEventsAndOtherServicesAreIgnoredNotSkipped() {
    #expect(RecordLine.parse(#"ts=2026-11-23T14:05:00Z level=info event=reload msg="configuration reloaded""#) == .ignored)
    #expect(RecordLine.parse(#"{"__REALTIME_TIMESTAMP":"1795443260000000","MESSAGE":"hello","SYSLOG_IDENTIFIER":"sshd"}"#) == .ignored)
    #expect(RecordLine.parse("") == .ignored)
    #expect(RecordLine.parse("   ") == .ignored)
}

@Test func linesThatAreNotRecordsAreMalformed() {
    #expect(RecordLine.parse("Nov 23 14:14:20 mx tlsfloord[42]: started") == .malformed)
    #expect(RecordLine.parse(#"{"__REALTIME_TIMESTAMP": "17"#) == .malformed)
    #expect(RecordLine.parse("[1, 2]") == .malformed)
    // A connection record without a timestamp, or with an unreadable one, cannot be placed in time.
    #expect(RecordLine.parse("event=connection listener=imaps protocol=imap client=192.0.2.1:1 outcome=relayed") == .malformed)
    #expect(RecordLine.parse("ts=yesterday event=connection listener=imaps protocol=imap client=192.0.2.1:1 outcome=relayed") == .malformed)
    #expect(RecordLine.parse("ts=2026-11-23T14:05:00Z event=connection listener=imaps protocol=imap outcome=relayed") == .malformed)
}

@Test func clientHostDropsThePortOnlyFromAddressesThatHaveOne() {
    func host(_ client: String) -> String {
        ReportRecord(timestamp: .distantPast, listener: "l", protocol: "p", client: client, outcome: "o").clientHost
    }
    #expect(host("192.0.2.1:993") == "192.0.2.1")
    #expect(host("[2001:db8::1]:993") == "2001:db8::1")
    #expect(host("unix:/run/tlsfloor.sock") == "unix:/run/tlsfloor.sock")
    #expect(host("unknown") == "unknown")
}

@Test func versionIsNegotiatedElseOfferedElseNone() {
    var record = ReportRecord(timestamp: .distantPast, listener: "imap", protocol: "imap", client: "192.0.2.1:1",
                              outcome: "plaintext_closed")
    #expect(record.version == "none")
    record.offeredVersion = "TLSv1.3"
    #expect(record.version == "TLSv1.3")
    record.tlsVersion = "TLSv1.2"
    #expect(record.version == "TLSv1.2")
}
