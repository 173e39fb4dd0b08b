import Logging

/// A swift-log handler that writes each record to the journal as native fields
/// (see `JournalRecord.fields` for the mapping), so operators can query e.g.
/// `journalctl -u tlsfloord TLSFLOOR_OUTCOME=tls_version_refused`.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let sink: any JournalSink

    /// - Parameters:
    ///   - sink: `SystemJournal()` in the daemon; a recording sink in tests.
    public init(
        logLevel: Logger.Level = .info,
        sink: any JournalSink = SystemJournal(),
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.logLevel = logLevel
        self.sink = sink
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() {
            merged.merge(provided) { _, new in new }
        }
        if let explicit = event.metadata {
            merged.merge(explicit) { _, new in new }
        }
        if let error = event.error, merged["error"] == nil {
            merged["error"] = "\(error)"
        }
        // A logger must not fail its caller, and there is nowhere better to report a lost record.
        try? sink.send(JournalRecord.fields(level: event.level, message: event.message, metadata: merged))
    }
}
