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
public struct SMTPLegacyRefusal: LegacyRefusalSession, Sendable {
    private let message: String
    private let afterStartTLS: Bool
    private var conversation: LineConversation<SMTPRefusalDialect>

    /// - Parameter maxCommands: commands answered on 465 before closing.
    public init(message: String, afterStartTLS: Bool, hostname: String, maxCommands: Int = 3) {
        self.message = ReplyText.sanitizedMessage(message)
        self.afterStartTLS = afterStartTLS
        let dialect = SMTPRefusalDialect(message: self.message, hostname: ReplyText.sanitizedHostname(hostname),
                                         afterStartTLS: afterStartTLS)
        conversation = LineConversation(dialect: dialect,
                                        limits: PreambleLimits(maxLineLength: 1000, maxCommands: maxCommands,
                                                               maxErrors: maxCommands))
    }

    public mutating func greeting() -> [PreambleAction] {
        afterStartTLS ? [] : [.send(SMTPReplies.legacyGreeting(message: message))]
    }

    public mutating func receive(_ bytes: [UInt8]) -> [PreambleAction] { conversation.receive(bytes) }
}

struct SMTPRefusalDialect: LineDialect {
    let message: String
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
        afterStartTLS ? .close(SMTPReplies.legacyRefusal(message: message), reason: "TLS version below the floor, refusal sent")
                      : .reply(SMTPReplies.legacyBadSequence(message: message))
    }
}
