import CLibpq
import Foundation

/// The shared store: one PostgreSQL database that several tlsfloord instances write to, so a
/// user sees one history whichever instance their client reached. Talks through libpq's
/// blocking calls — on the writer thread, never a worker.
final class PostgreSQLStore: HistoryStore {
    private let connection: OpaquePointer
    /// Rows per INSERT statement: one round trip each, well below the 65535 parameters a statement may bind.
    private static let rowsPerStatement = 500
    /// Serialises concurrent migrations of instances starting together (any constant, ours).
    private static let migrationLock = 0x746c_7366_6c72

    init(uri: String, password: String?, access: HistoryStores.Access) throws(HistoryStoreError) {
        // Earlier entries are defaults the URI may override; the password file has the last word.
        // A server that vanishes without a reset holds the writer (never a worker) for about
        // 30 s, not the kernel's default of many minutes: unacknowledged data and idle probes time out.
        var parameters = [("connect_timeout", "10"), ("application_name", "tlsfloord"), ("tcp_user_timeout", "30000"),
                          ("keepalives_idle", "30"), ("keepalives_interval", "10"), ("keepalives_count", "3"),
                          ("dbname", uri)]
        if let password { parameters.append(("password", password)) }
        let keywords = parameters.map { strdup($0.0) }
        let values = parameters.map { strdup($0.1) }
        defer { (keywords + values).forEach { free($0) } }
        let handle = (keywords.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { keywordList in
            (values.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { valueList in
                PQconnectdbParams(keywordList.baseAddress, valueList.baseAddress, 1)
            }
        }
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            let reason = handle.map { Self.message(PQerrorMessage($0)) } ?? "out of memory"
            PQfinish(handle)
            throw HistoryStoreError("cannot connect to PostgreSQL: \(reason)")
        }
        connection = handle
        do throws(HistoryStoreError) {
            // "relation already exists, skipping" and the like would go to stderr otherwise.
            try run("SET client_min_messages = warning")
            switch access {
            case .write:
                try migrate()
            case .readOnly:
                try run("SET default_transaction_read_only = on")
                try HistorySchema.checkReadable(schemaVersion())
            }
        } catch {
            PQfinish(connection)
            throw error
        }
    }

    deinit {
        PQfinish(connection)
    }

    /// libpq's own parse of the URI, without connecting.
    static func problem(with uri: String) -> String? {
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(uri, &error) else {
            defer { PQfreemem(error) }
            return "not a PostgreSQL connection URI: \(message(error))"
        }
        PQconninfoFree(options)
        return nil
    }

    private func migrate() throws(HistoryStoreError) {
        try transaction { () throws(HistoryStoreError) in
            try run("SELECT pg_advisory_xact_lock(\(Self.migrationLock))")
            try run(HistorySchema.createVersionTable)
            let found = try schemaVersion()
            let statements = try HistorySchema.pending(from: found, .postgresql)
            for statement in statements { try run(statement) }
            if !statements.isEmpty {
                try run(found == nil ? "INSERT INTO tlsfloor_schema (version) VALUES (\(HistorySchema.version))"
                                     : "UPDATE tlsfloor_schema SET version = \(HistorySchema.version)")
            }
        }
    }

    private func schemaVersion() throws(HistoryStoreError) -> Int? {
        guard try run("SELECT to_regclass('tlsfloor_schema') IS NOT NULL").first?.first == "t" else { return nil }
        return try run("SELECT version FROM tlsfloor_schema").first?.first?.flatMap { Int($0) }
    }

    func insert(_ rows: [LoginRow]) throws(HistoryStoreError) {
        let columns = HistorySchema.columns
        try transaction { () throws(HistoryStoreError) in
            var start = 0
            while start < rows.count {
                let chunk = rows[start..<min(rows.count, start + Self.rowsPerStatement)]
                let tuples = chunk.indices.map { offset in
                    let base = (offset - start) * columns.count
                    // $1 of each tuple is the time, text that PostgreSQL converts.
                    return "(" + columns.indices.map { "$\(base + $0 + 1)" + ($0 == 0 ? "::timestamptz" : "") }
                        .joined(separator: ", ") + ")"
                }
                try run("INSERT INTO logins (\(columns.joined(separator: ", "))) VALUES \(tuples.joined(separator: ", "))",
                        chunk.flatMap(HistorySchema.values(of:)))
                start += chunk.count
            }
        }
    }

    func prune(before cutoff: Date, limit: Int) throws(HistoryStoreError) -> Int {
        let result = try execute("DELETE FROM logins WHERE id IN (SELECT id FROM logins WHERE time < $1::timestamptz LIMIT $2)",
                                 [HistoryTime.format(cutoff), String(limit)])
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    func rows(user: String, since: Date) throws(HistoryStoreError) -> [LoginRow] {
        let columns = HistorySchema.columns.dropFirst().joined(separator: ", ")
        let sql = #"SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), "# + columns
            + " FROM logins WHERE user_name = $1 AND time >= $2::timestamptz ORDER BY time DESC, id DESC"
        return try run(sql, [user, HistoryTime.format(since)]).compactMap(HistorySchema.row(from:))
    }

    // MARK: - libpq calls

    private func transaction(_ body: () throws(HistoryStoreError) -> Void) throws(HistoryStoreError) {
        try run("BEGIN")
        do throws(HistoryStoreError) {
            try body()
            try run("COMMIT")
        } catch {
            _ = try? run("ROLLBACK")
            throw error
        }
    }

    /// Every row of the result, every column as text (NULL: nil).
    @discardableResult
    private func run(_ sql: String, _ parameters: [String?] = []) throws(HistoryStoreError) -> [[String?]] {
        let result = try execute(sql, parameters)
        defer { PQclear(result) }
        return (0..<PQntuples(result)).map { row in
            (0..<PQnfields(result)).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            }
        }
    }

    /// The caller clears the result.
    private func execute(_ sql: String, _ parameters: [String?]) throws(HistoryStoreError) -> OpaquePointer {
        let copies = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        let result = copies.map { UnsafePointer($0) }.withUnsafeBufferPointer { values in
            PQexecParams(connection, sql, Int32(parameters.count), nil, values.baseAddress, nil, nil, 0)
        }
        guard let result else { throw HistoryStoreError("PostgreSQL: \(Self.message(PQerrorMessage(connection)))") }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let reason = Self.message(PQresultErrorMessage(result))
            PQclear(result)
            let verb = sql.split(separator: " ").first.map { $0.lowercased() } ?? "statement"
            throw HistoryStoreError("PostgreSQL: \(verb) failed: \(reason)")
        }
        return result
    }

    private static func message(_ text: UnsafePointer<CChar>?) -> String {
        text.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "unknown error"
    }
}
