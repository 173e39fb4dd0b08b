/// Replies tlsfloord sends on its own when it cannot, or will not, connect
/// the client to the backend. Each is one complete line in the client's
/// protocol; the I/O layer sends it and closes. docs/error-replies.md lists
/// every reply with its RFC basis.
public enum MailReplies {
    /// The backend could not be reached. Sent as the first thing the client
    /// sees (over TLS on implicit-TLS listeners):
    /// IMAP `* BYE [UNAVAILABLE] …` (RFC 5530), POP3 `-ERR [SYS/TEMP] …`
    /// (RFC 3206), SMTP `421 4.3.0 <hostname> …` (RFC 5321 §3.8, RFC 3463).
    /// - Parameter hostname: tlsfloord's own name; SMTP replies carry it.
    public static func unavailable(_ mailProtocol: MailProtocol, hostname: String) -> [UInt8] {
        switch mailProtocol {
        case .imap: IMAPReplies.unavailable
        case .pop3: POP3Replies.unavailable
        case .smtp: SMTPReplies.unavailable(hostname: ReplyText.sanitizedHostname(hostname))
        }
    }

    /// A client refused before its session begins (a connection limit, a
    /// ban). Sent in plaintext on STARTTLS listeners (implicit-TLS listeners
    /// cannot speak before the handshake, which is the work being refused):
    /// IMAP `* BYE [UNAVAILABLE] …` (RFC 5530), POP3 `-ERR [SYS/TEMP] …`
    /// (RFC 3206), SMTP `421 4.7.0 <hostname> …` (RFC 5321 §3.8; X.7.0 is
    /// a policy reason, as Postfix uses for its per-client limits).
    public static func refusal(_ reason: ClientRefusal, _ mailProtocol: MailProtocol, hostname: String) -> [UInt8] {
        switch mailProtocol {
        case .imap: IMAPReplies.temporaryRefusal(reason.text)
        case .pop3: POP3Replies.temporaryRefusal(reason.text)
        case .smtp: SMTPReplies.temporaryRefusal(reason.text, hostname: ReplyText.sanitizedHostname(hostname))
        }
    }
}
