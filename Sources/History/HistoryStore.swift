import Configuration
import Foundation

/// One open connection to a login history store. Blocking calls, used by one thread at a time:
/// the writer thread, or `tlsfloord history`.
public protocol HistoryStore: AnyObject {
    /// Adds the rows in one transaction: all of them or none.
    func insert(_ rows: [LoginRow]) throws(HistoryStoreError)
    /// Deletes up to `limit` rows older than `cutoff`; returns how many went. Small steps, so
    /// that a long-neglected table does not hold one huge transaction.
    func prune(before cutoff: Date, limit: Int) throws(HistoryStoreError) -> Int
    /// `user`'s rows from `since` on, newest first.
    func rows(user: String, since: Date) throws(HistoryStoreError) -> [LoginRow]
}

/// Why a store could not be opened, or a statement failed; `description` is what gets logged.
public struct HistoryStoreError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Opens the store `[history] store` names.
public enum HistoryStores {
    public enum Access: Sendable {
        /// The writer: creates the tables, or migrates them to `HistorySchema.version`.
        case write
        /// `tlsfloord history`: reads, and refuses a schema it does not know.
        case readOnly
    }

    public static func open(_ settings: HistorySettings, access: Access) throws(HistoryStoreError) -> HistoryStore {
        switch settings.store {
        case .sqlite(let path): try SQLiteStore(path: path, access: access)
        case .postgresql(let uri): try PostgreSQLStore(uri: uri, password: settings.password, access: access)
        }
    }
}

extension HistoryStores {
    /// What `tlsfloord check` can see wrong with the store without opening it or touching the
    /// network: a missing directory for the SQLite file, a URI that libpq cannot parse.
    public static func problem(with settings: HistorySettings) -> String? {
        switch settings.store {
        case .sqlite(let path):
            let directory = (path as NSString).deletingLastPathComponent
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                return "directory \(directory) does not exist (create it, writable by the user tlsfloord runs as)"
            }
            return nil
        case .postgresql(let uri):
            return PostgreSQLStore.problem(with: uri)
        }
    }
}
