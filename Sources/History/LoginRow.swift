import EventLog

/// One row of the `logins` table (docs/history.md): a login attempt that reached a result, and
/// which tlsfloord saw it. The writer makes it from a queued `LoginAttempt`; `tlsfloord history`
/// reads it back (without the SASL mechanism, which the table does not keep).
public struct LoginRow: Equatable, Sendable {
    /// The `outcome` column is the attempt's result; its `client_address` is anonymized already
    /// when the settings ask for it.
    public var attempt: LoginAttempt
    /// `[history] instance`.
    public var instance: String

    public init(attempt: LoginAttempt, instance: String) {
        self.attempt = attempt
        self.instance = instance
    }

    /// TLS 1.0 or 1.1: the rows a user is asked to look for.
    public var isLegacy: Bool { attempt.tlsVersion == "TLSv1.0" || attempt.tlsVersion == "TLSv1.1" }
}
