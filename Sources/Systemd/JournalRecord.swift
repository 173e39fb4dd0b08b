import EventLog
import Logging

/// The pure mapping from a swift-log record to journal fields: everything the journal handler
/// decides, with no I/O, so tests can assert the exact field list.
public enum JournalRecord {
    /// `SYSLOG_IDENTIFIER` of every record (what `journalctl -t tlsfloord` matches).
    public static let syslogIdentifier = "tlsfloord"

    /// Fields in a stable order: `MESSAGE`, `PRIORITY`, `SYSLOG_IDENTIFIER`, `MESSAGE_ID` (when the record
    /// has one), then one `TLSFLOOR_<KEY>` field per metadata key, sorted by key.
    public static func fields(
        level: Logger.Level,
        message: Logger.Message,
        metadata: Logger.Metadata
    ) -> [JournalField] {
        var fields = [
            JournalField("MESSAGE", message.description),
            JournalField("PRIORITY", String(JournalPriority.forLevel(level))),
            JournalField("SYSLOG_IDENTIFIER", syslogIdentifier),
        ]
        if let id = JournalMessageID.forRecord(metadata) {
            fields.append(JournalField("MESSAGE_ID", id))
        }
        for key in metadata.keys.sorted() {
            if let value = metadata[key] {
                fields.append(JournalField(JournalFieldName.forMetadataKey(key), value.description))
            }
        }
        return fields
    }
}
