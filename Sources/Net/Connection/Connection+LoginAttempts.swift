import EventLog
import Foundation
import Mail

/// Logins that reached a result, told to the server's observers as they
/// happen (failed-login bans must not wait for the session to end).
extension Connection {
    /// Reports the logins the inspector concluded since the last call.
    func reportLoginAttempts(of inspector: any RelayInspector, _ relay: Relay) {
        let observers = worker.server.loginObservers
        guard !observers.isEmpty else { return }
        let login = inspector.login
        guard login.attempts > relay.reportedAttempts else { return }
        let result: LoginAttempt.Result = login.result == .accepted ? .accepted : .rejected
        for _ in relay.reportedAttempts..<login.attempts {
            tell(observers, loginAttempt(login, result: result))
        }
        relay.reportedAttempts = login.attempts
    }

    /// The legacy login gate refused a user who is not exempt.
    func reportLegacyRefusal(of inspector: any RelayInspector, _ relay: Relay) {
        let observers = worker.server.loginObservers
        guard !observers.isEmpty, inspector.login.user != nil else { return }
        var attempt = loginAttempt(inspector.login, result: .refusedLegacy)
        attempt.refusalKind = relay.refusalOutcome == .legacyRamped ? "temporary" : "permanent"
        tell(observers, attempt)
        // The refusal is this attempt's result: leaving the relay must not report it again as `rejected`.
        relay.reportedAttempts = inspector.login.attempts
    }

    private func tell(_ observers: [any LoginAttemptObserver], _ attempt: LoginAttempt) {
        for observer in observers { observer.loginAttempted(attempt) }
    }

    private func loginAttempt(_ login: LoginObservation, result: LoginAttempt.Result) -> LoginAttempt {
        var attempt = LoginAttempt(time: Date(), listener: runtime.name, protocol: runtime.mailProtocol.rawValue,
                                   clientAddress: frontAddresses?.source.address.description ?? peer.host,
                                   user: login.user ?? "", result: result)
        attempt.mechanism = login.mechanism
        attempt.tlsVersion = record.tlsVersion
        attempt.cipher = record.cipher
        attempt.ja4 = record.ja4
        attempt.clientName = login.clientName
        attempt.clientVersion = login.clientVersion
        return attempt
    }
}
