/// Text tlsfloord puts into its own replies.
enum ReplyText {
    /// A reply line with its CRLF.
    static func line(_ text: String) -> [UInt8] { Array(text.utf8) + [13, 10] }

    /// Several reply lines, each with its CRLF.
    static func lines(_ texts: [String]) -> [UInt8] { texts.flatMap(line) }

    /// The longest operator message tlsfloord puts into a reply; the
    /// configuration allows the same, and an SMTP reply line (at most 512
    /// bytes, RFC 5321 §4.5.3.1.5) still fits with code and host name.
    static let maxMessageLength = 400

    /// Makes operator-supplied text safe for a single reply line: printable
    /// ASCII only (replies are 7-bit text), no CR/LF that could start a forged
    /// reply, at most `maxMessageLength` characters. Falls back to a generic
    /// text when nothing printable is left.
    static func sanitizedMessage(_ message: String) -> String {
        let printable = message.unicodeScalars.map { scalar -> Character in
            (0x20...0x7E).contains(scalar.value) ? Character(scalar) : " "
        }
        let collapsed = String(printable).split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        let trimmed = String(collapsed.prefix(maxMessageLength))
        return trimmed.isEmpty ? "Your mail program uses an outdated, insecure connection. Please update it." : trimmed
    }

    /// A host name for a reply: the characters a host name may have, so a bad
    /// value can never break the reply's syntax.
    static func sanitizedHostname(_ hostname: String) -> String {
        let allowed = hostname.unicodeScalars.filter { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-.:[]".unicodeScalars.contains(scalar))
        }
        let cleaned = String(String.UnicodeScalarView(allowed.prefix(255)))
        return cleaned.isEmpty ? "localhost" : cleaned
    }
}
