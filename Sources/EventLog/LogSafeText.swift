/// Text a client chose — a login name, a client ID, the SNI host name, ALPN
/// protocol names — made safe for one log line.
public enum LogSafeText {
    /// Longer texts are cut; no real account or host name comes close.
    public static let maxLength = 256

    /// Decodes what a client sent: UTF-8 (invalid bytes replaced), control
    /// and format characters removed — line breaks, U+2028/U+2029 and bidi
    /// overrides, which could forge or visually reorder log lines — at most
    /// `maxLength` characters. Nil when nothing is left.
    public static func clean(_ bytes: some Collection<UInt8>, maxLength: Int = maxLength) -> String? {
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
