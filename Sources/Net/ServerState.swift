import Logging
import Synchronization

/// State all workers share: the connection count against the limit and
/// whether the daemon is draining (atomics, so the accept path takes no
/// lock for them), the per-address table (short sharded locks, see
/// `ClientTable`), and the login observers.
final class ServerState: Sendable {
    let logger: Logger
    /// Per-address connections, handshake rates, failed logins and bans.
    let clients: ClientTable
    /// Told of every login that reached a result; fixed for the daemon's life.
    let loginObservers: [any LoginAttemptObserver]
    private let open = Atomic<Int>(0)
    private let limit: Atomic<Int>
    private let draining = Atomic<Bool>(false)
    /// Workers that have not yet stopped accepting since the drain began.
    private let stillAccepting = Atomic<Int>(0)
    private let refusedLegacy = Atomic<Int>(0)
    private let onDrained: @Sendable () -> Void

    init(logger: Logger, maxConnections: Int, clients: ClientTable = ClientTable(),
         loginObservers: [any LoginAttemptObserver] = [], onDrained: @escaping @Sendable () -> Void) {
        self.logger = logger
        self.clients = clients
        self.loginObservers = loginObservers
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

    /// Starts the drain: once all `acceptingWorkers` have stopped accepting
    /// (`workerStoppedAccepting`) and no connection is open, `onDrained`
    /// runs — at once if that is already so, else when the last one ends.
    ///
    /// Why wait for the workers: a worker may accept a client between the
    /// signal and the moment it runs its stop. Counting open connections
    /// only after every worker stopped means such a client is counted, and
    /// the drain waits for it instead of exiting under it.
    func beginDraining(acceptingWorkers: Int) {
        stillAccepting.store(acceptingWorkers, ordering: .sequentiallyConsistent)
        draining.store(true, ordering: .sequentiallyConsistent)
        if acceptingWorkers == 0 { finishIfIdle() }
    }

    /// Called by each worker, on its own queue, after its last accept.
    func workerStoppedAccepting() {
        if stillAccepting.subtract(1, ordering: .sequentiallyConsistent).newValue == 0 { finishIfIdle() }
    }

    private func release() {
        let count = open.subtract(1, ordering: .sequentiallyConsistent).newValue
        if count == 0 { finishIfIdle() }
    }

    /// Both conditions are checked after each one changes, so whichever
    /// comes last fires `onDrained` (the caller makes sure it runs once).
    private func finishIfIdle() {
        guard draining.load(ordering: .sequentiallyConsistent),
              stillAccepting.load(ordering: .sequentiallyConsistent) == 0,
              open.load(ordering: .sequentiallyConsistent) == 0 else { return }
        onDrained()
    }
}
