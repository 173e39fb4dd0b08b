import CSystemd
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where journal records go: the seam between the field mapping and the journal socket.
public protocol JournalSink: Sendable {
    func send(_ fields: [JournalField]) throws(SystemdError)
}

/// The system journal, through `sd_journal_sendv(3)` (the variadic `sd_journal_send` is not callable from Swift).
///
/// Without journald (`/run/systemd/journal/socket` absent) libsystemd drops records silently, so only
/// choose this sink when `JournalStream.isStderrJournal()` or the configuration asks for the journal.
public struct SystemJournal: JournalSink {
    public init() {}

    public func send(_ fields: [JournalField]) throws(SystemdError) {
        // One contiguous buffer of NAME=value entries; each iovec points into it. libsystemd itself
        // copes with newlines or binary data in a value.
        let entries = fields.map { Array("\($0.name)=\($0.value)".utf8) }
        var storage = entries.flatMap { $0 }
        let result = storage.withUnsafeMutableBytes { bytes -> Int32 in
            var offset = 0
            let vectors = entries.map { entry -> iovec in
                defer { offset += entry.count }
                return iovec(iov_base: bytes.baseAddress.map { $0 + offset }, iov_len: entry.count)
            }
            return sd_journal_sendv(vectors, Int32(vectors.count))
        }
        try SystemdError.check(result, "sd_journal_sendv")
    }
}
