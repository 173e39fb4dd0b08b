/// Turns a log-metadata key into the journal field tlsfloor records it under.
public enum JournalFieldName {
    /// Prefix of every metadata field, so operators can tell tlsfloor's fields from systemd's own.
    public static let metadataPrefix = "TLSFLOOR_"

    /// journald drops fields whose names are longer than this.
    public static let maximumLength = 64

    /// `tls_version` → `TLSFLOOR_TLS_VERSION`. Letters are upper-cased and anything outside
    /// `[A-Z0-9_]` becomes `_`, because journald silently drops a field with any other character.
    public static func forMetadataKey(_ key: String) -> String {
        let sanitised = key.uppercased().unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "A"..."Z", "0"..."9", "_": Character(scalar)
            default: "_"
            }
        }
        return String((metadataPrefix + String(sanitised)).prefix(maximumLength))
    }
}
