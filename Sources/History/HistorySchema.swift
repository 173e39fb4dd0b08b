import EventLog

/// The versioned schema of docs/history.md. `tlsfloor_schema` holds one row with the version the
/// tables are at; the writer applies the migrations above it, in one transaction, at open.
/// A migration is only ever appended: released ones never change.
enum HistorySchema {
    /// What this tlsfloord writes and reads.
    static let version = 1

    enum Dialect {
        case sqlite, postgresql
    }

    static let createVersionTable = "CREATE TABLE IF NOT EXISTS tlsfloor_schema (version INTEGER NOT NULL)"

    /// `migrations(d)[n]` takes the tables from version n to n + 1.
    static func migrations(_ dialect: Dialect) -> [[String]] {
        let (id, time) = switch dialect {
        case .sqlite: ("INTEGER PRIMARY KEY", "TEXT NOT NULL")
        case .postgresql: ("BIGSERIAL PRIMARY KEY", "TIMESTAMPTZ NOT NULL")
        }
        return [
            [
                """
                CREATE TABLE logins (
                    id \(id),
                    time \(time),
                    user_name TEXT NOT NULL,
                    protocol TEXT NOT NULL,
                    listener TEXT NOT NULL,
                    tls_version TEXT,
                    cipher TEXT,
                    ja4 TEXT,
                    client_name TEXT,
                    client_version TEXT,
                    client_address TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    refusal_kind TEXT,
                    instance TEXT NOT NULL
                )
                """,
                "CREATE INDEX logins_user_time ON logins (user_name, time DESC)",
                "CREATE INDEX logins_time ON logins (time)",
            ],
        ]
    }

    /// The statements that bring a store at `found` (nil: no version row yet) to `version`.
    static func pending(from found: Int?, _ dialect: Dialect) throws(HistoryStoreError) -> [String] {
        let current = found ?? 0
        guard current <= version else {
            throw HistoryStoreError("the store's schema is at version \(current); this tlsfloord knows up to \(version) (update tlsfloord)")
        }
        return migrations(dialect)[current...].flatMap { $0 }
    }

    /// The read side: a version this tlsfloord can read.
    static func checkReadable(_ found: Int?) throws(HistoryStoreError) {
        guard let found else { throw HistoryStoreError("the store has no login history yet (no tlsfloor_schema row)") }
        guard found == version else {
            throw HistoryStoreError("the store's schema is at version \(found); this tlsfloord reads version \(version)")
        }
    }

    /// The columns as `rows` selects and `insert` binds them, in order.
    static let columns = ["time", "user_name", "protocol", "listener", "tls_version", "cipher", "ja4", "client_name",
                          "client_version", "client_address", "outcome", "refusal_kind", "instance"]

    /// One row's values in `columns` order, as text (NULL: nil).
    static func values(of row: LoginRow) -> [String?] {
        let attempt = row.attempt
        return [HistoryTime.format(attempt.time), attempt.user, attempt.protocol, attempt.listener, attempt.tlsVersion,
                attempt.cipher, attempt.ja4, attempt.clientName, attempt.clientVersion, attempt.clientAddress,
                attempt.result.rawValue, attempt.refusalKind, row.instance]
    }

    /// The inverse of `values`; nil for a row this version cannot read (a time or outcome it does not know).
    static func row(from values: [String?]) -> LoginRow? {
        guard values.count == columns.count, let timeText = values[0], let time = HistoryTime.parse(timeText),
              let user = values[1], let proto = values[2], let listener = values[3], let address = values[9],
              let outcomeText = values[10], let result = LoginAttempt.Result(rawValue: outcomeText), let instance = values[12]
        else { return nil }
        var attempt = LoginAttempt(time: time, listener: listener, protocol: proto, clientAddress: address, user: user,
                                   result: result)
        attempt.tlsVersion = values[4]
        attempt.cipher = values[5]
        attempt.ja4 = values[6]
        attempt.clientName = values[7]
        attempt.clientVersion = values[8]
        attempt.refusalKind = values[11]
        return LoginRow(attempt: attempt, instance: instance)
    }
}
