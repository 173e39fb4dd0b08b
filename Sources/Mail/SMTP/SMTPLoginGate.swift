/// The SMTP side of `LegacyLoginGate`. Before the login, EHLO, HELO, NOOP,
/// RSET, QUIT and STARTTLS pass; AUTH names its user in its first SASL
/// response (RFC 4954), on the command line or after a `334`. The refusal
/// answers AUTH with `535 5.7.0`, any other command with `554 5.7.0`, and
/// during the ramp either with `421 4.7.0`; then the session ends.
struct SMTPLoginGateDialect: LoginGateDialect {
    private var refusingAuth = false

    let literalContinuation: [UInt8] = []

    mutating func judge(_ line: Line) -> GateVerdict {
        let words = CommandWords(line.content)
        refusingAuth = words.verb == "AUTH"
        switch words.verb {
        case "EHLO", "HELO", "NOOP", "RSET", "QUIT", "STARTTLS":
            return .pass
        case "AUTH":
            let arguments = words.argument.split(separator: UInt8(ascii: " "))
            guard let mechanism = arguments.first else { return .refuse }
            // LOGIN asks for the user name first ("Username:" in base64).
            let prompt = ASCII.uppercased(mechanism) == "LOGIN" ? "334 VXNlcm5hbWU6" : "334 "
            return SASLGate.start(mechanism: mechanism, initialResponse: arguments.dropFirst().first,
                                  continuation: ReplyText.line(prompt))
        default:
            return .refuse
        }
    }

    mutating func literal(_ bytes: ArraySlice<UInt8>, complete: Bool) {}

    func isContinuation(_ line: Line) -> Bool { line.content.starts(with: Array("334".utf8)) }

    func refusal(message: String, kind: LegacyRefusalKind) -> [UInt8] {
        switch kind {
        case .temporary: SMTPReplies.legacyTemporaryRefusal(message: message)
        case .permanent: refusingAuth ? ReplyText.line("535 5.7.0 \(message)") : SMTPReplies.legacyRefusal(message: message)
        }
    }
}
