/// `[history]`: the login history store (docs/history.md). Absent: no history is kept.
public struct HistorySettings: Equatable, Sendable {
    /// Where the rows go; the schema is the same in both.
    public enum Store: Equatable, Sendable, CustomStringConvertible {
        /// `sqlite:/var/lib/tlsfloor/history.db`: one file, one tlsfloord.
        case sqlite(path: String)
        /// `postgresql://…` (a libpq URI without a password): several tlsfloord instances share one history.
        case postgresql(uri: String)

        public var description: String {
            switch self {
            case .sqlite(let path): "sqlite:\(path)"
            case .postgresql(let uri): uri
            }
        }
    }

    public var store: Store
    /// The PostgreSQL password, read from `password_file` at every load (never from the URI,
    /// which ends up in logs and in a world-readable configuration).
    public var password: String?
    /// Rows older than this are deleted in the background.
    public var keep: Duration = .seconds(90 * 86_400)
    /// Store client addresses cut to their /24 (IPv4) or /48 (IPv6) network.
    public var anonymizeAddresses = false
    /// The `instance` column: which tlsfloord saw the login. Default: the machine's host name.
    public var instance: String
    /// Login records waiting for the writer; beyond this they are dropped and counted.
    public var queueSize = 10_000

    public init(store: Store, instance: String) {
        self.store = store
        self.instance = instance
    }
}
