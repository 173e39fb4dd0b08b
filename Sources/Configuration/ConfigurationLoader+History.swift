import Foundation

/// `[history]`: parsed into `HistorySettings`; errors name `history.KEY`.
extension Configuration {
    static func parseHistory(_ reader: TOMLReader?) throws -> HistorySettings? {
        guard var reader else { return nil }
        let store = try parseStore(reader.requiredString("store"), reader)
        var history = HistorySettings(store: store, instance: localHostName())
        if let path = try reader.string("password_file") {
            guard case .postgresql = store else {
                throw reader.error("password_file", "only a postgresql:// store takes a password")
            }
            history.password = try password(inFile: path, reader)
        }
        if let text = try reader.string("keep") {
            guard let keep = retention(text) else {
                throw reader.error("keep", "\"\(text)\" is not a retention time (use e.g. \"90d\", \"26w\" or \"48h\")")
            }
            history.keep = keep
        }
        history.anonymizeAddresses = try reader.bool("anonymize_addresses") ?? history.anonymizeAddresses
        if let instance = try reader.string("instance") {
            guard !instance.isEmpty, instance.count <= 253,
                  instance.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
            else { throw reader.error("instance", "\"\(instance)\" must be 1 to 253 letters, digits, '-', '_' or '.'") }
            history.instance = instance
        }
        if let size = try reader.int("queue_size") {
            guard (1...1_000_000).contains(size) else { throw reader.error("queue_size", "must be between 1 and 1000000") }
            history.queueSize = size
        }
        try reader.rejectUnknownKeys()
        return history
    }

    private static func parseStore(_ text: String, _ reader: TOMLReader) throws -> HistorySettings.Store {
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard path.hasPrefix("/"), !path.hasSuffix("/") else {
                throw reader.error("store", "\"\(text)\" needs an absolute file path, e.g. \"sqlite:/var/lib/tlsfloor/history.db\"")
            }
            return .sqlite(path: path)
        }
        if text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") {
            // user:password@ — anything between "//" and "@" holding a colon.
            let authority = text.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false).dropFirst(2).first ?? ""
            if let at = authority.lastIndex(of: "@"), authority[..<at].contains(":") {
                throw reader.error("store", "the URI carries a password; put it in password_file instead")
            }
            if text.contains("password=") {
                throw reader.error("store", "the URI carries a password; put it in password_file instead")
            }
            return .postgresql(uri: text)
        }
        throw reader.error("store", "\"\(text)\" is not a store (use \"sqlite:/path/history.db\" or \"postgresql://host/db\")")
    }

    /// Retention is counted in hours, days or weeks — longer than the timeouts `DurationParser` reads.
    private static func retention(_ text: String) -> Duration? {
        let units: [Character: Int64] = ["h": 3_600, "d": 86_400, "w": 604_800]
        guard let unit = text.last, let seconds = units[unit], text.dropLast().allSatisfy(\.isASCII),
              let count = Int64(text.dropLast()), (1...100_000).contains(count) else { return nil }
        return .seconds(count * seconds)
    }

    /// The first line of the file, as libpq's own password files hold it.
    private static func password(inFile path: String, _ reader: TOMLReader) throws -> String {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw reader.error("password_file", "cannot read \(path): \(readFailure(path))")
        }
        let password = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard !password.isEmpty else { throw reader.error("password_file", "\(path) is empty") }
        return password
    }
}
