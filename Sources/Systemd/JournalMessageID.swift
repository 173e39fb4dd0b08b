import Logging

/// Fixed `MESSAGE_ID=` values for records operators filter on, e.g.
/// `journalctl MESSAGE_ID=9a4e0cf4c8f54c3b9dd2ab1f5a0c7e21`.
///
/// These are part of tlsfloor's interface (docs/operations.md lists them): never change a value.
public enum JournalMessageID {
    /// A client was refused because its TLS version is below the floor (TLS alert only).
    public static let tlsVersionRefused = "50ebfdfde33746e1a316784cf2e2d30c"
    /// A legacy client was refused with a protocol-appropriate explanation (IMAP/POP3/SMTP reply).
    public static let legacyExplained = "5ff93a662cc34a4e80814b9a2911db65"
    /// A legacy client was let through (grace period before `enforce_after`,
    /// `allow`, the served part of a ramp, or an exempt network).
    public static let legacyAllowed = "94b56bbc99bb442890da8a343c9db686"
    /// A legacy client got the ramp's temporary refusal.
    public static let legacyRamped = "3c1f0b7e52d94d6f9a3e8b61c2d07a45"
    /// The daemon started and is serving.
    public static let start = "aa6d1f5922ce4a82a389d8bc6c5d7c16"
    /// A configuration reload was applied (or rejected: see the record's `error`).
    public static let reload = "76db926eebff434a8cc90689d9ea3284"
    /// The daemon is stopping.
    public static let stop = "fcb544a3d8d44f28a81774dce2e4790f"
    /// A client address was banned after failed logins (`[abuse]`).
    public static let ban = "58ccbac61b6e4140ba968e0d623e5932"

    /// The id for a record, chosen by its `event` (and for connections its `outcome`) metadata;
    /// nil for records nobody filters on by id.
    public static func forRecord(_ metadata: Logger.Metadata) -> String? {
        switch (stringValue(metadata["event"]), stringValue(metadata["outcome"])) {
        case ("connection", "tls_version_refused"): tlsVersionRefused
        case ("connection", "legacy_explained"): legacyExplained
        case ("connection", "legacy_ramped"): legacyRamped
        // An allowed legacy client is relayed like any other, marked `legacy=yes` or `exempt`.
        case ("connection", _) where metadata["legacy"] != nil: legacyAllowed
        case ("start", _): start
        case ("reload", _): reload
        case ("stop", _): stop
        case ("ban", _): ban
        default: nil
        }
    }

    private static func stringValue(_ value: Logger.MetadataValue?) -> String? {
        value.map(\.description)
    }
}
