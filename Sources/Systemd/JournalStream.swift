#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Detects whether a stream is connected to journald, as systemd announces in `JOURNAL_STREAM`
/// (`<device>:<inode>` of the stream it set up as stdout/stderr).
///
/// The check compares that pair with the descriptor itself because `JOURNAL_STREAM` is inherited
/// by children whose stderr was redirected elsewhere.
public enum JournalStream {
    /// True when stderr (fd 2) is the journal stream systemd gave this service:
    /// `log.target = "auto"` then logs natively to the journal instead of key=value lines.
    public static func isStderrJournal() -> Bool {
        let announced = getenv("JOURNAL_STREAM").map { String(cString: $0) }
        return isJournal(descriptor: STDERR_FILENO, announcedAs: announced)
    }

    /// Whether `descriptor` is the stream `announcedAs` (a `JOURNAL_STREAM` value) names.
    public static func isJournal(descriptor: Int32, announcedAs value: String?) -> Bool {
        guard let value, let (device, inode) = parse(value) else { return false }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }

    /// `"8:12345"` → `(8, 12345)`; nil for anything else.
    static func parse(_ value: String) -> (device: UInt64, inode: UInt64)? {
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return nil }
        return (device, inode)
    }
}
