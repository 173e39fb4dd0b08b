import Configuration
import Dispatch
import EventLog
import Foundation
import Logging
import Synchronization

/// The one thread that talks to the store. Woken by the first queued login, it lets more
/// gather for `batchWindow`, takes everything queued, writes it in one transaction, and sleeps
/// until the next one arrives. When the store fails it keeps the batch, reconnects with growing pauses,
/// and meanwhile lets the queue fill and overflow — the workers never notice. Every hour (and
/// at each connect) it deletes rows older than `keep`.
///
/// A dedicated thread with blocking client-library calls, rather than an event-loop driver:
/// the workers' event loops stay free of database sockets, and a store that hangs holds only
/// this thread.
public final class HistoryWriter: @unchecked Sendable {
    /// The writer's clocks; shorter in tests.
    public struct Timing: Sendable {
        /// How long the writer lets logins gather after the first one wakes it: one transaction
        /// (and one wake-up) per window under load instead of one per login.
        public var batchWindow: Duration = .milliseconds(250)
        /// How often dropped rows are reported (once per interval at most).
        public var reportInterval: Duration = .seconds(10)
        public var pruneInterval: Duration = .seconds(3_600)
        public var firstRetry: Duration = .seconds(1)
        public var longestRetry: Duration = .seconds(60)

        public init() {}
    }

    public let queue: HistoryQueue
    private let settings: HistorySettings
    private let timing: Timing
    private let logger: Logger
    private let open: @Sendable () throws -> HistoryStore
    private let stopping = Atomic(false)
    private let finished = DispatchSemaphore(value: 0)

    // Confined to the writer thread.
    private var store: HistoryStore?
    private var pending: [LoginAttempt] = []
    private let clock = ContinuousClock()
    private var retryAt: ContinuousClock.Instant
    private var retryPause: Duration
    private var pruneAt: ContinuousClock.Instant
    private var reportAt: ContinuousClock.Instant
    /// The first failure of an outage is logged; its end is logged with what it cost.
    private var outageStarted: ContinuousClock.Instant?
    private var droppedInOutage = 0

    /// - Parameter open: opens the store for writing; the default opens what `settings` names.
    public init(settings: HistorySettings, logger: Logger, timing: Timing = Timing(),
                open: (@Sendable () throws -> HistoryStore)? = nil) {
        self.settings = settings
        self.timing = timing
        self.logger = logger
        self.open = open ?? { try HistoryStores.open(settings, access: .write) }
        queue = HistoryQueue(capacity: settings.queueSize)
        retryAt = clock.now
        retryPause = timing.firstRetry
        pruneAt = clock.now
        reportAt = clock.now + timing.reportInterval
    }

    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "history-writer"
        thread.start()
    }

    /// Stops after writing what is queued, waiting at most `limit`; false if the writer was
    /// still busy (the store slow or down) and rows were left unwritten.
    public func finish(within limit: Duration) -> Bool {
        stopping.store(true, ordering: .releasing)
        queue.nudge()
        return finished.wait(timeout: .now() + .milliseconds(Int(limit.milliseconds))) == .success
    }

    private func run() {
        while true {
            let stop = stopping.load(ordering: .acquiring)
            if store == nil && clock.now >= retryAt { connect() }
            if store != nil {
                if pending.isEmpty {
                    if !stop && !queue.isEmpty { gather() }
                    pending = queue.take()
                }
                if !pending.isEmpty { write() }
                if store != nil && clock.now >= pruneAt { prune() }
            }
            if clock.now >= reportAt { reportDropped() }
            if stop && (store == nil || (pending.isEmpty && queue.isEmpty)) { break }
            // Rows that queued up behind a held batch sent their wake-up long ago: go on at once.
            if store != nil && !queue.isEmpty { continue }
            sleep()
        }
        if store == nil, !pending.isEmpty || !queue.isEmpty {
            logger.warning("login history store unavailable at shutdown: \(pending.count + queue.take().count) login records not written",
                           metadata: ["event": "history_unwritten"])
        }
        reportDropped()
        finished.signal()
    }

    /// Lets logins join the batch for `batchWindow` (a shutdown nudge cuts it short).
    private func gather() {
        queue.wait(until: .now() + .milliseconds(Int(timing.batchWindow.milliseconds)))
    }

    /// Until rows arrive, or the next retry, prune or report is due.
    private func sleep() {
        var next = reportAt
        if store == nil { next = min(next, retryAt) } else { next = min(next, pruneAt) }
        let remaining = max(.zero, next - clock.now)
        queue.wait(until: .now() + .milliseconds(Int(remaining.milliseconds) + 1))
    }

    private func connect() {
        do {
            store = try open()
        } catch {
            failed(error as? HistoryStoreError ?? HistoryStoreError("\(error)"))
            return
        }
        retryPause = timing.firstRetry
        pruneAt = clock.now
        if let started = outageStarted {
            logger.notice("login history store is back after \((clock.now - started).milliseconds / 1000) s", metadata: [
                "event": "history_store_available", "store": .string(settings.store.description),
                "dropped": .string(String(droppedInOutage)),
            ])
            outageStarted = nil
            droppedInOutage = 0
        } else {
            logger.info("writing the login history to \(settings.store)", metadata: [
                "event": "history_store_available", "store": .string(settings.store.description),
            ])
        }
    }

    private func write() {
        let rows = pending.map { attempt in
            var attempt = attempt
            if settings.anonymizeAddresses { attempt.clientAddress = AddressAnonymizer.network(of: attempt.clientAddress) }
            return LoginRow(attempt: attempt, instance: settings.instance)
        }
        do {
            try store?.insert(rows)
            pending = []
        } catch {
            failed(error)
        }
    }

    private func prune() {
        let cutoff = Date().addingTimeInterval(-Double(settings.keep.milliseconds) / 1000)
        var deleted = 0
        do {
            while let store {
                let step = try store.prune(before: cutoff, limit: 5_000)
                deleted += step
                if step < 5_000 { break }
            }
        } catch {
            failed(error)
            return
        }
        pruneAt = clock.now + timing.pruneInterval
        if deleted > 0 {
            logger.info("deleted \(deleted) login history rows older than \(HistoryTime.format(cutoff))", metadata: [
                "event": "history_pruned", "rows": .string(String(deleted)),
            ])
        }
    }

    /// Drops the connection and schedules the next attempt; logs the first failure of an outage.
    private func failed(_ error: HistoryStoreError) {
        store = nil
        retryAt = clock.now + retryPause
        retryPause = min(retryPause * 2, timing.longestRetry)
        guard outageStarted == nil else { return }
        outageStarted = clock.now
        logger.warning("login history store unavailable, tlsfloord keeps serving and retries: \(error)", metadata: [
            "event": "history_store_unavailable", "store": .string(settings.store.description),
            "error": .string(error.description),
        ])
    }

    private func reportDropped() {
        reportAt = clock.now + timing.reportInterval
        let dropped = queue.takeDropped()
        guard dropped > 0 else { return }
        if outageStarted != nil { droppedInOutage += dropped }
        logger.warning("login history queue full: \(dropped) login records dropped", metadata: [
            "event": "history_dropped", "dropped": .string(String(dropped)),
            "queue_size": .string(String(queue.capacity)),
        ])
    }
}
