/// How final a legacy client's refusal is, which decides the reply codes.
public enum LegacyRefusalKind: Sendable, Equatable {
    /// `legacy.action = "explain"`: the client must not retry (IMAP ALERT,
    /// POP3 SYS/PERM, SMTP 554 5.7.0).
    case permanent
    /// The ramp before the cut-off (`ramp_start`…`ramp_end`): today this
    /// client is refused, tomorrow it may be served again (IMAP UNAVAILABLE,
    /// POP3 SYS/TEMP, SMTP 421 4.7.0).
    case temporary
}
