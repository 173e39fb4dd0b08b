import CSocket
import Dispatch
import Glibc
import Synchronization
import SystemPackage

/// What a registration in a worker's epoll set stands for.
enum EventTarget {
    case client(Connection)
    case backend(Connection)
    case acceptor(Acceptor)
    /// The eventfd other threads write to cut a linger short.
    case wakeUp
    /// The timerfd armed at the earliest deadline.
    case clock
}

/// One event-loop thread. It owns an epoll set holding its connections'
/// sockets, its share of the listening sockets, a timerfd and an eventfd;
/// one Dispatch read source watches that set, and its handler runs every
/// ready connection inline on the worker's serial queue.
///
/// Why not a Dispatch source per socket: on Linux each of their events,
/// re-arms, installs and cancels hops through libdispatch's manager thread
/// (docs/performance.md). Here Dispatch wakes the worker once, and while
/// the worker is busy it stays in `epoll_wait` (`[server] linger`) instead
/// of going back to Dispatch between events.
///
/// `@unchecked Sendable`: its state is touched only on `queue`; other
/// threads reach it through `post` (and `epoll_ctl`, which is thread-safe,
/// when a shared listening socket is handed on).
final class Worker: @unchecked Sendable {
    let index: Int
    let queue: DispatchQueue
    /// Relay scratch space: read into it, write out of it, copy nothing
    /// unless the receiver is slow. Shared: only one connection runs at a time.
    let scratch: UnsafeMutableRawBufferPointer
    let server: ServerState
    /// The current configuration generation, by listener name; replaced on reload.
    var runtimes: [String: ListenerRuntime] = [:]
    /// Milliseconds on the monotonic clock, refreshed once per batch of events.
    private(set) var now: UInt64

    let epoll: EpollSet
    private var registry = Registry<EventTarget>()
    private var deadlines = DeadlineHeap<Connection>()
    private var pausedAcceptors: [(until: UInt64, acceptor: Acceptor)] = []
    private var runQueue: [Connection] = []
    private var running: [Connection] = []
    private let clock: FileDescriptor
    /// When the timerfd fires, in ms; nil when it is not armed.
    private var clockArmedAt: UInt64?
    private let wakeUp: FileDescriptor
    private var source: DispatchSourceRead?
    private let events: UnsafeMutablePointer<tlsfloor_ready_event>
    private let lingerMilliseconds: Int32
    private let lingering = Atomic<Bool>(false)
    private let pendingPosts = Atomic<Int>(0)

    static let scratchSize = 64 * 1024
    /// One handler run gives the queue back after this long, so blocks
    /// posted with `queue.async` never wait longer.
    static let maxRunMilliseconds: UInt64 = 20
    /// Deadlines are coarse (seconds); arming the timer to a 10 ms grid
    /// lets nearby ones share a wake-up.
    static let clockGranularityMilliseconds: UInt64 = 10

    init(index: Int, server: ServerState, lingerMilliseconds: Int32) throws {
        self.index = index
        self.server = server
        self.lingerMilliseconds = lingerMilliseconds
        queue = DispatchQueue(label: "tlsfloord.worker.\(index)", qos: .userInitiated)
        epoll = try EpollSet()
        let timer = timerfd_create(CLOCK_MONOTONIC, Int32(TFD_NONBLOCK | TFD_CLOEXEC))
        let wake = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard timer >= 0, wake >= 0 else { throw NetError.errno("timerfd/eventfd") }
        clock = FileDescriptor(rawValue: timer)
        wakeUp = FileDescriptor(rawValue: wake)
        scratch = .allocate(byteCount: Self.scratchSize, alignment: 16)
        events = .allocate(capacity: Int(TLSFLOOR_EPOLL_BATCH))
        now = MonotonicClock.milliseconds()
        try epoll.add(timer, events: .readable, token: registry.insert(.clock))
        try epoll.add(wake, events: .readable, token: registry.insert(.wakeUp))
    }

    deinit {
        scratch.deallocate()
        events.deallocate()
    }

    func start() {
        let source = DispatchSource.makeReadSource(fileDescriptor: epoll.fd.rawValue, queue: queue)
        source.setEventHandler { [unowned self] in serviceEvents() }
        source.resume()
        self.source = source
    }

    // MARK: - Registrations

    /// Adds a connection's socket to the set, edge-triggered for reading
    /// and writing; the readiness flags start as the caller knows them.
    func watch(_ fd: Int32, as target: EventTarget, readable: Bool, writable: Bool) throws -> WatchedSocket {
        let token = registry.insert(target)
        do {
            try epoll.add(fd, events: .connection, token: token)
        } catch {
            registry.remove(token)
            throw error
        }
        return WatchedSocket(fd: FileDescriptor(rawValue: fd), token: token, isReadable: readable, isWritable: writable)
    }

    /// Removes the socket from the set, then closes it.
    func close(_ socket: WatchedSocket) {
        epoll.remove(socket.rawValue)
        registry.remove(socket.token)
        try? socket.fd.close()
    }

    /// A token for an acceptor; the acceptor adds its socket itself, to
    /// this set or (shared sockets) to another worker's.
    func register(_ acceptor: Acceptor) -> EventToken {
        registry.insert(.acceptor(acceptor))
    }

    /// Every connection still open (shutdown grace period over).
    var openConnections: [Connection] {
        registry.targets.compactMap { if case .client(let connection) = $0 { connection } else { nil } }
    }

    // MARK: - Scheduling

    /// Sets or clears a connection's deadline.
    func setDeadline(_ connection: Connection, at deadline: UInt64?) {
        if let deadline {
            deadlines.schedule(connection, at: deadline)
        } else {
            deadlines.cancel(connection)
        }
    }

    /// Runs `connection` again after the current batch: it stopped only
    /// to give the others on this worker a turn.
    func runAgain(_ connection: Connection) {
        guard !connection.isQueuedToRun else { return }
        connection.isQueuedToRun = true
        runQueue.append(connection)
    }

    /// Stops accepting on `acceptor` for a moment (out of descriptors).
    func pause(_ acceptor: Acceptor, milliseconds: UInt64) {
        pausedAcceptors.append((now + milliseconds, acceptor))
    }

    /// Runs `work` on this worker's queue; if the worker is lingering in
    /// `epoll_wait`, wakes it so the work does not wait for the linger.
    func post(_ work: @escaping @Sendable () -> Void) {
        // Paired with `serviceEvents`: it sets `lingering` and then reads
        // `pendingPosts`; we do the opposite, so one of us sees the other.
        pendingPosts.add(1, ordering: .sequentiallyConsistent)
        queue.async { [self] in
            pendingPosts.subtract(1, ordering: .sequentiallyConsistent)
            work()
        }
        if lingering.load(ordering: .sequentiallyConsistent) {
            var one: UInt64 = 1
            _ = Glibc.write(wakeUp.rawValue, &one, 8)
        }
    }

    // MARK: - The loop

    /// The Dispatch source's handler: runs ready registrations in batches,
    /// lingers while events keep coming, and returns to Dispatch when the
    /// set has been quiet for a linger, when another thread posted work, or
    /// after `maxRunMilliseconds`.
    private func serviceEvents() {
        now = MonotonicClock.milliseconds()
        let returnBy = now + Self.maxRunMilliseconds
        var yieldToQueue = false
        while true {
            var count = epoll.wait(into: events, capacity: Int(TLSFLOOR_EPOLL_BATCH), timeoutMilliseconds: 0)
            if count == 0, runQueue.isEmpty {
                guard lingerMilliseconds > 0, !yieldToQueue, now < returnBy else { break }
                lingering.store(true, ordering: .sequentiallyConsistent)
                if pendingPosts.load(ordering: .sequentiallyConsistent) > 0 {
                    lingering.store(false, ordering: .sequentiallyConsistent)
                    break
                }
                count = epoll.wait(into: events, capacity: Int(TLSFLOOR_EPOLL_BATCH), timeoutMilliseconds: lingerMilliseconds)
                lingering.store(false, ordering: .sequentiallyConsistent)
                if count == 0 { break }
            }
            now = MonotonicClock.milliseconds()
            for index in 0..<count where deliver(events[index]) {
                yieldToQueue = true
            }
            runQueued()
            expireDeadlines()
            if yieldToQueue || now >= returnBy { break }
        }
        armClock()
        if !runQueue.isEmpty {
            // Nothing in the set may be ready to bring us back: come back ourselves.
            queue.async { [self] in serviceEvents() }
        }
    }

    /// Hands one event to its target; true if it asks the loop to give the
    /// queue back (another thread posted work).
    private func deliver(_ event: tlsfloor_ready_event) -> Bool {
        let token = EventToken(rawValue: event.token)
        guard let target = registry[token] else { return false }
        let events = EpollEvents(rawValue: event.events)
        switch target {
        case .client(let connection):
            connection.clientEvent(events)
        case .backend(let connection):
            connection.backendEvent(events)
        case .acceptor(let acceptor):
            acceptor.acceptPending()
        case .wakeUp:
            drain(wakeUp)
            return true
        case .clock:
            drain(clock)
            clockArmedAt = nil
        }
        return false
    }

    /// One pass over the connections that gave way; any that queue
    /// themselves again wait for the next batch of events.
    private func runQueued() {
        guard !runQueue.isEmpty else { return }
        swap(&runQueue, &running)
        for connection in running {
            connection.isQueuedToRun = false
            connection.run()
        }
        running.removeAll(keepingCapacity: true)
    }

    private func expireDeadlines() {
        while let connection = deadlines.popExpired(now: now) {
            connection.deadlineReached()
        }
        if !pausedAcceptors.isEmpty {
            let due = pausedAcceptors.filter { $0.until <= now }
            pausedAcceptors.removeAll { $0.until <= now }
            for entry in due { entry.acceptor.resume() }
        }
    }

    /// Arms the timerfd for the earliest deadline, unless it already fires
    /// earlier (firing early is harmless: nothing expires, it re-arms).
    private func armClock() {
        let earliest = [deadlines.earliest, pausedAcceptors.map(\.until).min()].compactMap { $0 }.min()
        guard let earliest else { return }
        let grid = Self.clockGranularityMilliseconds
        let target = (earliest + grid - 1) / grid * grid
        if let armed = clockArmedAt, armed <= target { return }
        if tlsfloor_timerfd_arm(clock.rawValue, max(target, 1) * 1_000_000) == 0 {
            clockArmedAt = target
        }
    }

    private func drain(_ counter: FileDescriptor) {
        var value: UInt64 = 0
        _ = Glibc.read(counter.rawValue, &value, 8)
    }
}
