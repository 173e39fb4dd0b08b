/// The IMAP conversation before TLS on port 143 (RFC 3501 §6.2.1, RFC 2595
/// §3.1, RFC 9051 §6.2.1): tlsfloord greets, answers CAPABILITY/NOOP/LOGOUT,
/// refuses logins in plaintext, and on STARTTLS says OK and stops reading.
public struct IMAPStartTLSPreamble: StartTLSPreamble, Sendable {
    private let hostname: String
    private var conversation: LineConversation<IMAPPreambleDialect>

    public init(hostname: String, limits: PreambleLimits = PreambleLimits()) {
        self.hostname = ReplyText.sanitizedHostname(hostname)
        conversation = LineConversation(dialect: IMAPPreambleDialect(), limits: limits)
    }

    public mutating func greeting() -> [UInt8] { IMAPReplies.greeting(hostname: hostname) }

    public mutating func receive(_ bytes: [UInt8]) -> [PreambleAction] { conversation.receive(bytes) }
}

struct IMAPPreambleDialect: LineDialect {
    private static let argumentlessCommands: Set<String> = ["CAPABILITY", "NOOP", "LOGOUT", "STARTTLS"]

    func respond(to line: [UInt8]) -> ConversationStep {
        guard let (tag, rest) = IMAPTag.split(line) else { return .error(IMAPReplies.missingTag) }
        let words = CommandWords(Array(rest))
        if Self.argumentlessCommands.contains(words.verb), words.hasArgument {
            return .error(IMAPReplies.noArgumentsAllowed(tag: tag, command: words.verb))
        }
        switch words.verb {
        case "":
            return .error(IMAPReplies.missingCommand(tag: tag))
        case "CAPABILITY":
            return .reply(IMAPReplies.capability(tag: tag))
        case "NOOP":
            return .reply(IMAPReplies.noop(tag: tag))
        case "LOGOUT":
            return .close(IMAPReplies.logout(tag: tag), reason: "client logged out before STARTTLS")
        case "STARTTLS":
            return .startTLS(IMAPReplies.beginTLS(tag: tag))
        case "LOGIN", "AUTHENTICATE":
            return .error(IMAPReplies.loginNeedsTLS(tag: tag))
        default:
            return .error(IMAPReplies.commandNotAvailable(tag: tag))
        }
    }

    var lineTooLong: ConversationStep { .error(IMAPReplies.lineTooLong) }

    func closingAfterTooManyErrors(reply: [UInt8]) -> [UInt8] { reply + IMAPReplies.tooManyErrors }

    var tooManyCommands: [UInt8] { IMAPReplies.tooManyCommands }
}
