/// The two directions of a connection to the MTA; the socket lives in the command,
/// so the dialogue here runs against a scripted peer in the tests.
public protocol SMTPTransport {
    mutating func send(_ text: String) throws
    /// One reply line without its CRLF.
    mutating func receiveLine() throws -> String
}

/// One SMTP reply (RFC 5321 §4.2): a code and its lines, multi-line ones joined by `-`.
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    public let code: Int
    public let lines: [String]
    public var description: String { lines.map { "\(code) \($0)" }.joined(separator: " / ") }
}

public enum SMTPError: Error, Equatable, CustomStringConvertible {
    /// The server refused this message (MAIL, RCPT, DATA or the message itself); the
    /// session is reset and the next message can go.
    case refused(command: String, reply: SMTPReply)
    /// The session cannot go on: greeting, EHLO or QUIT refused, or a reply that is not SMTP.
    case failed(String)

    public var description: String {
        switch self {
        case .refused(let command, let reply): "\(command) refused: \(reply)"
        case .failed(let reason): reason
        }
    }
}

/// A minimal SMTP client for a local MTA (RFC 5321): EHLO (HELO if refused), then per message
/// MAIL FROM, RCPT TO, DATA with dot-stuffing, and QUIT at the end. Every reply code is
/// checked; no TLS and no AUTH — the MTA is on this host or the local network and accepts
/// mail for its own users.
public struct SMTPClient<Transport: SMTPTransport> {
    private var transport: Transport

    /// Reads the greeting and says EHLO as `helloName`.
    public init(transport: Transport, helloName: String) throws {
        self.transport = transport
        try expect(220, after: "greeting", refusedIsFatal: true)
        try self.transport.send("EHLO \(helloName)\r\n")
        let ehlo = try reply()
        if ehlo.code == 421 { throw SMTPError.failed("EHLO: \(ehlo)") }
        if ehlo.code != 250 {
            // An old or minimal server without ESMTP; nothing here needs an extension.
            try command("HELO \(helloName)", step: "HELO", expecting: 250, refusedIsFatal: true)
        }
    }

    /// Sends one message. `SMTPError.refused` leaves the session ready for the next one.
    public mutating func send(_ message: MailMessage) throws {
        do {
            try command("MAIL FROM:<\(message.sender.address)>", step: "MAIL FROM", expecting: 250)
            try command("RCPT TO:<\(message.recipient)>", step: "RCPT TO", expecting: 250, 251)
            try command("DATA", step: "DATA", expecting: 354)
            try transport.send(Self.dotStuffed(message.text))
            try expect(250, after: "message")
        } catch let error as SMTPError {
            if case .refused = error { try command("RSET", step: "RSET", expecting: 250, refusedIsFatal: true) }
            throw error
        }
    }

    public mutating func quit() throws {
        try command("QUIT", step: "QUIT", expecting: 221, refusedIsFatal: true)
    }

    /// DATA's transparency (RFC 5321 §4.5.2): a line starting with `.` gets another one, then
    /// the terminating `.` line. `message` has CRLF line ends, as `MailMessage.text` makes them.
    public static func dotStuffed(_ message: String) -> String {
        // "\r\n" is one Character: trim it as bytes.
        let body = message.hasSuffix("\r\n") ? String(decoding: message.utf8.dropLast(2), as: UTF8.self) : message
        let lines = body.split(separator: "\r\n", omittingEmptySubsequences: false)
        return lines.map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n") + "\r\n.\r\n"
    }

    private mutating func command(_ line: String, step: String, expecting codes: Int...,
                                  refusedIsFatal: Bool = false) throws {
        try transport.send(line + "\r\n")
        try check(reply(), codes: codes, after: step, refusedIsFatal: refusedIsFatal)
    }

    private mutating func expect(_ code: Int, after step: String, refusedIsFatal: Bool = false) throws {
        try check(reply(), codes: [code], after: step, refusedIsFatal: refusedIsFatal)
    }

    private func check(_ reply: SMTPReply, codes: [Int], after step: String, refusedIsFatal: Bool) throws {
        guard !codes.contains(reply.code) else { return }
        // 421: the server is closing the session, whatever the command was.
        if refusedIsFatal || reply.code == 421 { throw SMTPError.failed("\(step): \(reply)") }
        throw SMTPError.refused(command: step, reply: reply)
    }

    /// Reads lines up to the last of a reply (`250-…` continues, `250 …` ends it).
    private mutating func reply() throws -> SMTPReply {
        var lines: [String] = []
        var code: Int?
        while true {
            let line = try transport.receiveLine()
            let digits = line.prefix(3)
            guard digits.count == 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits),
                  code == nil || code == value
            else { throw SMTPError.failed("not an SMTP reply: \(line.prefix(200))") }
            code = value
            let separator = line.dropFirst(3).first
            lines.append(String(line.dropFirst(4)))
            switch separator {
            case "-": continue
            case " ", nil: return SMTPReply(code: value, lines: lines)
            default: throw SMTPError.failed("not an SMTP reply: \(line.prefix(200))")
            }
        }
    }
}
