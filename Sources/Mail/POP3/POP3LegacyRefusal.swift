/// What a client below the TLS floor sees on POP3 when the operator chose to
/// explain. A `-ERR` greeting is not defined by RFC 1939 and clients show it
/// poorly, so tlsfloord greets with `+OK` (on 995 only: after STLS on 110
/// there is no second greeting, RFC 2595 §4) and answers every command with
/// `-ERR [SYS/PERM] <message>` — the reply to USER, PASS or CAPA is what
/// clients show — except QUIT, which gets `+OK` and the close. After a few
/// commands the connection is closed anyway. The ramp's temporary refusal
/// is the same with `-ERR [SYS/TEMP]`.
public struct POP3LegacyRefusal: LegacyRefusalSession, Sendable {
    private let hostname: String
    private let afterStartTLS: Bool
    private var conversation: LineConversation<POP3RefusalDialect>

    /// - Parameter maxCommands: commands answered before closing.
    public init(message: String, kind: LegacyRefusalKind = .permanent, afterStartTLS: Bool, hostname: String,
                maxCommands: Int = 3) {
        self.hostname = ReplyText.sanitizedHostname(hostname)
        self.afterStartTLS = afterStartTLS
        let refusal = POP3Replies.legacyRefusal(message: ReplyText.sanitizedMessage(message), kind: kind)
        let dialect = POP3RefusalDialect(refusal: refusal, hostname: self.hostname)
        conversation = LineConversation(dialect: dialect,
                                        limits: PreambleLimits(maxLineLength: 1000, maxCommands: maxCommands,
                                                               maxErrors: maxCommands))
    }

    public mutating func greeting() -> [PreambleAction] {
        afterStartTLS ? [] : [.send(POP3Replies.greeting(hostname: hostname))]
    }

    public mutating func receive(_ bytes: [UInt8]) -> [PreambleAction] { conversation.receive(bytes) }
}

struct POP3RefusalDialect: LineDialect {
    let refusal: [UInt8]
    let hostname: String

    func respond(to line: [UInt8]) -> ConversationStep {
        if CommandWords(line).verb == "QUIT" {
            return .close(POP3Replies.goodbye(hostname: hostname), reason: "client quit after the legacy refusal")
        }
        return .reply(refusal)
    }

    var lineTooLong: ConversationStep { .reply(refusal) }
    func closingAfterTooManyErrors(reply: [UInt8]) -> [UInt8] { reply }
    var tooManyCommands: [UInt8] { refusal }
}
