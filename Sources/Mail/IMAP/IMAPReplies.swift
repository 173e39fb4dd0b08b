/// Every IMAP line tlsfloord writes itself (RFC 3501 / RFC 9051; response
/// codes from RFC 5530). docs/error-replies.md explains each one.
enum IMAPReplies {
    /// What tlsfloord offers before TLS: no way to log in until STARTTLS
    /// (RFC 3501 §6.2.3, LOGINDISABLED). The client asks again after TLS and
    /// then sees the backend's own list.
    static let preTLSCapabilities = "IMAP4rev1 STARTTLS LOGINDISABLED"

    static func greeting(hostname: String) -> [UInt8] {
        ReplyText.line("* OK [CAPABILITY \(preTLSCapabilities)] \(hostname) ready")
    }

    static func capability(tag: String) -> [UInt8] {
        ReplyText.lines(["* CAPABILITY \(preTLSCapabilities)", "\(tag) OK CAPABILITY completed"])
    }

    static func noop(tag: String) -> [UInt8] { ReplyText.line("\(tag) OK NOOP completed") }

    static func logout(tag: String) -> [UInt8] {
        ReplyText.lines(["* BYE Logging out", "\(tag) OK LOGOUT completed"])
    }

    static func beginTLS(tag: String) -> [UInt8] { ReplyText.line("\(tag) OK Begin TLS negotiation now") }

    static func noArgumentsAllowed(tag: String, command: String) -> [UInt8] {
        ReplyText.line("\(tag) BAD \(command) takes no arguments")
    }

    static func loginNeedsTLS(tag: String) -> [UInt8] {
        ReplyText.line("\(tag) NO [PRIVACYREQUIRED] Login is only allowed on an encrypted connection, use STARTTLS first")
    }

    static func commandNotAvailable(tag: String) -> [UInt8] {
        ReplyText.line("\(tag) BAD Unknown command or not allowed before STARTTLS")
    }

    static func missingCommand(tag: String) -> [UInt8] { ReplyText.line("\(tag) BAD Missing command") }

    static let missingTag = ReplyText.line("* BAD Invalid command line: it must start with a tag")
    static let lineTooLong = ReplyText.line("* BAD Command line too long")
    static let tooManyErrors = ReplyText.line("* BYE Too many invalid commands, closing connection")
    static let tooManyCommands = ReplyText.line("* BYE Too many commands without STARTTLS, closing connection")

    static let unavailable = ReplyText.line(
        "* BYE [UNAVAILABLE] The mail server is temporarily unavailable, please try again later")
    static func temporaryRefusal(_ text: String) -> [UInt8] { ReplyText.line("* BYE [UNAVAILABLE] \(text)") }

    /// Legacy refusal: RFC 3501 §7.1.5 allows BYE at any time, including as
    /// the greeting; ALERT (§7.1) asks the client to show the text to the user.
    /// The ramp's temporary refusal: UNAVAILABLE (RFC 5530 §3) says "try
    /// again later" and clients show the text.
    static func legacyRefusal(message: String, kind: LegacyRefusalKind) -> [UInt8] {
        switch kind {
        case .permanent: ReplyText.line("* BYE [ALERT] \(message)")
        case .temporary: ReplyText.line("* BYE [UNAVAILABLE] \(message)")
        }
    }
}
