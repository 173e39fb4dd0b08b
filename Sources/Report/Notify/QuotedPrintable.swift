/// The MIME encodings a notice needs to carry German text through any MTA as 7-bit ASCII:
/// quoted-printable bodies (RFC 2045 §6.7) and `=?UTF-8?Q?…?=` header words (RFC 2047).
enum QuotedPrintable {
    /// The body, lines ending in CRLF, none longer than 76 characters (soft breaks `=`).
    /// A line starting with `From ` gets its `F` encoded, so an mbox on the way cannot
    /// turn it into `>From `.
    static func encode(body: String) -> String {
        let body = body.replacing("\r\n", with: "\n")
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.map(encode(line:)).joined(separator: "\r\n") + (body.hasSuffix("\n") ? "" : "\r\n")
    }

    private static func encode(line: Substring) -> String {
        let bytes = Array(line.utf8)
        var output = "", current = ""
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                || ((byte == 0x20 || byte == 0x09) && !isLast)
            let fromLine = index == 0 && line.hasPrefix("From ")
            let token = literal && !fromLine ? String(UnicodeScalar(byte)) : hex(byte)
            // Room for the token plus the soft break's `=` within 76.
            if current.count + token.count > (isLast ? 76 : 75) {
                output += current + "=\r\n"
                current = ""
            }
            current += token
        }
        return output + current
    }

    /// One header value as encoded words of at most 75 characters each, split between
    /// characters (never inside a UTF-8 sequence), for the folding in `MailMessage`.
    static func encodedWords(_ value: String) -> [String] {
        let prefix = "=?UTF-8?Q?", suffix = "?="
        let room = 75 - prefix.count - suffix.count
        var words: [String] = [], current = ""
        for character in value {
            let encoded = character.utf8.map(headerToken).joined()
            if current.count + encoded.count > room {
                words.append(prefix + current + suffix)
                current = ""
            }
            current += encoded
        }
        if !current.isEmpty { words.append(prefix + current + suffix) }
        return words
    }

    /// RFC 2047 §5 (3): letters, digits and `!*+-/` as they are, space as `_`, the rest `=XX`.
    private static func headerToken(_ byte: UInt8) -> String {
        if byte == 0x20 { return "_" }
        let plain = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || "!*+-/".utf8.contains(byte)
        return plain ? String(UnicodeScalar(byte)) : hex(byte)
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "=" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}
