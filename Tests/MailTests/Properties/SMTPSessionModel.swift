@testable import Mail

/// A generated SMTP session after TLS and what the client and the backend
/// must receive through `SMTPRelayInspector`: every byte as sent, except the
/// documented rewrites — a STARTTLS command read by the inspector is
/// answered `503` in its turn instead of reaching the backend, and the reply
/// to an EHLO it read loses its STARTTLS line. It stops reading commands
/// after `maxCommands`, DATA, a successful AUTH, an over-long line, or a
/// backend line that is no reply; from then on everything passes as sent.
///
/// Built step by step from generated numbers, so a failing case shrinks to
/// a short session.
struct SMTPSessionModel {
    static let stepKinds = 10
    static let maxLineLength = 200

    let maxCommands: Int
    let user: String
    let password: String
    private(set) var turns: [Turn] = []
    private(set) var toBackend: [UInt8] = []
    private(set) var toClient: [UInt8] = []
    private var commandCount = 0
    private var readsCommands = true

    /// One pipelined command: its line, the backend's reply if it gets it,
    /// and what the client sees of that reply while it is inspected.
    private struct Command {
        var line: String
        var reply: String
        var inspectedReply: String?
        var isStartTLS = false
        /// DATA, or AUTH that succeeds: commands after it are not read.
        var endsReading = false
    }

    init(steps: [Int], maxCommands: Int, user: String, password: String, implicitTLS: Bool) {
        self.maxCommands = maxCommands
        self.user = user
        self.password = password
        if implicitTLS { verbatim(.backend("220-backend.example ESMTP\r\n220 ready\r\n")) }
        for step in steps { add(step: step) }
    }

    var limits: InspectorLimits { InspectorLimits(maxLineLength: Self.maxLineLength, maxCommands: maxCommands) }

    private mutating func add(step: Int) {
        let variant = step / Self.stepKinds
        let end = variant % 2 == 0 ? "\r\n" : "\n"
        switch step % Self.stepKinds {
        case 0: pipeline([ehlo(startTLSAt: variant % 6, end: end)])
        case 1: pipeline([startTLS(end)])
        case 2: pipeline([Command(line: "NOOP" + end, reply: "250 2.0.0 Ok" + end)])
        case 3: pipeline([Command(line: "HELP" + end, reply: "214-See RFC 5321" + end + "214 2.0.0 Ok" + end)])
        case 4:
            let success = variant % 3 != 0
            pipeline([Command(line: "AUTH PLAIN \(saslPlain(user: user, password: password))" + end,
                              reply: success ? "235 2.7.0 Authentication successful\r\n" : "535 5.7.8 Error\r\n",
                              endsReading: success)])
        case 5: authLogin(success: variant % 3 != 0, end: end)
        case 6:
            pipeline([Command(line: "DATA" + end, reply: "354 End data with <CR><LF>.<CR><LF>\r\n", endsReading: true)])
            verbatim(.client("Subject: hi\r\n\r\nSTARTTLS\r\nAUTH PLAIN x\r\n.\r\n"))
            verbatim(.backend("250 2.0.0 Ok: queued\r\n"))
        case 7:
            pipeline([Command(line: "NOOP" + end, reply: "ECHO NOOP" + end + "250 2.0.0 Ok" + end)])
            readsCommands = false  // the inspector cannot follow the backend any more
        case 8:
            pipeline([ehlo(startTLSAt: variant % 6, end: end), startTLS(end),
                      Command(line: "RSET" + end, reply: "250 2.0.0 Ok" + end), startTLS(end)])
        default:
            let line = "AUTH XOAUTH2 " + String(repeating: "A", count: Self.maxLineLength + variant % 50) + end
            verbatim(.client(line))
            verbatim(.backend("535 5.7.8 Error" + end))
            readsCommands = false  // an over-long command line ends inspection
        }
    }

    /// `250-…` lines with STARTTLS at `position` among the extensions (none
    /// when past the end); the inspected view is the same reply built without it.
    private func ehlo(startTLSAt position: Int, end: String) -> Command {
        let extensions = ["PIPELINING", "SIZE 10240000", "AUTH PLAIN LOGIN", "8BITMIME"]
        func reply(_ extensions: [String]) -> String {
            let lines = ["backend.example"] + extensions
            return lines.enumerated().map { ($0 == lines.count - 1 ? "250 " : "250-") + $1 + end }.joined()
        }
        var offered = extensions
        if position <= extensions.count { offered.insert(position % 2 == 0 ? "STARTTLS" : "starttls", at: position) }
        return Command(line: "EHLO client.example" + end, reply: reply(offered), inspectedReply: reply(extensions))
    }

    private func startTLS(_ end: String) -> Command {
        Command(line: "STARTTLS" + end, reply: "454 4.7.0 TLS not available due to local problem" + end, isStartTLS: true)
    }

    /// Sends `commands` in one client turn and their replies in one backend turn.
    private mutating func pipeline(_ commands: [Command]) {
        var clientTurn = "", backendTurn = ""
        for command in commands {
            clientTurn += command.line
            let inspected = read(endsReading: command.endsReading)
            if inspected, command.isStartTLS {
                toClient += SMTPReplies.tlsAlreadyActive
                continue
            }
            toBackend += wire(command.line)
            backendTurn += command.reply
            toClient += wire(inspected ? command.inspectedReply ?? command.reply : command.reply)
        }
        turns.append(.client(clientTurn))
        if !backendTurn.isEmpty { turns.append(.backend(backendTurn)) }
    }

    /// AUTH LOGIN with its challenges: passed on as it is either way.
    private mutating func authLogin(success: Bool, end: String) {
        _ = read(endsReading: success)
        verbatim(.client("AUTH LOGIN" + end))
        verbatim(.backend("334 VXNlcm5hbWU6\r\n"))
        verbatim(.client(base64(user) + end))
        verbatim(.backend("334 UGFzc3dvcmQ6\r\n"))
        verbatim(.client(base64(password) + end))
        verbatim(.backend(success ? "235 2.7.0 Authentication successful\r\n" : "535 5.7.8 Error\r\n"))
    }

    /// Counts a command; true when the inspector reads it.
    private mutating func read(endsReading: Bool) -> Bool {
        guard readsCommands else { return false }
        commandCount += 1
        if commandCount >= maxCommands || endsReading { readsCommands = false }
        return true
    }

    private mutating func verbatim(_ turn: Turn) {
        turns.append(turn)
        switch turn.side {
        case .client: toBackend += turn.bytes
        case .backend: toClient += turn.bytes
        }
    }

    /// A line cut short by the close, from either side, still arrives.
    mutating func endWithPartialLines() {
        verbatim(.client("QUI"))
        verbatim(.backend("421 4.4.2 backend.example Error: timeout exc"))
    }
}
