/// Every POP3 line tlsfloord writes itself (RFC 1939; STLS from RFC 2595;
/// CAPA from RFC 2449; response codes from RFC 2449 §8 and RFC 3206).
/// docs/error-replies.md explains each one.
enum POP3Replies {
    static func greeting(hostname: String) -> [UInt8] { ReplyText.line("+OK \(hostname) POP3 service ready") }

    /// Before TLS only STLS is offered: no USER and no SASL, so a client that
    /// reads CAPA has no way to send a password in plaintext (RFC 2595 §4).
    static let preTLSCapabilities = ReplyText.lines(["+OK Capability list follows", "STLS", "."])

    static let beginTLS = ReplyText.line("+OK Begin TLS negotiation")
    static func goodbye(hostname: String) -> [UInt8] { ReplyText.line("+OK \(hostname) closing connection") }
    static let noArgumentsAllowed = ReplyText.line("-ERR This command takes no arguments")
    static let loginNeedsTLS = ReplyText.line(
        "-ERR [AUTH] Login is only allowed on an encrypted connection, use STLS first")
    static let commandNotAvailable = ReplyText.line("-ERR Unknown command or not allowed before STLS")
    static let lineTooLong = ReplyText.line("-ERR Command line too long")
    static let tooManyErrors = ReplyText.line("-ERR Too many invalid commands, closing connection")
    static let tooManyCommands = ReplyText.line("-ERR Too many commands without STLS, closing connection")

    static let unavailable = ReplyText.line(
        "-ERR [SYS/TEMP] The mail server is temporarily unavailable, please try again later")
    static func temporaryRefusal(_ text: String) -> [UInt8] { ReplyText.line("-ERR [SYS/TEMP] \(text)") }

    /// Legacy refusal: SYS/PERM (RFC 3206 §4) tells the client not to retry
    /// blindly and to show the text to the user; the ramp's SYS/TEMP says
    /// the refusal may pass.
    static func legacyRefusal(message: String, kind: LegacyRefusalKind) -> [UInt8] {
        switch kind {
        case .permanent: ReplyText.line("-ERR [SYS/PERM] \(message)")
        case .temporary: ReplyText.line("-ERR [SYS/TEMP] \(message)")
        }
    }
}
