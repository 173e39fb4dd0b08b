import EventLog

/// Told of every login that reached a result (`Server(loginObservers:)`).
///
/// Called inline on the worker that serves the client, so an observer must
/// return at once: take a lock for a table update, or hand the attempt to a
/// queue of its own — never wait for I/O.
public protocol LoginAttemptObserver: AnyObject, Sendable {
    func loginAttempted(_ attempt: LoginAttempt)
}
