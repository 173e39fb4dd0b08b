import Logging
import Synchronization

/// State all workers share, kept to atomics so the accept path takes no
/// lock: the connection count against the limit, and whether the daemon is
/// draining for shutdown.
final class ServerState: Sendable {
    let logger: Logger
    private let open = Atomic<Int>(0)
    private let limit: Atomic<Int>
    private let draining = Atomic<Bool>(false)
    private let refusedLegacy = Atomic<Int>(0)
    private let onDrained: @Sendable () -> Void

    init(logger: Logger, maxConnections: Int, onDrained: @escaping @Sendable () -> Void) {
        self.logger = logger
        self.limit = Atomic(maxConnections)
        self.onDrained = onDrained
    }

    var openConnections: Int { open.load(ordering: .relaxed) }
    var refusedLegacyClients: Int { refusedLegacy.load(ordering: .relaxed) }

    func setLimit(_ maxConnections: Int) { limit.store(maxConnections, ordering: .relaxed) }

    /// Claims a connection slot; false when the limit is reached.
    func tryAcquire() -> Bool {
        let count = open.add(1, ordering: .relaxed).newValue
        if count > limit.load(ordering: .relaxed) {
            release()
            return false
        }
        return true
    }

    func connectionEnded() { release() }

    func countRefusedLegacyClient() { refusedLegacy.add(1, ordering: .relaxed) }

    /// Stops counting towards nothing: from now on the last connection to
    /// end calls `onDrained`. Calls it at once if none is open.
    func beginDraining() {
        draining.store(true, ordering: .sequentiallyConsistent)
        if open.load(ordering: .sequentiallyConsistent) == 0 { onDrained() }
    }

    private func release() {
        let count = open.subtract(1, ordering: .sequentiallyConsistent).newValue
        if count == 0, draining.load(ordering: .sequentiallyConsistent) { onDrained() }
    }
}
