/// Everything one `tlsfloord report` run prints: the per-user rows and, with `--by`
/// (or for the HTML page), the legacy share per period.
public struct Report: Sendable {
    public var rows: [ClientGroup]
    public var trend: Trend?

    public init(rows: [ClientGroup], trend: Trend? = nil) {
        self.rows = rows
        self.trend = trend
    }
}
