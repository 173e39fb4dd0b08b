import Foundation

/// Which connections a report covers.
public struct ReportFilter: Sendable {
    /// Only connections at or after this time.
    public var since: Date?
    /// Only rows with at least one connection below the TLS floor.
    public var legacyOnly: Bool
    /// Only connections below the floor that logged in: the devices `notify` tells their users about.
    /// A refused connection has no user to write to, and a TLS 1.2 device of the same user needs no change.
    public var legacyLoginsOnly: Bool

    public init(since: Date? = nil, legacyOnly: Bool = false, legacyLoginsOnly: Bool = false) {
        self.since = since
        self.legacyOnly = legacyOnly
        self.legacyLoginsOnly = legacyLoginsOnly
    }

    func admits(_ record: ReportRecord) -> Bool {
        if let since, record.timestamp < since { return false }
        return !legacyLoginsOnly || record.isLegacyLogin
    }

    func admits(_ row: ClientGroup) -> Bool {
        !legacyOnly || row.isLegacy
    }
}
