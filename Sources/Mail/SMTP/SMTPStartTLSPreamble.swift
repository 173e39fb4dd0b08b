/// The SMTP conversation before TLS on ports 587 and 25 (RFC 3207): tlsfloord
/// greets, answers EHLO/HELO/NOOP/RSET/QUIT, refuses mail and AUTH in
/// plaintext, and on STARTTLS says 220 and stops reading.
public struct SMTPStartTLSPreamble: StartTLSPreamble, Sendable {
    private let hostname: String
    private var conversation: LineConversation<SMTPPreambleDialect>

    public init(hostname: String, limits: PreambleLimits = PreambleLimits()) {
        self.hostname = ReplyText.sanitizedHostname(hostname)
        conversation = LineConversation(dialect: SMTPPreambleDialect(hostname: self.hostname), limits: limits)
    }

    public mutating func greeting() -> [UInt8] { SMTPReplies.greeting(hostname: hostname) }

    public mutating func receive(_ bytes: [UInt8]) -> [PreambleAction] { conversation.receive(bytes) }
}

struct SMTPPreambleDialect: LineDialect {
    /// Commands that would carry credentials or mail in plaintext.
    private static let needTLS: Set<String> = ["AUTH", "MAIL", "RCPT", "DATA", "BDAT"]
    let hostname: String

    func respond(to line: [UInt8]) -> ConversationStep {
        let words = CommandWords(line)
        switch words.verb {
        case "":
            return .error(SMTPReplies.emptyCommand)
        case "EHLO":
            return words.hasArgument ? .reply(SMTPReplies.ehlo(hostname: hostname))
                                     : .error(SMTPReplies.missingDomain(verb: "EHLO"))
        case "HELO":
            return words.hasArgument ? .reply(SMTPReplies.helo(hostname: hostname))
                                     : .error(SMTPReplies.missingDomain(verb: "HELO"))
        case "NOOP", "RSET":
            return .reply(SMTPReplies.ok)
        case "QUIT":
            return .close(SMTPReplies.closing(hostname: hostname), reason: "client quit before STARTTLS")
        case "STARTTLS":
            return words.hasArgument ? .error(SMTPReplies.startTLSTakesNoArguments) : .startTLS(SMTPReplies.readyForTLS)
        case let verb where Self.needTLS.contains(verb):
            return .error(SMTPReplies.mustStartTLS)
        default:
            return .error(SMTPReplies.commandNotRecognized)
        }
    }

    var lineTooLong: ConversationStep { .error(SMTPReplies.lineTooLong) }

    func closingAfterTooManyErrors(reply: [UInt8]) -> [UInt8] { reply + SMTPReplies.tooManyErrors(hostname: hostname) }

    var tooManyCommands: [UInt8] { SMTPReplies.tooManyCommands(hostname: hostname) }
}
