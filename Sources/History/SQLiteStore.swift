import CSQLite
import Foundation
import Glibc

/// The embedded store: one SQLite file in WAL mode, so that readers (`tlsfloord history`, the
/// webmail page) never wait for the writer, nor it for them.
final class SQLiteStore: HistoryStore {
    private let database: OpaquePointer
    private let path: String
    private var insertStatement: OpaquePointer?

    init(path: String, access: HistoryStores.Access) throws(HistoryStoreError) {
        self.path = path
        if access == .write { Self.createReadableByGroup(path) }
        let flags = switch access {
        case .write: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        case .readOnly: SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
        }
        var handle: OpaquePointer?
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let reason = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
            sqlite3_close_v2(handle)
            throw HistoryStoreError("cannot open \(path): \(reason)")
        }
        database = handle
        // A reader holding the file briefly (a checkpoint, another process) is waited for, on
        // this thread only.
        sqlite3_busy_timeout(database, 5_000)
        do throws(HistoryStoreError) {
            switch access {
            case .write:
                // Keep -wal and -shm when tlsfloord stops: a reader without write access to the
                // directory (the webmail page) cannot create them, and cannot read without them.
                var persist: Int32 = 1
                sqlite3_file_control(database, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
                try execute("PRAGMA journal_mode = WAL")
                try execute("PRAGMA synchronous = NORMAL")
                try migrate()
            case .readOnly:
                try HistorySchema.checkReadable(schemaVersion())
            }
        } catch {
            sqlite3_close_v2(database)
            throw error
        }
    }

    deinit {
        sqlite3_finalize(insertStatement)
        sqlite3_close_v2(database)
    }

    /// A new file is made 0640 whatever the umask (the unit's is 0077): the directory's group —
    /// set-group-ID, given to the web server — may read it. SQLite gives its -wal and -shm
    /// files the database file's mode. An error here shows again, with SQLite's words, at open.
    private static func createReadableByGroup(_ path: String) {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else { return }
        fchmod(fd, 0o640)
        Glibc.close(fd)
    }

    private func migrate() throws(HistoryStoreError) {
        // IMMEDIATE: a second writer on the same file waits here instead of migrating twice.
        try execute("BEGIN IMMEDIATE")
        do throws(HistoryStoreError) {
            try execute(HistorySchema.createVersionTable)
            let found = try schemaVersion()
            let statements = try HistorySchema.pending(from: found, .sqlite)
            for statement in statements { try execute(statement) }
            if !statements.isEmpty {
                try execute(found == nil ? "INSERT INTO tlsfloor_schema (version) VALUES (\(HistorySchema.version))"
                                         : "UPDATE tlsfloor_schema SET version = \(HistorySchema.version)")
            }
            try execute("COMMIT")
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private func schemaVersion() throws(HistoryStoreError) -> Int? {
        let hasTable = try query("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'tlsfloor_schema'")
        guard hasTable.first?.first??.first != "0" else { return nil }
        return try query("SELECT version FROM tlsfloor_schema").first?.first?.flatMap { Int($0) }
    }

    func insert(_ rows: [LoginRow]) throws(HistoryStoreError) {
        let statement = try preparedInsert()
        try execute("BEGIN IMMEDIATE")
        do throws(HistoryStoreError) {
            for row in rows {
                sqlite3_reset(statement)
                for (index, value) in HistorySchema.values(of: row).enumerated() {
                    bind(value, at: Int32(index + 1), in: statement)
                }
                guard sqlite3_step(statement) == SQLITE_DONE else { throw failure("insert") }
            }
            try execute("COMMIT")
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private func preparedInsert() throws(HistoryStoreError) -> OpaquePointer {
        if let insertStatement { return insertStatement }
        let placeholders = Array(repeating: "?", count: HistorySchema.columns.count).joined(separator: ", ")
        let statement = try prepare("INSERT INTO logins (\(HistorySchema.columns.joined(separator: ", "))) VALUES (\(placeholders))")
        insertStatement = statement
        return statement
    }

    func prune(before cutoff: Date, limit: Int) throws(HistoryStoreError) -> Int {
        let statement = try prepare("DELETE FROM logins WHERE id IN (SELECT id FROM logins WHERE time < ? LIMIT ?)")
        defer { sqlite3_finalize(statement) }
        bind(HistoryTime.format(cutoff), at: 1, in: statement)
        sqlite3_bind_int64(statement, 2, Int64(limit))
        guard sqlite3_step(statement) == SQLITE_DONE else { throw failure("prune") }
        return Int(sqlite3_changes(database))
    }

    func rows(user: String, since: Date) throws(HistoryStoreError) -> [LoginRow] {
        let sql = "SELECT \(HistorySchema.columns.joined(separator: ", ")) FROM logins "
            + "WHERE user_name = ? AND time >= ? ORDER BY time DESC, id DESC"
        return try query(sql, [user, HistoryTime.format(since)]).compactMap(HistorySchema.row(from:))
    }

    // MARK: - SQLite calls

    private func execute(_ sql: String) throws(HistoryStoreError) {
        guard sqlite3_exec(database, sql, nil, nil, nil) == SQLITE_OK else { throw failure(sql) }
    }

    private func prepare(_ sql: String) throws(HistoryStoreError) -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(database, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw failure(sql)
        }
        return statement
    }

    /// Every row of a query, every column as text.
    private func query(_ sql: String, _ parameters: [String] = []) throws(HistoryStoreError) -> [[String?]] {
        let statement = try prepare(sql)
        defer { sqlite3_finalize(statement) }
        for (index, value) in parameters.enumerated() { bind(value, at: Int32(index + 1), in: statement) }
        var rows: [[String?]] = []
        while true {
            switch sqlite3_step(statement) {
            case SQLITE_ROW:
                rows.append((0..<sqlite3_column_count(statement)).map { column in
                    sqlite3_column_text(statement, column).map { String(cString: $0) }
                })
            case SQLITE_DONE:
                return rows
            default:
                throw failure(sql)
            }
        }
    }

    private func bind(_ value: String?, at index: Int32, in statement: OpaquePointer) {
        if let value {
            sqlite3_bind_text(statement, index, value, -1, csqlite_transient())
        } else {
            sqlite3_bind_null(statement, index)
        }
    }

    private func failure(_ what: String) -> HistoryStoreError {
        let verb = what.split(separator: " ").first.map(String.init) ?? what
        return HistoryStoreError("\(path): \(verb.lowercased()) failed: \(String(cString: sqlite3_errmsg(database)))")
    }
}
