import Foundation
import Logging

/// swift-log handler writing one `key=value` line per record to stderr:
/// `ts=… level=… event=… … msg="…"`. Each line goes out in one write(2),
/// so lines from different threads never interleave.
public struct StderrLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let fd: Int32

    public init(level: Logger.Level, fd: Int32 = STDERR_FILENO) {
        self.logLevel = level
        self.fd = fd
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.isEmpty ? event.metadata ?? [:] : metadata.merging(event.metadata ?? [:]) { $1 }
        let line = Self.line(level: event.level, message: event.message.description, metadata: merged, date: Date())
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }

    /// The formatted line without its newline (exposed for tests).
    public static func line(level: Logger.Level, message: String, metadata: Logger.Metadata, date: Date) -> String {
        var fields: [(key: String, value: String)] = [("ts", timestamp(date)), ("level", level.rawValue)]
        fields.reserveCapacity(metadata.count + 3)
        for key in KeyValueFormatter.leadingKeys {
            if let value = metadata[key] { fields.append((key, "\(value)")) }
        }
        // A connection record has only leading keys: no sorting for it.
        if fields.count - 2 < metadata.count {
            for key in metadata.keys.sorted() where !KeyValueFormatter.leadingKeySet.contains(key) {
                fields.append((key, "\(metadata[key]!)"))
            }
        }
        fields.append(("msg", message))
        return KeyValueFormatter.format(fields)
    }

    /// RFC 3339 in UTC with milliseconds, built by hand: Foundation's
    /// `String(format:)` costs more than the rest of the line.
    static func timestamp(_ date: Date) -> String {
        var time = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&time, &parts)
        let millis = Int(date.timeIntervalSince1970 * 1000) % 1000
        func padded(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return padded(parts.tm_year + 1900, 4) + "-" + padded(parts.tm_mon + 1, 2) + "-" + padded(parts.tm_mday, 2)
            + "T" + padded(parts.tm_hour, 2) + ":" + padded(parts.tm_min, 2) + ":" + padded(parts.tm_sec, 2)
            + "." + padded(Int32(millis), 3) + "Z"
    }
}
