import EventLog
import Foundation

/// What one log line turned out to be. Each line is judged on its own, so a
/// stderr log and `journalctl -o json` output can be concatenated.
public enum RecordLine: Sendable, Equatable {
    /// A tlsfloord connection record.
    case connection(ReportRecord)
    /// A well-formed line that is not a connection record (startup, reload, another service, blank).
    case ignored
    /// Neither format, or a connection record missing its timestamp or keys.
    case malformed

    /// Journal fields tlsfloord writes are its log keys upper-cased behind this prefix
    /// (`tls_version` → `TLSFLOOR_TLS_VERSION`).
    static let journalFieldPrefix = JournalFieldName.metadataPrefix

    /// Classifies one line (without its newline): a JSON object is a `journalctl -o json`
    /// entry, anything else is read as tlsfloord's stderr `key=value` format.
    public static func parse(_ line: Substring) -> RecordLine {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        if trimmed.isEmpty { return .ignored }
        return trimmed.first == "{" ? parseJournalEntry(trimmed) : parseKeyValue(trimmed)
    }

    private static func parseKeyValue(_ line: Substring) -> RecordLine {
        guard let pairs = KeyValueFormatter.parse(line) else { return .malformed }
        let fields = Dictionary(pairs.map { ($0.key, $0.value) }) { first, _ in first }
        return record(fields, timestamp: fields["ts"].flatMap(ReportTimestamp.parse))
    }

    private static func parseJournalEntry(_ line: Substring) -> RecordLine {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)),
              let entry = object as? [String: Any]
        else { return .malformed }
        var fields: [String: String] = [:]
        for (name, value) in entry where name.hasPrefix(journalFieldPrefix) {
            if let text = journalText(value) {
                fields[name.dropFirst(journalFieldPrefix.count).lowercased()] = text
            }
        }
        let microseconds = (entry["__REALTIME_TIMESTAMP"] as? String).flatMap { Int64($0) }
        return record(fields, timestamp: microseconds.map { Date(timeIntervalSince1970: Double($0) / 1_000_000) })
    }

    /// journalctl prints a field as a string, as an array of byte values when it is not
    /// valid UTF-8, and as an array of those when the entry has the field more than once.
    private static func journalText(_ value: Any) -> String? {
        switch value {
        case let text as String: return text
        case let bytes as [Int]: return String(decoding: bytes.map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self)
        case let values as [Any]: return values.first.flatMap(journalText)
        default: return nil
        }
    }

    private static func record(_ fields: [String: String], timestamp: Date?) -> RecordLine {
        guard fields["event"] == "connection" else { return .ignored }
        guard let timestamp, let record = ReportRecord(timestamp: timestamp, fields: fields) else { return .malformed }
        return .connection(record)
    }
}
