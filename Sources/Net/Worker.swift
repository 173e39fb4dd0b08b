import Dispatch
import Synchronization

/// One event-loop thread: a serial queue, the connections confined to it,
/// a scratch buffer they share (only one runs at a time), and a timer
/// that enforces their deadlines.
final class Worker: @unchecked Sendable {
    let index: Int
    let queue: DispatchQueue
    /// Relay scratch space: read into it, write out of it, copy nothing
    /// unless the receiver is slow.
    let scratch: UnsafeMutableRawBufferPointer
    let server: ServerState
    private(set) var connections: [ObjectIdentifier: Connection] = [:]
    /// The current configuration generation, by listener name; replaced on reload.
    var runtimes: [String: ListenerRuntime] = [:]
    private var timer: DispatchSourceTimer?
    /// Refreshed once per timer tick; good enough for second-granular deadlines.
    private(set) var now: UInt64 = monotonicMilliseconds()

    static let scratchSize = 64 * 1024
    static let tickMilliseconds = 250

    init(index: Int, server: ServerState) {
        self.index = index
        self.server = server
        self.queue = DispatchQueue(label: "tlsfloord.worker.\(index)", qos: .userInitiated)
        self.scratch = .allocate(byteCount: Self.scratchSize, alignment: 16)
    }

    deinit {
        scratch.deallocate()
    }

    func start() {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(Self.tickMilliseconds),
                       repeating: .milliseconds(Self.tickMilliseconds), leeway: .milliseconds(50))
        timer.setEventHandler { [unowned self] in tick() }
        timer.resume()
        self.timer = timer
    }

    func register(_ connection: Connection) {
        connections[ObjectIdentifier(connection)] = connection
    }

    func unregister(_ connection: Connection) {
        if connections.removeValue(forKey: ObjectIdentifier(connection)) != nil {
            server.connectionEnded()
        }
    }

    private func tick() {
        now = monotonicMilliseconds()
        for connection in connections.values {
            connection.checkDeadlines(now: now)
        }
    }

    /// Ends every connection still open (shutdown grace period over).
    func closeAll() {
        for connection in Array(connections.values) {
            connection.forceClose()
        }
    }
}
