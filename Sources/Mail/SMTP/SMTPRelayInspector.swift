/// Watches an SMTP session after TLS until authentication is over.
///
/// - It records the login of `AUTH PLAIN` and `AUTH LOGIN` (RFC 4954), with
///   or without an initial response, and the outcome: 235 accepted, any
///   other final reply rejected.
/// - On a session that came through STARTTLS it removes `STARTTLS` from the
///   backend's EHLO reply and answers a client `STARTTLS` itself with
///   `503 5.5.1` instead of passing it on (RFC 3207 §4.2). The local answer
///   waits its turn behind replies still due from the backend, so pipelined
///   replies stay in order.
///
/// Client bytes are passed on line by line (a partial line waits for its
/// end); everything else is byte-exact. It stops reading commands after a
/// successful AUTH, when the client starts sending a message (DATA, BDAT),
/// after `maxCommands` commands, or on a line it cannot follow; it reads
/// replies until those of the commands it read are through (so their
/// rewrites still happen), or until a backend line it cannot follow.
/// Whatever it held is then passed on, as it is when a side closes.
public struct SMTPRelayInspector: RelayInspector, Sendable {
    /// What the next backend reply answers, in command order (RFC 2920).
    private enum Expected: Equatable, Sendable {
        case greeting
        case ehlo
        /// AUTH: 334 challenges until the final reply.
        case authentication
        case other
        /// tlsfloord's own answer, due once the replies before it are through.
        case localAnswer([UInt8])

        /// Whether replies must still be read for this entry after the
        /// commands stopped being read: a rewrite, the login's outcome or a
        /// local answer depends on it.
        var keepsRepliesRead: Bool {
            switch self {
            case .ehlo, .authentication, .localAnswer: true
            case .greeting, .other: false
            }
        }
    }

    private let limits: InspectorLimits
    private var commands: LineReader
    private var replies: LineReader
    private var heldEHLOReply: [Line] = []
    private var heldEHLOBytes = 0
    private var expected: [Expected]
    private var sasl: SASLObserver?
    private var commandCount = 0
    /// No more commands are read (login done, message content, budget, or
    /// something unreadable); replies may still be.
    private var steppingAside = false
    /// A backend line could not be followed: nothing more is read at all.
    private var gaveUpOnReplies = false

    public private(set) var login = LoginObservation()

    public var isDone: Bool {
        steppingAside && !readsReplies && commands.pending.isEmpty && replies.pending.isEmpty
    }

    /// - Parameter afterStartTLS: true on sessions that came through
    ///   STARTTLS, where tlsfloord consumed the backend's greeting; false on
    ///   465, where the greeting comes through the relay. Either way the
    ///   client already speaks TLS to tlsfloord, so STARTTLS disappears from
    ///   EHLO and a STARTTLS command is answered here.
    public init(afterStartTLS: Bool, limits: InspectorLimits = InspectorLimits()) {
        self.limits = limits
        commands = LineReader(maxLineLength: limits.maxLineLength, dropsOverlongLines: false)
        replies = LineReader(maxLineLength: limits.maxLineLength, dropsOverlongLines: false)
        expected = afterStartTLS ? [] : [.greeting]
    }

    public mutating func clientToBackend(_ bytes: [UInt8]) -> Inspection {
        guard !steppingAside else { return Inspection(forward: commands.drain() + bytes) }
        commands.append(bytes)
        var forward: [UInt8] = []
        var answer: [UInt8] = []
        while !steppingAside, let event = commands.next() {
            guard case .line(let line) = event else {
                steppingAside = true
                break
            }
            if var exchange = sasl {
                exchange.clientResponse(line.content)
                login.user = exchange.user ?? login.user
                sasl = exchange
                forward += line.raw
                continue
            }
            commandCount += 1
            if CommandWords(line.content).verb == "STARTTLS" {
                if expected.isEmpty { answer += SMTPReplies.tlsAlreadyActive } else {
                    expected.append(.localAnswer(SMTPReplies.tlsAlreadyActive))
                }
            } else {
                forward += line.raw
                observe(command: line.content)
            }
            if commandCount >= limits.maxCommands { steppingAside = true }
        }
        if steppingAside { forward += commands.drain() }
        return Inspection(forward: forward, answer: answer)
    }

    public mutating func backendToClient(_ bytes: [UInt8]) -> Inspection {
        guard readsReplies else { return Inspection(forward: replies.drain() + bytes) }
        replies.append(bytes)
        var forward: [UInt8] = []
        while readsReplies, let event = replies.next() {
            guard case .line(let line) = event, let reply = SMTPReplyLine(line.content) else {
                // Not a reply line (or an endless one, still in the reader):
                // stop interpreting and pass everything on, this line first.
                let unreadable: [UInt8] = if case .line(let line) = event { line.raw } else { [] }
                forward += giveUpOnReplies(after: unreadable)
                break
            }
            if expected.first == .ehlo {
                heldEHLOReply.append(line)
                heldEHLOBytes += line.content.count
                guard heldEHLOBytes <= limits.maxLineLength else {
                    // An endless EHLO reply: give up filtering rather than buffer it.
                    forward += giveUpOnReplies(after: [])
                    break
                }
                guard reply.isLast else { continue }
                heldEHLOBytes = 0
                forward += SMTPCapabilityFilter.removingStartTLS(from: heldEHLOReply)
                heldEHLOReply = []
            } else {
                forward += line.raw
            }
            if reply.isLast { forward += complete(reply) }
        }
        if !readsReplies { forward += replies.drain() }
        return Inspection(forward: forward)
    }

    public mutating func clientClosed() -> [UInt8] {
        steppingAside = true
        return commands.drain()
    }

    public mutating func backendClosed() -> [UInt8] { giveUpOnReplies(after: []) }

    /// Replies are read while commands are, and after that until the
    /// replies that still matter are through.
    private var readsReplies: Bool {
        !gaveUpOnReplies && (!steppingAside || expected.contains(where: \.keepsRepliesRead))
    }

    private mutating func observe(command line: [UInt8]) {
        let words = CommandWords(line)
        switch words.verb {
        case "EHLO":
            expected.append(.ehlo)
        case "AUTH":
            let arguments = words.argument.split(separator: UInt8(ascii: " "))
            guard let mechanism = arguments.first else {
                expected.append(.other)
                break
            }
            var exchange = SASLObserver(mechanism: mechanism)
            if arguments.count > 1 { exchange.clientResponse(arguments[1]) }
            login.mechanism = exchange.mechanism
            login.user = exchange.user
            sasl = exchange
            expected.append(.authentication)
        case "DATA", "BDAT":
            // Message content follows: never look at it.
            expected.append(.other)
            steppingAside = true
        default:
            expected.append(.other)
        }
    }

    /// Bookkeeping after a backend reply's last line; returns local answers now due.
    private mutating func complete(_ reply: SMTPReplyLine) -> [UInt8] {
        guard !expected.isEmpty else { return [] }  // unsolicited, e.g. 421 on timeout
        let answered = expected.removeFirst()
        if answered == .authentication {
            if reply.code == 334 {
                expected.insert(.authentication, at: 0)
            } else {
                sasl = nil
                login.conclude(reply.code == 235 ? .accepted : .rejected)
                if reply.code == 235 { steppingAside = true }
            }
        }
        return takeLocalAnswers(upToNextBackendReply: true)
    }

    private mutating func takeLocalAnswers(upToNextBackendReply: Bool) -> [UInt8] {
        var answers: [UInt8] = []
        var remaining: [Expected] = []
        for entry in expected {
            if case .localAnswer(let bytes) = entry, !upToNextBackendReply || remaining.isEmpty {
                answers += bytes
            } else {
                remaining.append(entry)
            }
        }
        expected = remaining
        return answers
    }

    /// Stops inspecting and returns everything held, in the order it came:
    /// the held EHLO lines, `unreadable` (the line already taken from the
    /// reader), the rest of the reader; local answers still due come last.
    private mutating func giveUpOnReplies(after unreadable: [UInt8]) -> [UInt8] {
        steppingAside = true
        gaveUpOnReplies = true
        let held = heldEHLOReply.flatMap(\.raw) + unreadable + replies.drain()
            + takeLocalAnswers(upToNextBackendReply: false)
        heldEHLOReply = []
        heldEHLOBytes = 0
        expected = []
        return held
    }
}
