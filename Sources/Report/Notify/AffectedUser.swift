import Foundation

/// A user who logged in over TLS 1.0/1.1, with each of their devices: the report's rows
/// (one per user and JA4, from a `ReportBuilder` with `legacyLoginsOnly`) gathered per user.
public struct AffectedUser: Sendable, Equatable {
    public let login: String
    /// Most recently seen first.
    public let devices: [ClientGroup]

    /// One entry per login name in `rows`, sorted by login so runs and logs read alike.
    public static func grouping(_ rows: [ClientGroup]) -> [AffectedUser] {
        let byLogin = Dictionary(grouping: rows.filter { $0.user != nil }) { $0.user ?? "" }
        return byLogin.keys.sorted().map { login in
            AffectedUser(login: login, devices: (byLogin[login] ?? []).sorted { $0.lastSeen > $1.lastSeen })
        }
    }
}
