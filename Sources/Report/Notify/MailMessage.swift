import Foundation

/// One notice as an RFC 5322 message: the headers `notify` owns (Date, From, To, Message-ID,
/// MIME, `Auto-Submitted` so vacation responders stay quiet, RFC 3834), the template's own
/// headers, and a UTF-8 text body in quoted-printable — 7-bit clean, so no MTA on the way
/// has to convert it and no line is too long for SMTP.
public struct MailMessage: Sendable {
    public let sender: NoticeSender
    public let recipient: MailAddress
    public let date: Date
    /// Without angle brackets: `f3c1…@example.org`.
    public let messageID: String
    public let headers: [(name: String, value: String)]
    public let body: String

    public init(sender: NoticeSender, recipient: MailAddress, date: Date, messageID: String,
                headers: [(name: String, value: String)], body: String) {
        self.sender = sender
        self.recipient = recipient
        self.date = date
        self.messageID = messageID
        self.headers = headers
        self.body = body
    }

    /// A fresh Message-ID in the sender's domain.
    public static func newMessageID(domain: String) -> String {
        "\(UUID().uuidString.lowercased())@\(domain)"
    }

    /// The whole message, CRLF line ends, ready for DATA (before dot-stuffing) or sendmail.
    public var text: String {
        let fields: [(String, String)] = [
            ("Date", Self.rfc5322Date(date)),
            ("From", from),
            ("To", recipient.description),
        ] + headers.map { ($0.name, $0.value) } + [
            ("Message-ID", "<\(messageID)>"),
            ("Auto-Submitted", "auto-generated"),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", "quoted-printable"),
        ]
        return fields.map { Self.fold(name: $0.0, words: Self.words($0.1)) }.joined() + "\r\n"
            + QuotedPrintable.encode(body: body)
    }

    private var from: String {
        guard let name = sender.displayName else { return sender.address.description }
        let phrase = name.allSatisfy(\.isASCII)
            ? "\"" + name.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
            : QuotedPrintable.encodedWords(name).joined(separator: " ")
        return "\(phrase) <\(sender.address)>"
    }

    /// ASCII values fold at their spaces; anything else becomes encoded words.
    private static func words(_ value: String) -> [String] {
        value.allSatisfy(\.isASCII)
            ? value.split(separator: " ").map(String.init)
            : QuotedPrintable.encodedWords(value)
    }

    /// `Name: word word`, folded (CRLF + space) before a word that would pass 78 characters —
    /// right after the colon when even the first word does not fit (a long encoded word).
    private static func fold(name: String, words: [String]) -> String {
        var lines = ["\(name):"]
        for word in words {
            if let last = lines.last, last.count + 1 + word.count > 78 {
                lines.append(" " + word)
            } else {
                lines[lines.count - 1] += " " + word
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// `Mon, 30 Nov 2026 04:00:00 +0000` (RFC 5322 §3.3), in UTC.
    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
