import EventLog
/// The POP3 side of `LegacyLoginGate`. Before the login, CAPA, NOOP, QUIT,
/// STLS and a bare AUTH (the mechanism list) pass; USER and APOP name their
/// user; AUTH names it in its first SASL response (RFC 5034), on the command
/// line or after a continuation. The refusal is `-ERR [SYS/PERM]` (or
/// `[SYS/TEMP]` during the ramp) with the message.
struct POP3LoginGateDialect: LoginGateDialect {

    let literalContinuation: [UInt8] = []

    mutating func judge(_ line: Line) -> GateVerdict {
        let words = CommandWords(line.content)
        let arguments = words.argument.split(separator: UInt8(ascii: " "))
        switch words.verb {
        case "CAPA", "NOOP", "QUIT", "STLS":
            return .pass
        case "USER", "APOP":
            return .login(arguments.first.flatMap { LogSafeText.clean($0) })
        case "AUTH":
            guard let mechanism = arguments.first else { return .pass }
            return SASLGate.start(mechanism: mechanism, initialResponse: arguments.dropFirst().first,
                                  continuation: ReplyText.line("+ "))
        default:
            return .refuse
        }
    }

    mutating func literal(_ bytes: ArraySlice<UInt8>, complete: Bool) {}

    /// `+ ` or a bare `+`; never `+OK`.
    func isContinuation(_ line: Line) -> Bool {
        line.content == [UInt8(ascii: "+")] || line.content.starts(with: [UInt8(ascii: "+"), UInt8(ascii: " ")])
    }

    func refusal(message: String, kind: LegacyRefusalKind) -> [UInt8] {
        POP3Replies.legacyRefusal(message: message, kind: kind)
    }
}
