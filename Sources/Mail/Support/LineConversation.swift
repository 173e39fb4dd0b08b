/// How a line-based dialect answers one command line.
enum ConversationStep: Equatable, Sendable {
    /// A normal reply.
    case reply([UInt8])
    /// A reply to a command that was wrong or refused; counts toward the error limit.
    case error([UInt8])
    /// The go-ahead for TLS; everything after this line is discarded.
    case startTLS([UInt8])
    /// A last reply, then the connection ends.
    case close([UInt8], reason: String)
}

/// The protocol-specific half of a `LineConversation`: what to say.
protocol LineDialect: Sendable {
    func respond(to line: [UInt8]) -> ConversationStep
    /// The answer to a line longer than the limit.
    var lineTooLong: ConversationStep { get }
    /// What to send when the error limit is reached, given the reply to the
    /// command that reached it (SMTP and IMAP send both; POP3, which has no
    /// unsolicited replies, sends only the closing one).
    func closingAfterTooManyErrors(reply: [UInt8]) -> [UInt8]
    /// The last words when the command limit is exceeded, instead of a reply.
    var tooManyCommands: [UInt8] { get }
}

/// The mechanics shared by every plaintext line conversation tlsfloord holds
/// itself (STARTTLS preambles, legacy refusals): split lines, count commands
/// and errors, and stop dead after a `startTLS` or `close`.
///
/// Stopping dead is the security property: bytes a client pipelined after
/// STARTTLS (CVE-2011-0411 class) are dropped here, in the same call and in
/// every later one, and never answered or handed on.
struct LineConversation<Dialect: LineDialect>: Sendable {
    let dialect: Dialect
    let limits: PreambleLimits
    private var reader: LineReader
    private var commands = 0
    private var errors = 0
    private var finished = false

    init(dialect: Dialect, limits: PreambleLimits) {
        self.dialect = dialect
        self.limits = limits
        self.reader = LineReader(maxLineLength: limits.maxLineLength)
    }

    mutating func receive(_ bytes: [UInt8]) -> [PreambleAction] {
        guard !finished else { return [] }
        reader.append(bytes)
        var actions: [PreambleAction] = []
        while !finished, let event = reader.next() {
            actions += handle(event)
        }
        if finished { _ = reader.drain() }
        return actions
    }

    private mutating func handle(_ event: LineReader.Event) -> [PreambleAction] {
        commands += 1
        if commands > limits.maxCommands {
            finished = true
            return [.send(dialect.tooManyCommands), .close(reason: "too many commands")]
        }
        let step: ConversationStep
        switch event {
        case .line(let line): step = dialect.respond(to: line.content)
        case .overlong: step = dialect.lineTooLong
        }
        switch step {
        case .reply(let bytes):
            return [.send(bytes)]
        case .error(let bytes):
            errors += 1
            guard errors >= limits.maxErrors else { return [.send(bytes)] }
            finished = true
            return [.send(dialect.closingAfterTooManyErrors(reply: bytes)), .close(reason: "too many errors")]
        case .startTLS(let bytes):
            finished = true
            return [.send(bytes), .startTLS]
        case .close(let bytes, let reason):
            finished = true
            return [.send(bytes), .close(reason: reason)]
        }
    }
}
