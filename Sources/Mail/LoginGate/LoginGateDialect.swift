/// What a protocol's login gate makes of one complete client line.
enum GateVerdict: Sendable {
    /// A command before the login that carries no credential: pass it on.
    case pass
    /// The line ends in an IMAP literal of this many bytes; the command goes
    /// on after it. A synchronizing literal waits for a continuation.
    case literal(Int, synchronizing: Bool)
    /// A SASL mechanism without an initial response: the user comes with
    /// the client's next line, which needs this continuation first.
    case challenge([UInt8], awaiting: SASLObserver)
    /// The login names this user; nil when it could not be read.
    case login(String?)
    /// Anything else before a login.
    case refuse
}

/// The protocol-specific half of `LegacyLoginGate`: which commands may pass
/// before the login, where the login names its user, and the refusal.
protocol LoginGateDialect: Sendable {
    mutating func judge(_ line: Line) -> GateVerdict
    /// The bytes of the literal the last verdict announced, in pieces;
    /// `complete` on the last one.
    mutating func literal(_ bytes: ArraySlice<UInt8>, complete: Bool)
    /// tlsfloord's continuation for a synchronizing IMAP literal.
    var literalContinuation: [UInt8] { get }
    /// Whether a backend line is a continuation request (which the gate
    /// swallows when it already answered the client with its own).
    func isContinuation(_ line: Line) -> Bool
    /// The refusal, in reply to the command judged last.
    func refusal(message: String, kind: LegacyRefusalKind) -> [UInt8]
}
