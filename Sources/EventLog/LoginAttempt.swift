import Foundation

/// One login that reached a result, as the failed-login bans and the login
/// history see it. Built on the worker when the backend answers (or the
/// legacy login gate refuses); never holds a password.
public struct LoginAttempt: Sendable, Equatable {
    public enum Result: String, Sendable {
        case accepted, rejected
        /// The legacy login gate refused a user who is not exempt; the
        /// credentials never reached the backend.
        case refusedLegacy = "refused_legacy"
    }

    public var time: Date
    public var listener: String
    public var `protocol`: String
    /// The client's IP address without the port: behind a trusted front, the one from its PROXY header.
    public var clientAddress: String
    public var user: String
    public var mechanism: String?
    public var result: Result
    /// For `refusedLegacy`: `permanent`, or `temporary` during the ramp.
    public var refusalKind: String?
    public var tlsVersion: String?
    public var cipher: String?
    public var ja4: String?
    public var clientName: String?
    public var clientVersion: String?

    public init(time: Date, listener: String, protocol: String, clientAddress: String, user: String,
                result: Result) {
        self.time = time
        self.listener = listener
        self.protocol = `protocol`
        self.clientAddress = clientAddress
        self.user = user
        self.result = result
    }
}
