import Foundation

/// One row of the `logins` table (docs/history.md): a login attempt that reached a result.
/// Built on a worker from what the connection saw, written by the writer thread, read back by
/// `tlsfloord history` — the same value both ways.
public struct LoginRow: Equatable, Sendable {
    /// The `outcome` column.
    public enum Outcome: String, Sendable, CaseIterable {
        case accepted, rejected
        /// A client below the TLS floor that a legacy login gate refused.
        case refusedLegacy = "refused_legacy"
    }

    public var time: Date
    /// The login name as the client sent it, already cleaned for logs (`LogSafeText`).
    public var user: String
    /// `imap`, `pop3`, `smtp`.
    public var `protocol`: String
    public var listener: String
    /// `TLSv1.0` … `TLSv1.3`, as the connection log writes it.
    public var tlsVersion: String?
    public var cipher: String?
    public var ja4: String?
    /// From IMAP `ID`.
    public var clientName: String?
    public var clientVersion: String?
    /// The client's IP address without port; a network such as `192.0.2.0/24` when anonymized.
    public var clientAddress: String
    public var outcome: Outcome
    /// For `refusedLegacy`: `permanent`, or `temporary` while the ramp lets some legacy clients in.
    public var refusalKind: String?
    /// Which tlsfloord saw it (`[history] instance`).
    public var instance: String

    public init(time: Date, user: String, protocol: String, listener: String, tlsVersion: String? = nil,
                cipher: String? = nil, ja4: String? = nil, clientName: String? = nil, clientVersion: String? = nil,
                clientAddress: String, outcome: Outcome, refusalKind: String? = nil, instance: String) {
        self.time = time
        self.user = user
        self.protocol = `protocol`
        self.listener = listener
        self.tlsVersion = tlsVersion
        self.cipher = cipher
        self.ja4 = ja4
        self.clientName = clientName
        self.clientVersion = clientVersion
        self.clientAddress = clientAddress
        self.outcome = outcome
        self.refusalKind = refusalKind
        self.instance = instance
    }

    /// TLS 1.0 or 1.1: the rows a user is asked to look for.
    public var isLegacy: Bool { tlsVersion == "TLSv1.0" || tlsVersion == "TLSv1.1" }
}
