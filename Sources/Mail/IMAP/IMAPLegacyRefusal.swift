/// What a client below the TLS floor sees on IMAP when the operator chose to
/// explain: one `* BYE [ALERT] <message>` right after the handshake, then the
/// connection closes. The same on 993 and after STARTTLS on 143: BYE may be
/// sent in any state (RFC 3501 §7.1.5), and ALERT asks the client to show the
/// text to the user.
///
/// The ramp's temporary refusal is the same with `* BYE [UNAVAILABLE]`.
public struct IMAPLegacyRefusal: LegacyRefusalSession, Sendable {
    private let message: String
    private let kind: LegacyRefusalKind

    public init(message: String, kind: LegacyRefusalKind = .permanent) {
        self.message = ReplyText.sanitizedMessage(message)
        self.kind = kind
    }

    public mutating func greeting() -> [PreambleAction] {
        [.send(IMAPReplies.legacyRefusal(message: message, kind: kind)),
         .close(reason: "TLS version below the floor, refusal sent")]
    }

    public mutating func receive(_ bytes: [UInt8]) -> [PreambleAction] { [] }
}
