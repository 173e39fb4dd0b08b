/// Every SMTP reply tlsfloord writes itself (RFC 5321; STARTTLS RFC 3207;
/// enhanced status codes RFC 3463, registry RFC 5248). docs/error-replies.md
/// explains each one.
enum SMTPReplies {
    static func greeting(hostname: String) -> [UInt8] { ReplyText.line("220 \(hostname) ESMTP Service ready") }

    /// A static advertisement: tlsfloord does not know the backend's
    /// extensions before TLS. The client must send EHLO again after TLS
    /// (RFC 3207 §4.2) and then gets the backend's real list.
    static let preTLSExtensions = ["PIPELINING", "SIZE", "8BITMIME", "ENHANCEDSTATUSCODES", "STARTTLS"]

    static func ehlo(hostname: String) -> [UInt8] {
        let lines = [hostname] + preTLSExtensions
        return ReplyText.lines(lines.enumerated().map { index, text in
            (index == lines.count - 1 ? "250 " : "250-") + text
        })
    }

    static func helo(hostname: String) -> [UInt8] { ReplyText.line("250 \(hostname)") }
    static let ok = ReplyText.line("250 2.0.0 OK")
    static func closing(hostname: String) -> [UInt8] { ReplyText.line("221 2.0.0 \(hostname) closing connection") }
    static let readyForTLS = ReplyText.line("220 2.0.0 Ready to start TLS")
    static let startTLSTakesNoArguments = ReplyText.line("501 5.5.4 Syntax error (no parameters allowed)")
    static func missingDomain(verb: String) -> [UInt8] { ReplyText.line("501 5.5.4 Syntax: \(verb) hostname") }
    static let mustStartTLS = ReplyText.line("530 5.7.0 Must issue a STARTTLS command first")
    static let commandNotRecognized = ReplyText.line("502 5.5.2 Error: command not recognized")
    static let emptyCommand = ReplyText.line("500 5.5.2 Error: bad syntax")
    /// X.5.6 is registered for over-long AUTH lines only (RFC 4954 §6); a
    /// command line that is too long is a syntax error, X.5.2.
    static let lineTooLong = ReplyText.line("500 5.5.2 Error: line too long")
    static func tooManyErrors(hostname: String) -> [UInt8] {
        ReplyText.line("421 4.7.0 \(hostname) Error: too many errors, closing connection")
    }
    static func tooManyCommands(hostname: String) -> [UInt8] {
        ReplyText.line("421 4.7.0 \(hostname) Error: too many commands without STARTTLS, closing connection")
    }

    static func unavailable(hostname: String) -> [UInt8] {
        ReplyText.line("421 4.3.0 \(hostname) The mail server is temporarily unavailable, please try again later")
    }
    static func temporaryRefusal(_ text: String, hostname: String) -> [UInt8] {
        ReplyText.line("421 4.7.0 \(hostname) \(text)")
    }

    /// After TLS, a second STARTTLS is a bad sequence (RFC 3207 §4.2).
    static let tlsAlreadyActive = ReplyText.line("503 5.5.1 Error: TLS already active")

    /// Legacy refusal as the greeting on 465: RFC 5321 §3.1 lets a server
    /// answer the connection with 554 instead of 220.
    static func legacyGreeting(message: String) -> [UInt8] { ReplyText.line("554 5.7.0 \(message)") }
    /// Every later command but QUIT: "bad sequence" (RFC 5321 §3.1).
    static func legacyBadSequence(message: String) -> [UInt8] { ReplyText.line("503 5.5.1 \(message)") }
    /// The reply to the first command after STARTTLS on 587/25.
    static func legacyRefusal(message: String) -> [UInt8] { ReplyText.line("554 5.7.0 \(message)") }
    /// The ramp's temporary refusal, as the greeting on 465 or the reply to
    /// the first command after STARTTLS: 421 closes the session (RFC 5321
    /// §3.8) and a client retries later.
    static func legacyTemporaryRefusal(message: String) -> [UInt8] { ReplyText.line("421 4.7.0 \(message)") }
    static func legacyClosing(hostname: String, message: String) -> [UInt8] {
        ReplyText.line("421 4.7.0 \(hostname) \(message)")
    }
}
