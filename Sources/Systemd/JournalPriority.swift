import Logging

/// syslog priorities as journald's `PRIORITY=` field expects them (`syslog(3)`).
public enum JournalPriority {
    /// swift-log has no `alert`/`emergency`; `trace` and `debug` both map to `debug` (7).
    public static func forLevel(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}
