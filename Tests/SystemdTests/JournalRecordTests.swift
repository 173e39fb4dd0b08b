import EventLog
import Logging
import Testing
@testable import Systemd

struct JournalRecordTests {
    @Test func refusedConnectionBecomesExactFieldList() {
        let fields = JournalRecord.fields(
            level: .notice,
            message: "connection refused: TLS version below floor",
            metadata: [
                "event": "connection", "listener": "imaps", "client": "192.0.2.7:51234",
                "offered_version": "TLSv1.0", "outcome": "tls_version_refused", "ja4": "t10d1510h1_8c1a3b0e7f4d_5ea1d2e1c6a4",
            ]
        )
        #expect(fields.map(\.description) == [
            "MESSAGE=connection refused: TLS version below floor",
            "PRIORITY=5",
            "SYSLOG_IDENTIFIER=tlsfloord",
            "MESSAGE_ID=50ebfdfde33746e1a316784cf2e2d30c",
            "TLSFLOOR_CLIENT=192.0.2.7:51234",
            "TLSFLOOR_EVENT=connection",
            "TLSFLOOR_JA4=t10d1510h1_8c1a3b0e7f4d_5ea1d2e1c6a4",
            "TLSFLOOR_LISTENER=imaps",
            "TLSFLOOR_OFFERED_VERSION=TLSv1.0",
            "TLSFLOOR_OUTCOME=tls_version_refused",
        ])
    }

    @Test func recordWithoutIdOrMetadataHasOnlyTheBaseFields() {
        let fields = JournalRecord.fields(level: .info, message: "listening", metadata: [:])
        #expect(fields == [
            JournalField("MESSAGE", "listening"),
            JournalField("PRIORITY", "6"),
            JournalField("SYSLOG_IDENTIFIER", "tlsfloord"),
        ])
    }

    @Test func everyContractKeyGetsItsOwnField() {
        let keys = [
            "event", "listener", "protocol", "tls", "client", "tls_version", "cipher", "sni", "alpn",
            "offered_version", "offered_ciphers", "ja4", "cert", "outcome", "backend", "user", "login",
            "bytes_in", "bytes_out", "duration_ms", "error",
        ]
        let metadata = Logger.Metadata(uniqueKeysWithValues: keys.map { ($0, .string("v")) })
        let names = JournalRecord.fields(level: .info, message: "m", metadata: metadata).map(\.name)
        #expect(names == ["MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER"] + [
            "TLSFLOOR_ALPN", "TLSFLOOR_BACKEND", "TLSFLOOR_BYTES_IN", "TLSFLOOR_BYTES_OUT", "TLSFLOOR_CERT", "TLSFLOOR_CIPHER",
            "TLSFLOOR_CLIENT", "TLSFLOOR_DURATION_MS", "TLSFLOOR_ERROR", "TLSFLOOR_EVENT", "TLSFLOOR_JA4",
            "TLSFLOOR_LISTENER", "TLSFLOOR_LOGIN", "TLSFLOOR_OFFERED_CIPHERS", "TLSFLOOR_OFFERED_VERSION",
            "TLSFLOOR_OUTCOME", "TLSFLOOR_PROTOCOL", "TLSFLOOR_SNI", "TLSFLOOR_TLS", "TLSFLOOR_TLS_VERSION",
            "TLSFLOOR_USER",
        ])
    }

    @Test func multiLineValuesAreKeptWhole() {
        let fields = JournalRecord.fields(level: .error, message: "a\nb", metadata: ["error": "x\ny"])
        #expect(fields.first == JournalField("MESSAGE", "a\nb"))
        #expect(fields.last == JournalField("TLSFLOOR_ERROR", "x\ny"))
    }

    @Test(arguments: [
        (Logger.Level.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
    ])
    func priorityFollowsSyslog(level: Logger.Level, priority: Int) {
        #expect(JournalPriority.forLevel(level) == priority)
        let fields = JournalRecord.fields(level: level, message: "m", metadata: [:])
        #expect(fields.contains(JournalField("PRIORITY", String(priority))))
    }

    @Test(arguments: [
        ("tls_version", "TLSFLOOR_TLS_VERSION"),
        ("duration_ms", "TLSFLOOR_DURATION_MS"),
        ("Mixed.Case-key", "TLSFLOOR_MIXED_CASE_KEY"),
        ("client ip", "TLSFLOOR_CLIENT_IP"),
        ("größe", "TLSFLOOR_GR_SSE"),
        ("a=b", "TLSFLOOR_A_B"),
        ("", "TLSFLOOR_"),
    ])
    func metadataKeysBecomeValidFieldNames(key: String, name: String) {
        #expect(JournalFieldName.forMetadataKey(key) == name)
    }

    @Test func overlongKeysAreCutToWhatJournaldAccepts() {
        let name = JournalFieldName.forMetadataKey(String(repeating: "k", count: 100))
        #expect(name.count == 64)
        #expect(name.hasPrefix("TLSFLOOR_KKK"))
    }
}

struct JournalMessageIDTests {
    @Test(arguments: [
        ("tls_version_refused", JournalMessageID.tlsVersionRefused),
        ("legacy_explained", JournalMessageID.legacyExplained),
    ])
    func legacyConnectionOutcomesHaveIds(outcome: String, id: String) {
        #expect(JournalMessageID.forRecord(["event": "connection", "outcome": .string(outcome), "legacy": "yes"]) == id)
    }

    @Test func anAllowedLegacyClientIsARelayedSessionMarkedLegacy() {
        #expect(JournalMessageID.forRecord(["event": "connection", "outcome": "relayed", "legacy": "yes"])
            == JournalMessageID.legacyAllowed)
    }

    @Test(arguments: [
        ("start", JournalMessageID.start), ("reload", JournalMessageID.reload), ("stop", JournalMessageID.stop),
        ("ban", JournalMessageID.ban),
    ])
    func lifecycleEventsHaveIds(event: String, id: String) {
        #expect(JournalMessageID.forRecord(["event": .string(event)]) == id)
    }

    @Test(arguments: [
        ["event": "connection", "outcome": "relayed"],
        ["event": "connection"],
        ["outcome": "tls_version_refused"],
        ["event": "listen"],
        [:],
    ] as [Logger.Metadata])
    func everydayRecordsHaveNoId(metadata: Logger.Metadata) {
        #expect(JournalMessageID.forRecord(metadata) == nil)
    }

    @Test func idsAreDistinct128BitHex() {
        let ids = [
            JournalMessageID.tlsVersionRefused, JournalMessageID.legacyExplained, JournalMessageID.legacyAllowed,
            JournalMessageID.start, JournalMessageID.reload, JournalMessageID.stop, JournalMessageID.ban,
        ]
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.count == 32 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(id)")
        }
    }
}
