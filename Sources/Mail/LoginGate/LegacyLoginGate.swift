/// Lets a legacy client in only as one of the operator's exempt users
/// (`legacy.exempt_users`). The client's TLS 1.0/1.1 handshake completes and
/// the backend greets it, but the gate holds every client command that could
/// carry a credential until the login names its user: an exempt user's
/// commands then go on (the gate opens for good), anyone else gets the
/// refusal in its protocol and the session ends — their credentials never
/// reach the backend. Commands that carry none (IMAP CAPABILITY, POP3 CAPA,
/// SMTP EHLO) pass before the login; anything else gets the refusal.
///
/// Where a mechanism needs a continuation before its first response, the
/// gate answers the client itself and later swallows the backend's own
/// continuation for it, so the client sees each exactly once.
///
/// It wraps the listener's normal inspector, which sees every byte that
/// passes and keeps recording the login for the log.
public struct LegacyLoginGate: RelayInspector {
    private enum State {
        case gating, open, refused
    }

    private var dialect: any LoginGateDialect
    private var inner: any RelayInspector
    private let exemptUsers: Set<String>
    private let message: String
    private let kind: LegacyRefusalKind
    private var state = State.gating
    private var commands: LineReader
    /// The command being read, not passed on yet.
    private var held: [UInt8] = []
    private var literalRemaining = 0
    /// A SASL exchange whose first response (the next line) names the user.
    private var pendingSASL: SASLObserver?
    private var continuationsToSwallow = 0
    private var backendLines: LineReader
    private var attemptedUser: String?

    /// The exempt user the gate let in, if it did.
    public private(set) var admittedUser: String?

    /// - Parameters:
    ///   - exemptUsers: logins compared without regard to ASCII case.
    ///   - kind: the refusal's kind (`temporary` during the ramp).
    init(dialect: any LoginGateDialect, inner: any RelayInspector, exemptUsers: [String], message: String,
         kind: LegacyRefusalKind, limits: InspectorLimits) {
        self.dialect = dialect
        self.inner = inner
        self.exemptUsers = Set(exemptUsers.map(Self.folded))
        self.message = ReplyText.sanitizedMessage(message)
        self.kind = kind
        commands = LineReader(maxLineLength: limits.maxLineLength)
        backendLines = LineReader(maxLineLength: limits.maxLineLength, dropsOverlongLines: false)
    }

    public var isDone: Bool { state == .open && continuationsToSwallow == 0 && inner.isDone }

    public var login: LoginObservation {
        if state == .open { return inner.login }
        // The inner inspector saw what passed before the login, such as IMAP ID.
        let seen = inner.login
        return LoginObservation(user: attemptedUser, result: attemptedUser == nil ? .none : .rejected,
                                clientName: seen.clientName, clientVersion: seen.clientVersion)
    }

    public mutating func clientToBackend(_ bytes: [UInt8]) -> Inspection {
        switch state {
        case .open: return inner.clientToBackend(bytes)
        case .refused: return Inspection(forward: [])
        case .gating: break
        }
        commands.append(bytes)
        var passed = Inspection(forward: [])
        while state == .gating {
            if literalRemaining > 0 {
                let chunk = commands.take(upTo: literalRemaining)
                guard !chunk.isEmpty else { break }
                literalRemaining -= chunk.count
                held += chunk
                dialect.literal(chunk, complete: literalRemaining == 0)
                continue
            }
            guard let event = commands.next() else { break }
            guard case .line(let line) = event else {
                return refuse(after: passed, reason: "a line too long to follow before the login")
            }
            held += line.raw
            switch verdict(on: line) {
            case .pass:
                pass(held, into: &passed)
                held = []
            case let .literal(size, synchronizing):
                literalRemaining = size
                if synchronizing { answerClient(dialect.literalContinuation, in: &passed) }
            case let .challenge(continuation, exchange):
                pendingSASL = exchange
                answerClient(continuation, in: &passed)
            case .login(let user):
                attemptedUser = user
                guard let user, exemptUsers.contains(Self.folded(user)) else {
                    return refuse(after: passed, reason: "legacy client logging in as \(user ?? "an unreadable name"), not an exempt user")
                }
                state = .open
                admittedUser = user
                pass(held + commands.drain(), into: &passed)
                held = []
            case .refuse:
                return refuse(after: passed, reason: "legacy client sent a command other than a login")
            }
        }
        return passed
    }

    public mutating func backendToClient(_ bytes: [UInt8]) -> Inspection {
        guard continuationsToSwallow > 0 || !backendLines.pending.isEmpty else { return inner.backendToClient(bytes) }
        backendLines.append(bytes)
        var shown: [UInt8] = []
        while continuationsToSwallow > 0, let event = backendLines.next() {
            guard case .line(let line) = event else { break }
            if dialect.isContinuation(line) {
                continuationsToSwallow -= 1
            } else {
                // No continuation came (the backend refused the command): nothing left to swallow.
                continuationsToSwallow = 0
                shown += line.raw
            }
        }
        if continuationsToSwallow == 0 { shown += backendLines.drain() }
        return inner.backendToClient(shown)
    }

    /// What the gate holds is a command it has not let through: dropped.
    public mutating func clientClosed() -> [UInt8] {
        state == .open ? inner.clientClosed() : []
    }

    public mutating func backendClosed() -> [UInt8] {
        let unswallowed = backendLines.drain()
        return inner.backendToClient(unswallowed).forward + inner.backendClosed()
    }

    private mutating func verdict(on line: Line) -> GateVerdict {
        guard var exchange = pendingSASL else { return dialect.judge(line) }
        pendingSASL = nil
        exchange.clientResponse(line.content)
        return .login(exchange.user)
    }

    private mutating func pass(_ bytes: [UInt8], into inspection: inout Inspection) {
        let passed = inner.clientToBackend(bytes)
        inspection.forward += passed.forward
        inspection.answer += passed.answer
    }

    private mutating func answerClient(_ continuation: [UInt8], in inspection: inout Inspection) {
        inspection.answer += continuation
        continuationsToSwallow += 1
    }

    private mutating func refuse(after passed: Inspection, reason: String) -> Inspection {
        state = .refused
        held = []
        _ = commands.drain()
        return Inspection(forward: passed.forward, answer: passed.answer + dialect.refusal(message: message, kind: kind),
                          refusal: reason)
    }

    /// Logins compare without regard to ASCII case, as mail servers treat them.
    private static func folded(_ user: String) -> String { ASCII.uppercased(user.utf8) }
}
