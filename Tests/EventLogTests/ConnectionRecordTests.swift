import EventLog
import Foundation
import Logging
import Testing

/// The connection record is the contract of the log: key order, keys that
/// are always there, and what each outcome looks like.
@Suite struct ConnectionRecordTests {
    static func refusedClient() -> ConnectionRecord {
        var record = ConnectionRecord(listener: "imaps", protocol: "imap", tlsMode: "implicit", client: "192.0.2.7:50000")
        record.outcome = .tlsVersionRefused
        record.offeredVersion = "TLSv1.0"
        record.offeredCiphers = 12
        record.ja4 = "t10d120700_0d3d6f1a0e63_000000000000"
        record.legacy = .yes
        record.error = "unsupported protocol"
        record.durationMilliseconds = 3
        return record
    }

    static func everyField() -> ConnectionRecord {
        var record = ConnectionRecord(listener: "imap", protocol: "imap", tlsMode: "starttls", client: "[2001:db8::7]:40000")
        record.tlsVersion = "TLSv1.0"
        record.cipher = "ECDHE-RSA-AES128-SHA"
        record.serverName = "mail.example.org"
        record.alpn = "imap"
        record.offeredVersion = "TLSv1.0"
        record.offeredCiphers = 20
        record.ja4 = "t10d200500_a1b2c3d4e5f6_000000000000"
        record.legacy = .yes
        record.resumed = true
        record.certificate = "mail.example.org/ecdsa"
        record.front = "10.0.0.2:40000"
        record.backend = "127.0.0.1:10143"
        record.user = "alice@example.org"
        record.login = "accepted"
        record.mechanism = "PLAIN"
        record.clientName = "Outlook Express"
        record.clientVersion = "6.0"
        record.bytesIn = 120
        record.bytesOut = 4096
        record.durationMilliseconds = 1234
        record.error = "backend: Connection reset by peer"
        return record
    }

    @Test func minimalRecordCarriesTheAlwaysPresentKeysAsDash() {
        var record = ConnectionRecord(listener: "smtps", protocol: "smtp", tlsMode: "implicit", client: "192.0.2.1:1")
        record.outcome = .handshakeTimeout
        #expect(record.fields.map { "\($0.key)=\($0.value)" } == [
            "event=connection", "listener=smtps", "protocol=smtp", "tls=implicit", "client=192.0.2.1:1",
            "outcome=handshake_timeout", "tls_version=-", "cipher=-", "sni=-", "offered_version=-", "backend=-",
            "bytes_in=0", "bytes_out=0", "duration_ms=0", "error=-",
        ])
    }

    @Test func fullRecordHasEveryKeyInTheDocumentedOrder() {
        let record = Self.everyField()
        #expect(record.fields.map(\.key) == ConnectionRecord.keyOrder)
        let values = Dictionary(uniqueKeysWithValues: record.fields.map { ($0.key, $0.value) })
        #expect(values["legacy"] == "yes")
        #expect(values["resumed"] == "yes")
        #expect(values["offered_ciphers"] == "20")
        #expect(values["duration_ms"] == "1234")
    }

    @Test func emptyValuesCountAsMissing() {
        var record = ConnectionRecord(listener: "imaps", protocol: "imap", tlsMode: "implicit", client: "192.0.2.1:1")
        record.cipher = ""
        record.user = ""
        let values = Dictionary(uniqueKeysWithValues: record.fields.map { ($0.key, $0.value) })
        #expect(values["cipher"] == "-")
        #expect(values["user"] == nil)
    }

    @Test func refusedLegacyClientIsMarkedWithWhatItOffered() {
        let keys = Self.refusedClient().fields.map { "\($0.key)=\($0.value)" }
        #expect(keys.contains("outcome=tls_version_refused"))
        #expect(keys.contains("offered_version=TLSv1.0"))
        #expect(keys.contains("legacy=yes"))
        #expect(keys.contains("tls_version=-"))
        #expect(!keys.contains { $0.hasPrefix("resumed=") })
    }

    @Test func alwaysPresentKeysAreInTheKeyOrder() {
        #expect(ConnectionRecord.alwaysPresentKeys.isSubset(of: Set(ConnectionRecord.keyOrder)))
        #expect(Set(ConnectionRecord.keyOrder).count == ConnectionRecord.keyOrder.count)
    }

    @Test func summaryNamesListenerClientVersionAndOutcome() {
        #expect(Self.refusedClient().summary == "imaps: 192.0.2.7:50000 offered TLSv1.0: tls_version_refused")
        #expect(Self.everyField().summary == "imap: [2001:db8::7]:40000 user alice@example.org TLSv1.0: relayed")
        let plain = ConnectionRecord(listener: "pop3", protocol: "pop3", tlsMode: "starttls", client: "192.0.2.1:1")
        #expect(plain.summary == "pop3: 192.0.2.1:1 no TLS: relayed")
    }

    @Test(arguments: [
        (Outcome.relayed, Logger.Level.info), (.plaintextClosed, .info),
        (.tlsVersionRefused, .notice), (.legacyExplained, .notice), (.handshakeFailed, .notice), (.banned, .notice),
        (.backendUnavailable, .warning), (.tooManyConnections, .warning), (.shutdown, .warning),
    ])
    func levelFollowsTheOutcome(outcome: Outcome, level: Logger.Level) {
        var record = ConnectionRecord(listener: "imaps", protocol: "imap", tlsMode: "implicit", client: "192.0.2.1:1")
        record.outcome = outcome
        #expect(record.level == level)
    }

    @Test func metadataCarriesExactlyTheFields() {
        let record = Self.everyField()
        #expect(record.metadata.count == record.fields.count)
        for (key, value) in record.fields {
            #expect(record.metadata[key] == .string(value))
        }
    }

    @Test func formattedRecordParsesBackToItsFields() throws {
        let record = Self.everyField()
        let parsed = try #require(KeyValueFormatter.parse(KeyValueFormatter.format(record.fields)[...]))
        #expect(parsed.map(\.key) == record.fields.map(\.key))
        #expect(parsed.map(\.value) == record.fields.map(\.value))
    }
}

/// The operations guide lists every outcome an operator can filter on.
@Test(arguments: Outcome.allCases)
func everyOutcomeIsDocumented(outcome: Outcome) throws {
    let guide = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/operations.md")
    let text = try String(contentsOf: guide, encoding: .utf8)
    #expect(text.contains("| `\(outcome.rawValue)` |"))
}

/// The operations guide lists every log key with its journal field name
/// (`tls_version` → `TLS_VERSION`), so a new key cannot go undocumented.
@Test(arguments: ConnectionRecord.keyOrder)
func everyLogKeyIsDocumented(key: String) throws {
    let guide = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/operations.md")
    let words = try String(contentsOf: guide, encoding: .utf8)
        .split(whereSeparator: { !($0.isUppercase || $0.isNumber || $0 == "_") })
    #expect(words.contains(Substring(key.uppercased())))
}
