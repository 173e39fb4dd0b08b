import Dispatch
import EventLog
import Synchronization

/// The bounded hand-over from the workers to the writer thread. A worker's `offer` never waits
/// for the store: it appends under a lock held for an append, or — when the writer has fallen
/// `capacity` rows behind (the store is slow or down) — drops the attempt and counts it.
public final class HistoryQueue: Sendable {
    private struct State {
        var attempts: [LoginAttempt] = []
        var dropped = 0
    }

    public let capacity: Int
    private let state = Mutex(State())
    /// Signalled when the queue stops being empty (and at shutdown): the writer sleeps on it.
    private let wake = DispatchSemaphore(value: 0)

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// Queues `attempt` for the writer; false if the queue was full and it was dropped.
    @discardableResult
    public func offer(_ attempt: LoginAttempt) -> Bool {
        let becameNonEmpty: Bool? = state.withLock { state in
            guard state.attempts.count < capacity else {
                state.dropped += 1
                return nil
            }
            state.attempts.append(attempt)
            return state.attempts.count == 1
        }
        if becameNonEmpty == true { wake.signal() }
        return becameNonEmpty != nil
    }

    /// Everything queued, oldest first; the queue is empty afterwards.
    public func take() -> [LoginAttempt] {
        state.withLock { state in
            defer { state.attempts = [] }
            return state.attempts
        }
    }

    /// Attempts dropped since the last call.
    public func takeDropped() -> Int {
        state.withLock { state in
            defer { state.dropped = 0 }
            return state.dropped
        }
    }

    public var isEmpty: Bool { state.withLock { $0.attempts.isEmpty } }

    /// Sleeps until attempts arrive, `nudge` is called, or `deadline` passes.
    func wait(until deadline: DispatchTime) {
        _ = wake.wait(timeout: deadline)
    }

    /// Wakes the writer (shutdown).
    func nudge() {
        wake.signal()
    }
}
