import Logging
import Synchronization
import Testing
@testable import Systemd

/// Keeps what the handler would have sent to journald.
final class RecordingSink: JournalSink {
    private let records = Mutex<[[JournalField]]>([])

    func send(_ fields: [JournalField]) throws(SystemdError) {
        records.withLock { $0.append(fields) }
    }

    var sent: [[JournalField]] { records.withLock { $0 } }
}

struct JournalLogHandlerTests {
    private func logger(_ sink: RecordingSink, level: Logger.Level = .info) -> Logger {
        Logger(label: "tlsfloord") { _ in JournalLogHandler(logLevel: level, sink: sink) }
    }

    @Test func logsOneRecordWithLoggerAndCallMetadata() {
        let sink = RecordingSink()
        var log = logger(sink)
        log[metadataKey: "listener"] = "smtps"
        log.warning("backend unavailable", metadata: ["event": "connection", "backend": "127.0.0.1:10587"])

        #expect(sink.sent == [[
            JournalField("MESSAGE", "backend unavailable"),
            JournalField("PRIORITY", "4"),
            JournalField("SYSLOG_IDENTIFIER", "tlsfloord"),
            JournalField("TLSFLOOR_BACKEND", "127.0.0.1:10587"),
            JournalField("TLSFLOOR_EVENT", "connection"),
            JournalField("TLSFLOOR_LISTENER", "smtps"),
        ]])
    }

    @Test func callMetadataOverridesLoggerMetadata() {
        let sink = RecordingSink()
        var log = logger(sink)
        log[metadataKey: "listener"] = "imaps"
        log.info("reload", metadata: ["event": "reload", "listener": "all"])
        #expect(sink.sent.first?.contains(JournalField("TLSFLOOR_LISTENER", "all")) == true)
        #expect(sink.sent.first?.contains(JournalField("MESSAGE_ID", JournalMessageID.reload)) == true)
    }

    @Test func metadataProviderContributes() {
        let sink = RecordingSink()
        let provider = Logger.MetadataProvider { ["listener": "pop3s"] }
        let log = Logger(label: "tlsfloord") { _ in JournalLogHandler(sink: sink, metadataProvider: provider) }
        log.info("x")
        #expect(sink.sent.first?.contains(JournalField("TLSFLOOR_LISTENER", "pop3s")) == true)
    }

    @Test func recordsBelowTheLevelAreNotSent() {
        let sink = RecordingSink()
        let log = logger(sink, level: .notice)
        log.info("too chatty")
        log.notice("kept")
        #expect(sink.sent.map { $0.first?.value } == ["kept"])
    }

    @Test func anAttachedErrorIsRecordedUnlessTheRecordNamesOne() {
        struct BackendRefused: Error, CustomStringConvertible {
            var description: String { "connection refused by 127.0.0.1:143" }
        }
        let sink = RecordingSink()
        let handler = JournalLogHandler(sink: sink)
        func event(_ metadata: Logger.Metadata) -> LogEvent {
            LogEvent(level: .error, message: "backend down", error: BackendRefused(), metadata: metadata,
                     source: nil, file: #fileID, function: #function, line: #line)
        }
        handler.log(event: event([:]))
        handler.log(event: event(["error": "timeout"]))
        #expect(sink.sent.map { $0.last } == [
            JournalField("TLSFLOOR_ERROR", "connection refused by 127.0.0.1:143"),
            JournalField("TLSFLOOR_ERROR", "timeout"),
        ])
    }
}
