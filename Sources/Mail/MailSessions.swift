/// The entry point for the I/O layer: every sans-I/O session object, picked
/// by the listener's protocol.
public enum MailSessions {
    /// The plaintext conversation of a STARTTLS listener, up to `.startTLS`.
    /// - Parameter hostname: tlsfloord's name in its greeting and replies.
    public static func preamble(for mailProtocol: MailProtocol, hostname: String,
                                limits: PreambleLimits = PreambleLimits()) -> any StartTLSPreamble {
        switch mailProtocol {
        case .imap: IMAPStartTLSPreamble(hostname: hostname, limits: limits)
        case .pop3: POP3StartTLSPreamble(hostname: hostname, limits: limits)
        case .smtp: SMTPStartTLSPreamble(hostname: hostname, limits: limits)
        }
    }

    /// Swallows the backend's greeting on STARTTLS sessions, where the client
    /// already had tlsfloord's.
    public static func greetingConsumer(for mailProtocol: MailProtocol) -> any BackendGreetingConsumer {
        switch mailProtocol {
        case .imap: IMAPGreetingConsumer()
        case .pop3: POP3GreetingConsumer()
        case .smtp: SMTPGreetingConsumer()
        }
    }

    /// Watches the relayed session for the login (and, for SMTP after
    /// STARTTLS, rewrites EHLO and answers a second STARTTLS).
    /// - Parameter afterStartTLS: true when the session came through a
    ///   STARTTLS preamble and the backend's greeting was consumed by
    ///   `greetingConsumer(for:)`; false on implicit-TLS listeners.
    public static func inspector(for mailProtocol: MailProtocol, afterStartTLS: Bool,
                                 limits: InspectorLimits = InspectorLimits()) -> any RelayInspector {
        switch mailProtocol {
        case .imap: IMAPLoginInspector(checksGreeting: !afterStartTLS, limits: limits)
        case .pop3: POP3LoginInspector(afterStartTLS: afterStartTLS, limits: limits)
        case .smtp: SMTPRelayInspector(afterStartTLS: afterStartTLS, limits: limits)
        }
    }

    /// The listener's inspector behind a gate that lets a legacy client in
    /// only as one of `exemptUsers` (see `LegacyLoginGate`).
    public static func loginGate(for mailProtocol: MailProtocol, afterStartTLS: Bool, exemptUsers: [String],
                                 message: String, kind: LegacyRefusalKind,
                                 limits: InspectorLimits = InspectorLimits()) -> LegacyLoginGate {
        let dialect: any LoginGateDialect = switch mailProtocol {
        case .imap: IMAPLoginGateDialect()
        case .pop3: POP3LoginGateDialect()
        case .smtp: SMTPLoginGateDialect()
        }
        return LegacyLoginGate(dialect: dialect, inner: inspector(for: mailProtocol, afterStartTLS: afterStartTLS, limits: limits),
                               exemptUsers: exemptUsers, message: message, kind: kind, limits: limits)
    }

    /// The readable refusal for a client below the TLS floor ("explain",
    /// or the ramp's temporary one).
    /// - Parameters:
    ///   - message: the operator's text; made safe for one reply line.
    ///   - afterStartTLS: true when the handshake followed a STARTTLS
    ///     preamble (the client already had a greeting).
    ///   - hostname: tlsfloord's name, for POP3 and SMTP replies.
    public static func legacyRefusal(for mailProtocol: MailProtocol, kind: LegacyRefusalKind = .permanent, message: String,
                                     afterStartTLS: Bool, hostname: String) -> any LegacyRefusalSession {
        switch mailProtocol {
        case .imap: IMAPLegacyRefusal(message: message, kind: kind)
        case .pop3: POP3LegacyRefusal(message: message, kind: kind, afterStartTLS: afterStartTLS, hostname: hostname)
        case .smtp: SMTPLegacyRefusal(message: message, kind: kind, afterStartTLS: afterStartTLS, hostname: hostname)
        }
    }
}
