import Configuration
import EventLog
import History
import Logging
import Net

/// `[history]` in the running daemon: the writer thread and the observer that feeds its queue.
/// Fixed at start; a reload that changes `[history]` is told to restart.
struct HistoryService: Sendable {
    private let settings: HistorySettings
    private let writer: HistoryWriter
    private let logger: Logger
    /// For `Server(loginObservers:)`.
    let observer: any LoginAttemptObserver

    init?(_ settings: HistorySettings?, logger: Logger) {
        guard let settings else { return nil }
        self.settings = settings
        self.logger = logger
        writer = HistoryWriter(settings: settings, logger: logger)
        observer = HistoryRecorder(queue: writer.queue)
    }

    /// After the privilege drop: the store's files belong to the user tlsfloord serves as.
    func start() {
        writer.start()
    }

    func noteReload(_ next: HistorySettings?) {
        guard next != settings else { return }
        logger.notice("[history] changed: it takes effect at the next restart", metadata: ["event": "history_reload"])
    }

    /// At shutdown: what is queued gets a moment to reach the store.
    func finish() {
        if !writer.finish(within: .seconds(2)) {
            logger.warning("login history writer still busy at exit; queued login records are lost",
                           metadata: ["event": "history_unwritten"])
        }
    }
}

/// Hands each login attempt to the writer's queue on the worker; a full queue drops and counts it.
private final class HistoryRecorder: LoginAttemptObserver {
    let queue: HistoryQueue

    init(queue: HistoryQueue) {
        self.queue = queue
    }

    func loginAttempted(_ attempt: LoginAttempt) {
        queue.offer(attempt)
    }
}
