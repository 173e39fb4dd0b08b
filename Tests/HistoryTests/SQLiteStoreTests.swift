import Configuration
import Foundation
@testable import History
import Testing

@Suite struct SQLiteStoreTests {
    let directory: URL
    let path: String
    let settings: HistorySettings

    init() throws {
        directory = try temporaryDirectory()
        path = directory.appendingPathComponent("history.db").path
        settings = HistorySettings(store: .sqlite(path: path), instance: "edge-1")
    }

    @Test func aNewFileGetsTheSchemaOfDocsHistoryMd() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try HistoryStores.open(settings, access: .write)
        #expect(sqlite(path, "SELECT version FROM tlsfloor_schema") == [["1"]])
        let columns = sqlite(path, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('logins') ORDER BY cid")
        #expect(columns == [
            ["id", "INTEGER", "0", "1"], ["time", "TEXT", "1", "0"], ["user_name", "TEXT", "1", "0"],
            ["protocol", "TEXT", "1", "0"], ["listener", "TEXT", "1", "0"], ["tls_version", "TEXT", "0", "0"],
            ["cipher", "TEXT", "0", "0"], ["ja4", "TEXT", "0", "0"], ["client_name", "TEXT", "0", "0"],
            ["client_version", "TEXT", "0", "0"], ["client_address", "TEXT", "1", "0"], ["outcome", "TEXT", "1", "0"],
            ["refusal_kind", "TEXT", "0", "0"], ["instance", "TEXT", "1", "0"],
        ])
        let indexes = sqlite(path, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'logins' ORDER BY name")
        #expect(indexes == [["logins_time"], ["logins_user_time"]])
        #expect(sqlite(path, "PRAGMA journal_mode") == [["wal"]])
    }

    @Test func reopeningAStoreAtTheCurrentVersionKeepsItsRows() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try HistoryStores.open(settings, access: .write).insert([LoginRow(attempt: attempt("alice"), instance: "edge-1")])
        _ = try HistoryStores.open(settings, access: .write)
        #expect(sqlite(path, "SELECT count(*) FROM logins") == [["1"]])
        #expect(sqlite(path, "SELECT count(*) FROM tlsfloor_schema") == [["1"]])
    }

    @Test func aStoreFromANewerTlsfloordIsRefusedForWritingAndReading() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        sqlite(path, "CREATE TABLE tlsfloor_schema (version INTEGER NOT NULL)")
        sqlite(path, "INSERT INTO tlsfloor_schema VALUES (2)")
        #expect { try HistoryStores.open(settings, access: .write) } throws: { "\($0)".contains("at version 2") }
        #expect { try HistoryStores.open(settings, access: .readOnly) } throws: { "\($0)".contains("at version 2") }
        #expect(sqlite(path, "SELECT name FROM sqlite_master WHERE name = 'logins'").isEmpty, "nothing was migrated")
    }

    @Test func migrationsApplyFromTheStoredVersionUp() throws {
        #expect(try HistorySchema.pending(from: nil, .sqlite).count == 3)
        #expect(try HistorySchema.pending(from: 1, .sqlite).isEmpty)
        #expect(try HistorySchema.pending(from: nil, .postgresql).first?.contains("BIGSERIAL PRIMARY KEY") == true)
        #expect(try HistorySchema.pending(from: nil, .postgresql).first?.contains("time TIMESTAMPTZ NOT NULL") == true)
    }

    @Test func aReaderFindsNoHistoryInAFileTheWriterNeverOpened() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        sqlite(path, "CREATE TABLE unrelated (x)")
        #expect { try HistoryStores.open(settings, access: .readOnly) } throws: { "\($0)".contains("no login history yet") }
    }

    @Test func rowsComeBackNewestFirstForOneUserSinceAnInstant() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try HistoryStores.open(settings, access: .write)
        let now = Date()
        var refused = attempt("alice", at: now.addingTimeInterval(-60), result: .refusedLegacy)
        refused.tlsVersion = "TLSv1.0"
        refused.refusalKind = "temporary"
        refused.clientName = "Microsoft Outlook"
        refused.clientVersion = "14.0"
        let rows = [
            attempt("alice", at: now.addingTimeInterval(-86_400 * 40)), refused,
            attempt("bob", at: now.addingTimeInterval(-30)), attempt("alice", at: now, result: .rejected),
        ].map { LoginRow(attempt: $0, instance: "edge-1") }
        try store.insert(rows)
        let read = try HistoryStores.open(settings, access: .readOnly)
            .rows(user: "alice", since: now.addingTimeInterval(-86_400 * 30))
        #expect(read.map(\.attempt.result) == [.rejected, .refusedLegacy])
        #expect(read[1].attempt.refusalKind == "temporary" && read[1].isLegacy && !read[0].isLegacy)
        #expect(read[1].attempt.clientName == "Microsoft Outlook" && read[1].instance == "edge-1")
        #expect(HistoryTime.format(read[0].attempt.time) == HistoryTime.format(now))
        #expect(sqlite(path, "SELECT time FROM logins WHERE user_name = 'bob'").first?.first??.hasSuffix("Z") == true)
    }

    @Test func pruningDeletesOnlyRowsOlderThanTheCutoffInSteps() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try HistoryStores.open(settings, access: .write)
        let now = Date()
        let ages: [Double] = [100, 95, 91, 89, 10, 0]
        try store.insert(ages.map { LoginRow(attempt: attempt("alice", at: now.addingTimeInterval(-$0 * 86_400)), instance: "e") })
        let cutoff = now.addingTimeInterval(-90 * 86_400)
        #expect(try store.prune(before: cutoff, limit: 2) == 2)
        #expect(try store.prune(before: cutoff, limit: 2) == 1)
        #expect(try store.prune(before: cutoff, limit: 2) == 0)
        #expect(try store.rows(user: "alice", since: .distantPast).count == 3)
    }
}
