import CSQLite
import EventLog
import Foundation
import Logging
import Synchronization

/// A fresh directory under the system temp dir, removed by the caller.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("history-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func attempt(_ user: String, at time: Date = Date(), address: String = "192.0.2.77",
             result: LoginAttempt.Result = .accepted) -> LoginAttempt {
    var attempt = LoginAttempt(time: time, listener: "imaps", protocol: "imap", clientAddress: address, user: user,
                               result: result)
    attempt.tlsVersion = "TLSv1.3"
    attempt.cipher = "TLS_AES_256_GCM_SHA384"
    attempt.ja4 = "t13d1516h2_8daaf6152771_e5627efa2ab1"
    return attempt
}

/// Runs SQL on a SQLite file directly, as another program reading the store would; the rows as text.
@discardableResult
func sqlite(_ path: String, _ sql: String) -> [[String?]] {
    var database: OpaquePointer?
    guard sqlite3_open(path, &database) == SQLITE_OK else { return [] }
    defer { sqlite3_close(database) }
    var statement: OpaquePointer?
    guard sqlite3_prepare_v2(database, sql, -1, &statement, nil) == SQLITE_OK else { return [] }
    defer { sqlite3_finalize(statement) }
    var rows: [[String?]] = []
    while sqlite3_step(statement) == SQLITE_ROW {
        rows.append((0..<sqlite3_column_count(statement)).map { column in
            sqlite3_column_text(statement, column).map { String(cString: $0) }
        })
    }
    return rows
}

/// Keeps what is logged, for assertions on events.
final class CapturedLog: Sendable {
    struct Entry: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let entries = Mutex<[Entry]>([])

    var logger: Logger {
        Logger(label: "test") { _ in Handler(log: self) }
    }

    func events(_ name: String) -> [Entry] {
        entries.withLock { $0.filter { $0.metadata["event"] == name } }
    }

    fileprivate func append(_ entry: Entry) {
        entries.withLock { $0.append(entry) }
    }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            log.append(Entry(level: event.level, message: "\(event.message)",
                             metadata: (event.metadata ?? [:]).mapValues { "\($0)" }))
        }
    }
}

/// Polls `condition` for up to `seconds`.
func eventually(_ seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return condition()
}
