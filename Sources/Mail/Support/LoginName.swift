/// A login name as it goes into the connection record.
enum LoginName {
    /// Longer names are cut; no real account name comes close.
    static let maxLength = 256

    /// Decodes a name a client sent: UTF-8 (invalid bytes replaced), control
    /// characters removed so the name cannot forge log lines, at most
    /// `maxLength` characters. Nil when nothing is left.
    static func clean(_ bytes: some Collection<UInt8>, maxLength: Int = maxLength) -> String? {
        let text = String(decoding: bytes.prefix(maxLength * 4), as: UTF8.self)
        let visible = text.unicodeScalars.filter { !$0.properties.generalCategory.isControl }
        let cleaned = String(String(String.UnicodeScalarView(visible)).prefix(maxLength))
        return cleaned.isEmpty ? nil : cleaned
    }
}

private extension Unicode.GeneralCategory {
    var isControl: Bool {
        switch self {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }
}
