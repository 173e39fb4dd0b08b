import EventLog
/// The IMAP side of `LegacyLoginGate`. Before the login, CAPABILITY, NOOP,
/// ID, LOGOUT and STARTTLS pass; LOGIN names its user (as an atom, a quoted
/// string or a literal); AUTHENTICATE names it in its first SASL response,
/// with SASL-IR (RFC 4959) on the command line, else after a continuation.
/// The refusal is the tagged `NO` and a `BYE`, both carrying the message.
struct IMAPLoginGateDialect: LoginGateDialect {
    private var tokens: [IMAPToken] = []
    private var keptLiteral: [UInt8]?
    private var tag: [UInt8]?

    let literalContinuation = ReplyText.line("+ Ready for literal data")

    mutating func judge(_ line: Line) -> GateVerdict {
        let (text, literalSize) = IMAPCommandReader.splitLiteralMarker(line.content)
        tokens += IMAPTokenizer.tokens(in: text)
        if let literalSize {
            let isLoginName = tokens.count == 2 && tokens.last.map(Self.isLoginCommand) == true
            keptLiteral = isLoginName && literalSize <= IMAPCommandReader.maxKeptLiteral ? [] : nil
            // `{5+}` (LITERAL+) and `{5-}` (LITERAL-) do not wait for a continuation.
            let marker = line.content.dropLast().last
            return .literal(literalSize, synchronizing: marker != UInt8(ascii: "+") && marker != UInt8(ascii: "-"))
        }
        defer { tokens = [] }
        guard tokens.count >= 2, case .atom(let commandTag) = tokens[0], case .atom(let name) = tokens[1] else {
            return .refuse
        }
        tag = commandTag
        let arguments = tokens.dropFirst(2)
        switch ASCII.uppercased(name) {
        case "CAPABILITY", "NOOP", "ID", "LOGOUT", "STARTTLS":
            return .pass
        case "LOGIN":
            switch arguments.first {
            case .atom(let user), .string(let user): return .login(LogSafeText.clean(user))
            default: return .login(nil)
            }
        case "AUTHENTICATE":
            guard case .atom(let mechanism) = arguments.first else { return .refuse }
            var initialResponse: [UInt8]?
            if case .atom(let response) = arguments.dropFirst().first { initialResponse = response }
            return SASLGate.start(mechanism: mechanism, initialResponse: initialResponse, continuation: ReplyText.line("+ "))
        default:
            return .refuse
        }
    }

    mutating func literal(_ bytes: ArraySlice<UInt8>, complete: Bool) {
        keptLiteral?.append(contentsOf: bytes)
        guard complete else { return }
        tokens.append(keptLiteral.map(IMAPToken.string) ?? .skippedLiteral)
        keptLiteral = nil
    }

    func isContinuation(_ line: Line) -> Bool { line.content.first == UInt8(ascii: "+") }

    func refusal(message: String, kind: LegacyRefusalKind) -> [UInt8] {
        let code = kind == .permanent ? "ALERT" : "UNAVAILABLE"
        let tagged = tag.map { ReplyText.line("\(String(decoding: $0, as: UTF8.self)) NO [\(code)] \(message)") } ?? []
        return tagged + IMAPReplies.legacyRefusal(message: message, kind: kind)
    }

    private static func isLoginCommand(_ token: IMAPToken) -> Bool {
        if case .atom(let name) = token { ASCII.uppercased(name) == "LOGIN" } else { false }
    }
}
