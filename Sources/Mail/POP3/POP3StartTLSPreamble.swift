/// The POP3 conversation before TLS on port 110 (RFC 2595 §4): tlsfloord
/// greets, answers CAPA with STLS only, refuses USER/PASS/APOP/AUTH in
/// plaintext, and on STLS says +OK and stops reading.
public struct POP3StartTLSPreamble: StartTLSPreamble, Sendable {
    private let hostname: String
    private var conversation: LineConversation<POP3PreambleDialect>

    public init(hostname: String, limits: PreambleLimits = PreambleLimits()) {
        self.hostname = ReplyText.sanitizedHostname(hostname)
        conversation = LineConversation(dialect: POP3PreambleDialect(hostname: self.hostname), limits: limits)
    }

    public mutating func greeting() -> [UInt8] { POP3Replies.greeting(hostname: hostname) }

    public mutating func receive(_ bytes: [UInt8]) -> [PreambleAction] { conversation.receive(bytes) }
}

struct POP3PreambleDialect: LineDialect {
    private static let argumentlessCommands: Set<String> = ["CAPA", "STLS", "QUIT"]
    let hostname: String

    func respond(to line: [UInt8]) -> ConversationStep {
        let words = CommandWords(line)
        if Self.argumentlessCommands.contains(words.verb), words.hasArgument {
            return .error(POP3Replies.noArgumentsAllowed)
        }
        switch words.verb {
        case "CAPA":
            return .reply(POP3Replies.preTLSCapabilities)
        case "STLS":
            return .startTLS(POP3Replies.beginTLS)
        case "QUIT":
            return .close(POP3Replies.goodbye(hostname: hostname), reason: "client quit before STLS")
        case "USER", "PASS", "APOP", "AUTH":
            return .error(POP3Replies.loginNeedsTLS)
        default:
            return .error(POP3Replies.commandNotAvailable)
        }
    }

    var lineTooLong: ConversationStep { .error(POP3Replies.lineTooLong) }

    /// POP3 has no unsolicited replies: the closing line replaces the reply.
    func closingAfterTooManyErrors(reply: [UInt8]) -> [UInt8] { POP3Replies.tooManyErrors }

    var tooManyCommands: [UInt8] { POP3Replies.tooManyCommands }
}
