import EventLog
/// Watches an IMAP session after TLS until the login is over, to record the
/// login name, mechanism and outcome, and the client's `ID` (RFC 2971).
///
/// It reads `LOGIN user pass` (quoted, atom or literal user name),
/// `AUTHENTICATE PLAIN|LOGIN` with or without an initial response
/// (RFC 4959), and the backend's tagged OK/NO/BAD for that command. Bytes are
/// forwarded untouched and at once; the inspector only looks.
///
/// It steps aside after a successful login plus a few commands (clients
/// often send `ID` right after logging in), or when the client has sent
/// `maxCommands` commands without logging in, or on a line it cannot follow.
///
/// On implicit TLS (993) the backend's greeting comes through the relay: it
/// is held until complete and refused if it is `* PREAUTH`, which would
/// hand the client a session logged in without credentials (RFC 3501
/// §7.1.4) just because tlsfloord's address is trusted by the backend.
public struct IMAPLoginInspector: RelayInspector, Sendable {
    /// Commands watched after a successful login, for a late `ID`.
    private static let commandsWatchedAfterLogin = 3

    private struct PendingLogin: Sendable {
        var tag: [UInt8]
        /// Set for AUTHENTICATE: until the tagged reply, client lines are SASL responses.
        var sasl: SASLObserver?
    }

    private let limits: InspectorLimits
    private var commands: IMAPCommandReader
    private var responses: LineReader
    private var pending: PendingLogin?
    private var commandCount = 0
    private var commandsSinceLogin = 0
    private var sawID = false

    /// The backend greeting still to be checked (implicit TLS only).
    private var checksGreeting: Bool
    private var heldGreeting: [UInt8] = []
    private var steppedAside = false

    public private(set) var login = LoginObservation()
    public var isDone: Bool { steppedAside && !checksGreeting }

    /// - Parameter checksGreeting: true where the backend's greeting comes
    ///   through the relay (993); false after STARTTLS, where it was consumed.
    public init(checksGreeting: Bool, limits: InspectorLimits = InspectorLimits()) {
        self.checksGreeting = checksGreeting
        self.limits = limits
        commands = IMAPCommandReader(maxLineLength: limits.maxLineLength)
        responses = LineReader(maxLineLength: limits.maxLineLength)
    }

    public mutating func clientToBackend(_ bytes: [UInt8]) -> Inspection {
        guard !steppedAside else { return Inspection(forward: bytes) }
        commands.append(bytes)
        while !steppedAside, let event = commands.next() {
            switch event {
            case .unreadable: steppedAside = true
            case .command(let tokens): observe(command: tokens)
            }
        }
        return Inspection(forward: bytes)
    }

    public mutating func backendToClient(_ bytes: [UInt8]) -> Inspection {
        guard checksGreeting else { return observe(responses: bytes) }
        heldGreeting += bytes
        guard heldGreeting.contains(UInt8(ascii: "\n")) else {
            // No line end in sight: not a greeting worth holding any longer.
            if heldGreeting.count > limits.maxLineLength { return releaseGreeting() }
            return Inspection(forward: [])
        }
        if greetingIsPreauth {
            return Inspection(forward: [], refusal: "backend greeted with PREAUTH, refusing an unauthenticated logged-in session")
        }
        return releaseGreeting()
    }

    /// Client bytes are forwarded as they come: none are ever held.
    public mutating func clientClosed() -> [UInt8] { [] }

    /// A greeting cut short by the close is passed on, unless it is PREAUTH.
    public mutating func backendClosed() -> [UInt8] {
        guard checksGreeting else { return [] }
        let held = greetingIsPreauth ? [] : heldGreeting
        checksGreeting = false
        heldGreeting = []
        return held
    }

    /// Its first line, complete or not, is all that decides it.
    private var greetingIsPreauth: Bool { ASCII.hasPrefix(heldGreeting, caseInsensitive: "* PREAUTH") }

    private mutating func releaseGreeting() -> Inspection {
        checksGreeting = false
        let held = heldGreeting
        heldGreeting = []
        return observe(responses: held)
    }

    private mutating func observe(responses bytes: [UInt8]) -> Inspection {
        guard !steppedAside, login.result != .accepted else { return Inspection(forward: bytes) }
        responses.append(bytes)
        guard pending != nil else {
            // Only the reply to a login in flight matters; until one is, so
            // does nothing but where the last line ends.
            responses.skipCompleteLines()
            return Inspection(forward: bytes)
        }
        while !steppedAside, login.result != .accepted, let event = responses.next() {
            if case .line(let line) = event { observe(response: line.content) }
        }
        return Inspection(forward: bytes)
    }

    private mutating func observe(command tokens: [IMAPToken]) {
        if var exchange = pending, var sasl = exchange.sasl {
            if case .atom(let response) = tokens.first { sasl.clientResponse(response) } else { sasl.clientResponse([]) }
            login.user = sasl.user ?? login.user
            exchange.sasl = sasl
            pending = exchange
            return
        }
        commandCount += 1
        if login.result == .accepted { commandsSinceLogin += 1 }
        if tokens.count >= 2, case .atom(let tag) = tokens[0], case .atom(let name) = tokens[1] {
            let arguments = tokens.dropFirst(2)
            switch ASCII.uppercased(name) {
            case "LOGIN": startLogin(tag: tag, arguments: arguments)
            case "AUTHENTICATE": startAuthenticate(tag: tag, arguments: arguments)
            case "ID": observeID(arguments)
            default: break
            }
        }
        let watchedLongEnough = login.result == .accepted
            ? sawID || commandsSinceLogin >= Self.commandsWatchedAfterLogin
            : commandCount >= limits.maxCommands
        if watchedLongEnough { steppedAside = true }
    }

    private mutating func startLogin(tag: [UInt8], arguments: ArraySlice<IMAPToken>) {
        login.mechanism = "LOGIN"
        switch arguments.first {
        case .atom(let name), .string(let name): login.user = LogSafeText.clean(name)
        default: login.user = nil
        }
        pending = PendingLogin(tag: tag, sasl: nil)
    }

    private mutating func startAuthenticate(tag: [UInt8], arguments: ArraySlice<IMAPToken>) {
        guard case .atom(let mechanism) = arguments.first else { return }
        var sasl = SASLObserver(mechanism: mechanism)
        if case .atom(let initialResponse) = arguments.dropFirst().first { sasl.clientResponse(initialResponse) }
        login.mechanism = sasl.mechanism
        login.user = sasl.user
        pending = PendingLogin(tag: tag, sasl: sasl)
    }

    /// `ID ("name" "Thunderbird" "version" "115.3")`: field names are
    /// case-insensitive; values may be NIL.
    private mutating func observeID(_ arguments: ArraySlice<IMAPToken>) {
        sawID = true
        var fields = Array(arguments.drop { $0 != .open }.dropFirst().prefix { $0 != .close })
        if fields.count % 2 == 1 { fields.removeLast() }
        for pair in stride(from: 0, to: fields.count, by: 2) {
            guard case .string(let key) = fields[pair], case .string(let value) = fields[pair + 1] else { continue }
            switch ASCII.uppercased(key) {
            case "NAME": login.clientName = LogSafeText.clean(value, maxLength: 64)
            case "VERSION": login.clientVersion = LogSafeText.clean(value, maxLength: 64)
            default: break
            }
        }
    }

    private mutating func observe(response line: [UInt8]) {
        // Most lines are not the tagged reply: rule them out without splitting them.
        guard let tag = pending?.tag, line.count > tag.count, line.starts(with: tag),
              line[tag.count] == UInt8(ascii: " ") else { return }
        let status = line[(tag.count + 1)...].prefix { $0 != UInt8(ascii: " ") }
        switch ASCII.uppercased(status) {
        case "OK": login.conclude(.accepted)
        case "NO", "BAD": login.conclude(.rejected)
        default: return
        }
        pending = nil
        if login.result == .accepted, sawID { steppedAside = true }
    }
}
