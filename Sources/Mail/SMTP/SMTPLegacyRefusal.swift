/// What a client below the TLS floor sees on SMTP when the operator chose to
/// explain.
///
/// - Implicit TLS (465): the greeting is `554 5.7.0 <message>` (RFC 5321 §3.1
///   allows 554 in place of 220). The server must then wait for QUIT, so
///   QUIT gets 221 and every other command `503 5.5.1 <message>`; after a
///   few commands tlsfloord closes with 421.
/// - After STARTTLS (587/25): the client had its greeting in plaintext and
///   gets none after TLS, so the refusal is the reply to its next command
///   (normally EHLO): `554 5.7.0 <message>`, then the close. 554 rather than
///   530: 530 means "authenticate" or "start TLS first" (RFC 4954, RFC 3207),
///   both wrong here, while 554 is SMTP's permanent "no service for you" and
///   stops clients from retrying silently.
/// - The ramp's temporary refusal, on either: `421 4.7.0 <message>` in
///   place of that greeting or reply, then the close.
public struct SMTPLegacyRefusal: LegacyRefusalSession, Sendable {
    private let message: String
    private let kind: LegacyRefusalKind
    private let afterStartTLS: Bool
    private var conversation: LineConversation<SMTPRefusalDialect>

    /// - Parameter maxCommands: commands answered on 465 before closing.
    public init(message: String, kind: LegacyRefusalKind = .permanent, afterStartTLS: Bool, hostname: String,
                maxCommands: Int = 3) {
        self.message = ReplyText.sanitizedMessage(message)
        self.kind = kind
        self.afterStartTLS = afterStartTLS
        let dialect = SMTPRefusalDialect(message: self.message, kind: kind, hostname: ReplyText.sanitizedHostname(hostname),
                                         afterStartTLS: afterStartTLS)
        conversation = LineConversation(dialect: dialect,
                                        limits: PreambleLimits(maxLineLength: 1000, maxCommands: maxCommands,
                                                               maxErrors: maxCommands))
    }

    public mutating func greeting() -> [PreambleAction] {
        switch (kind, afterStartTLS) {
        case (_, true): []
        case (.permanent, false): [.send(SMTPReplies.legacyGreeting(message: message))]
        case (.temporary, false): [.send(SMTPReplies.legacyTemporaryRefusal(message: message)), .close(reason: Self.closeReason)]
        }
    }

    static let closeReason = "TLS version below the floor, refusal sent"

    public mutating func receive(_ bytes: [UInt8]) -> [PreambleAction] { conversation.receive(bytes) }
}

struct SMTPRefusalDialect: LineDialect {
    let message: String
    let kind: LegacyRefusalKind
    let hostname: String
    let afterStartTLS: Bool

    func respond(to line: [UInt8]) -> ConversationStep {
        if CommandWords(line).verb == "QUIT" {
            return .close(SMTPReplies.closing(hostname: hostname), reason: "client quit after the legacy refusal")
        }
        return refusal
    }

    var lineTooLong: ConversationStep { refusal }
    func closingAfterTooManyErrors(reply: [UInt8]) -> [UInt8] { reply }
    var tooManyCommands: [UInt8] { SMTPReplies.legacyClosing(hostname: hostname, message: message) }

    private var refusal: ConversationStep {
        switch (kind, afterStartTLS) {
        case (.temporary, _): .close(SMTPReplies.legacyTemporaryRefusal(message: message), reason: SMTPLegacyRefusal.closeReason)
        case (.permanent, true): .close(SMTPReplies.legacyRefusal(message: message), reason: SMTPLegacyRefusal.closeReason)
        case (.permanent, false): .reply(SMTPReplies.legacyBadSequence(message: message))
        }
    }
}
