import EventLog
/// Watches a POP3 session after TLS until the login is over, to record the
/// login name, mechanism and outcome: `USER`/`PASS` (RFC 1939 §7), `APOP`,
/// and `AUTH PLAIN|LOGIN` with or without an initial response (RFC 5034).
///
/// POP3 answers commands in order (also when pipelined, RFC 2449 §6.6), so
/// the inspector keeps a queue of what each backend reply answers. Bytes are
/// forwarded untouched and at once; the inspector only looks. It steps aside
/// after a successful login, after `maxCommands` commands, or on a line it
/// cannot follow.
public struct POP3LoginInspector: RelayInspector, Sendable {
    /// What the next backend reply answers.
    private enum Expected: Sendable {
        case greeting
        case userName
        case password
        /// AUTH with a mechanism: `+ ` continuations until `+OK`/`-ERR`.
        case authentication
        /// CAPA, or AUTH without arguments: on `+OK` a dot-terminated list follows.
        case listing
        case other
    }

    private let limits: InspectorLimits
    private var commands: LineReader
    private var responses: LineReader
    private var expected: [Expected]
    private var sasl: SASLObserver?
    private var inListing = false
    private var commandCount = 0

    public private(set) var login = LoginObservation()
    public private(set) var isDone = false

    /// - Parameter afterStartTLS: true when tlsfloord already consumed the
    ///   backend's greeting (STLS sessions); false when the greeting comes
    ///   through the relay (port 995).
    public init(afterStartTLS: Bool, limits: InspectorLimits = InspectorLimits()) {
        self.limits = limits
        commands = LineReader(maxLineLength: limits.maxLineLength)
        responses = LineReader(maxLineLength: limits.maxLineLength)
        expected = afterStartTLS ? [] : [.greeting]
    }

    public mutating func clientToBackend(_ bytes: [UInt8]) -> Inspection {
        guard !isDone else { return Inspection(forward: bytes) }
        commands.append(bytes)
        while !isDone, let event = commands.next() {
            switch event {
            case .overlong: isDone = true
            case .line(let line): observe(command: line.content)
            }
        }
        return Inspection(forward: bytes)
    }

    public mutating func backendToClient(_ bytes: [UInt8]) -> Inspection {
        guard !isDone else { return Inspection(forward: bytes) }
        responses.append(bytes)
        while !isDone, let event = responses.next() {
            switch event {
            case .overlong: isDone = true
            case .line(let line): observe(response: line.content)
            }
        }
        return Inspection(forward: bytes)
    }

    /// Bytes are forwarded as they come in both directions: none are ever held.
    public mutating func clientClosed() -> [UInt8] { [] }
    public mutating func backendClosed() -> [UInt8] { [] }

    private mutating func observe(command line: [UInt8]) {
        if var exchange = sasl {
            exchange.clientResponse(line)
            login.user = exchange.user ?? login.user
            sasl = exchange
            return
        }
        commandCount += 1
        let words = CommandWords(line)
        let arguments = words.argument.split(separator: UInt8(ascii: " "))
        switch words.verb {
        case "USER":
            login.mechanism = "USER"
            login.user = LogSafeText.clean(words.argument)
            expected.append(.userName)
        case "PASS":
            expected.append(.password)
        case "APOP":
            login.mechanism = "APOP"
            login.user = arguments.first.flatMap { LogSafeText.clean($0) }
            expected.append(.password)
        case "AUTH" where !arguments.isEmpty:
            var exchange = SASLObserver(mechanism: arguments[0])
            if arguments.count > 1 { exchange.clientResponse(arguments[1]) }
            login.mechanism = exchange.mechanism
            login.user = exchange.user
            sasl = exchange
            expected.append(.authentication)
        case "AUTH", "CAPA":
            expected.append(.listing)
        default:
            expected.append(.other)
        }
        if commandCount >= limits.maxCommands { isDone = true }
    }

    private mutating func observe(response line: [UInt8]) {
        if inListing {
            if line == [UInt8(ascii: ".")] { inListing = false }
            return
        }
        guard let answered = expected.first else { return }
        let positive = ASCII.hasPrefix(line, caseInsensitive: "+OK")
        let negative = ASCII.hasPrefix(line, caseInsensitive: "-ERR")
        if answered == .authentication, !positive, !negative { return }  // a `+ ` challenge
        expected.removeFirst()
        switch answered {
        case .userName:
            if negative { login.conclude(.rejected) }
        case .password, .authentication:
            sasl = nil
            login.conclude(positive ? .accepted : .rejected)
            if positive { isDone = true }
        case .listing:
            inListing = positive
        case .greeting, .other:
            break
        }
    }
}
