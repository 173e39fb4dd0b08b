/// The contracts between the protocol logic in this module and the I/O layer
/// (`Net`). Everything here is "sans-I/O": bytes in, actions out. Nothing in
/// `Mail` ever touches a socket.

/// What the plaintext phase of a STARTTLS session asks the I/O layer to do.
public enum PreambleAction: Equatable, Sendable {
    /// Send these bytes to the client in plaintext.
    case send([UInt8])
    /// The client asked for TLS and was told to go ahead (the go-ahead reply
    /// comes as a `.send` just before). Start the TLS handshake now. Input
    /// the client pipelined after the STARTTLS line has already been dropped
    /// by the state machine; the I/O layer must not feed anything it holds
    /// to the TLS engine.
    case startTLS
    /// End the session (after sending anything queued before).
    case close(reason: String)
}

/// The plaintext conversation before TLS on a STARTTLS listener.
public protocol StartTLSPreamble {
    /// The greeting sent as soon as the client connects.
    mutating func greeting() -> [UInt8]
    /// Feeds bytes the client sent; returns what to do, in order.
    mutating func receive(_ bytes: [UInt8]) -> [PreambleAction]
}

/// Outcome of feeding backend bytes to a `BackendGreetingConsumer`.
public enum GreetingResult: Equatable, Sendable {
    case needMore
    /// The greeting was complete and positive; `leftover` holds bytes that
    /// followed it (normally none) and must go to the client.
    case accepted(leftover: [UInt8])
    /// The backend refused the session (e.g. SMTP 421/554, IMAP BYE).
    case refused(reason: String)
}

/// Swallows the backend's greeting when tlsfloord already greeted the client
/// itself (STARTTLS listeners), so the client never sees two greetings.
public protocol BackendGreetingConsumer {
    mutating func receive(_ bytes: [UInt8]) -> GreetingResult
}

/// What an inspector decided about a chunk of relayed bytes.
public struct Inspection: Equatable, Sendable {
    /// Bytes to pass on in the direction they were travelling.
    public var forward: [UInt8]
    /// Bytes to send back to where they came from instead (e.g. a local
    /// `503` to a client's STARTTLS after TLS). Empty for none.
    public var answer: [UInt8]
    /// Set when the session must end here instead (e.g. an IMAP backend
    /// greeting with PREAUTH); the reason is for the log.
    public var refusal: String?

    public init(forward: [UInt8], answer: [UInt8] = [], refusal: String? = nil) {
        self.forward = forward
        self.answer = answer
        self.refusal = refusal
    }
}

/// Watches a relayed session while it still has something to learn or to
/// rewrite (login name, SMTP EHLO capabilities). Once `isDone` is true the
/// I/O layer stops calling it and relays bytes untouched.
public protocol RelayInspector {
    mutating func clientToBackend(_ bytes: [UInt8]) -> Inspection
    mutating func backendToClient(_ bytes: [UInt8]) -> Inspection
    /// The client sent its last byte (close_notify or EOF). Returns the
    /// client bytes still held (a command without its line end), for the
    /// I/O layer to send to the backend before shutting its write side:
    /// a relay must not lose bytes because a side closed.
    mutating func clientClosed() -> [UInt8]
    /// The backend sent its last byte. Returns the backend bytes still held
    /// (a reply without its line end, a held EHLO reply or greeting), for the
    /// I/O layer to send to the client before the session ends.
    mutating func backendClosed() -> [UInt8]
    var isDone: Bool { get }
    /// What the inspector learned about the login, for the connection record.
    var login: LoginObservation { get }
}

/// What tlsfloord saw of a login, never including a password.
public struct LoginObservation: Equatable, Sendable {
    public enum Result: String, Sendable {
        case none, accepted, rejected
    }
    public var user: String?
    public var mechanism: String?
    /// The latest result; set through `conclude(_:)`.
    public private(set) var result: Result
    /// How many logins reached a result in this session: a client may try
    /// again after a rejection, and each try counts (failed-login bans, the
    /// login history), though `result` only keeps the last.
    public private(set) var attempts: Int
    /// IMAP `ID` "name" and "version" when the client sent them.
    public var clientName: String?
    public var clientVersion: String?

    /// - Parameter attempts: by default one for an observation with a result, else none.
    public init(user: String? = nil, mechanism: String? = nil, result: Result = .none, attempts: Int? = nil,
                clientName: String? = nil, clientVersion: String? = nil) {
        self.user = user
        self.mechanism = mechanism
        self.result = result
        self.attempts = attempts ?? (result == .none ? 0 : 1)
        self.clientName = clientName
        self.clientVersion = clientVersion
    }

    /// The backend answered a login.
    public mutating func conclude(_ result: Result) {
        self.result = result
        attempts += 1
    }
}
