import EventLog
import Foundation
import Logging
import Testing

/// The stderr line: `ts=… level=…`, the record's keys in the documented
/// order, any other keys sorted, `msg=` last.
@Suite struct StderrLogHandlerTests {
    static let instant = Date(timeIntervalSince1970: 1_696_032_000.25)  // 2023-09-30T00:00:00.250Z

    @Test func connectionRecordLine() {
        var record = ConnectionRecord(listener: "imaps", protocol: "imap", tlsMode: "implicit", client: "192.0.2.7:50000")
        record.outcome = .tlsVersionRefused
        record.offeredVersion = "TLSv1.0"
        record.legacy = .yes
        let line = StderrLogHandler.line(level: record.level, message: record.summary, metadata: record.metadata,
                                         date: Self.instant)
        #expect(line == "ts=2023-09-30T00:00:00.250Z level=notice event=connection listener=imaps protocol=imap "
                + "tls=implicit client=192.0.2.7:50000 outcome=tls_version_refused tls_version=- cipher=- sni=- "
                + "offered_version=TLSv1.0 legacy=yes backend=- bytes_in=0 bytes_out=0 duration_ms=0 error=- "
                + "msg=\"imaps: 192.0.2.7:50000 offered TLSv1.0: tls_version_refused\"")
    }

    @Test func otherKeysFollowSortedBeforeTheMessage() {
        let line = StderrLogHandler.line(level: .info, message: "listening on [::]:993",
                                         metadata: ["listen": "[::]:993", "inherited": "no", "event": "listening",
                                                    "listener": "imaps"],
                                         date: Self.instant)
        #expect(line == #"ts=2023-09-30T00:00:00.250Z level=info event=listening listener=imaps inherited=no listen=[::]:993 msg="listening on [::]:993""#)
    }

    @Test func lineParsesBackWithTheMessageIntact() throws {
        let message = "reload refused, previous configuration stays active: /etc/t.toml: tls.min_version: \"1.0\" is not one of \"1.2\", \"1.3\""
        let line = StderrLogHandler.line(level: .error, message: message,
                                         metadata: ["event": "reload", "outcome": "refused"], date: Self.instant)
        let fields = try #require(KeyValueFormatter.parse(line[...]))
        #expect(fields.map(\.key) == ["ts", "level", "event", "outcome", "msg"])
        #expect(fields.last?.value == message)
        #expect(!line.contains("\n"))
    }

    @Test func handlerWritesOneLinePerRecordAtOrAboveItsLevel() throws {
        var pipeEnds: [Int32] = [0, 0]
        try #require(pipe(&pipeEnds) == 0)
        defer { close(pipeEnds[0]) }
        var logger = Logger(label: "test") { _ in StderrLogHandler(level: .notice, fd: pipeEnds[1]) }
        logger.logLevel = .notice
        logger.info("not written")
        logger.notice("first", metadata: ["event": "start"])
        logger.warning("second\nline")
        close(pipeEnds[1])
        let output = FileHandle(fileDescriptor: pipeEnds[0]).readDataToEndOfFile()
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3)
        #expect(lines[0].contains(" level=notice event=start msg=first"))
        #expect(lines[1].hasSuffix(#" level=warning msg="second\nline""#))
        #expect(lines[2].isEmpty)
    }
}
