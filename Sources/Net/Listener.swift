import Configuration
import Dispatch
import EventLog
import Glibc
import Mail
import Synchronization

/// A listening socket. Every worker watches it with its own accept source:
/// whichever worker is free takes the next client, and the connection then
/// stays on that worker's queue — no hand-over between threads.
final class Listener: @unchecked Sendable {
    let name: String
    let fd: Int32
    let address: String
    /// True when systemd passed the socket in (it is not ours to unlink or re-bind).
    let inherited: Bool
    /// Written once in `start`, before any event can fire.
    private var sources: [DispatchSourceRead] = []
    private var openSources = 0
    private let warnedAboutDescriptors = Atomic<Bool>(false)

    /// Clients accepted per readiness event before other work gets a turn.
    private static let acceptBatch = 32

    init(name: String, fd: Int32, inherited: Bool) {
        self.name = name
        self.fd = fd
        self.inherited = inherited
        self.address = Socket.localAddress(fd)?.description ?? "fd \(fd)"
    }

    static func bind(_ configuration: ListenerConfiguration) throws -> Listener {
        let addresses = try SocketAddress.resolve(configuration.listen, passive: true)
        guard let address = addresses.first else { throw NetError("\(configuration.listen): no address") }
        return Listener(name: configuration.name, fd: try Socket.listen(on: address), inherited: false)
    }

    /// One accept source per worker, at the worker's index.
    func start(on workers: [Worker]) {
        for worker in workers {
            let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: worker.queue)
            source.setEventHandler { [unowned self, unowned worker] in acceptPending(on: worker) }
            source.setCancelHandler { [self] in
                openSources -= 1
                if openSources == 0 { close(fd) }
            }
            openSources += 1
            sources.append(source)
            source.resume()
        }
    }

    /// Stops accepting and closes the socket once every source is gone.
    func stop() {
        for source in sources { source.cancel() }
    }

    private func acceptPending(on worker: Worker) {
        for _ in 0..<Self.acceptBatch {
            guard let (fd, peer) = Socket.accept(self.fd) else {
                if errno == EMFILE || errno == ENFILE { backOff(on: worker) }
                return
            }
            guard let runtime = worker.runtimes[name] else {
                Glibc.close(fd)
                continue
            }
            guard worker.server.tryAcquire() else {
                refuseOverLimit(fd: fd, peer: peer, runtime: runtime, worker: worker)
                continue
            }
            if peer.family != AF_UNIX { Socket.setNoDelay(fd) }
            Connection(fd: fd, peer: peer, runtime: runtime, worker: worker).start()
        }
    }

    /// Out of file descriptors: the pending client stays in the backlog and
    /// the (level-triggered) source would fire again at once, spinning a
    /// core. Pause this worker's accepting for a moment instead.
    private func backOff(on worker: Worker) {
        guard worker.index < sources.count else { return }
        let index = worker.index
        sources[index].suspend()
        worker.queue.asyncAfter(deadline: .now() + .milliseconds(100)) { [self] in sources[index].resume() }
        if !warnedAboutDescriptors.exchange(true, ordering: .relaxed) {
            worker.server.logger.warning("out of file descriptors: accepting paused briefly; raise LimitNOFILE or lower max_connections",
                                         metadata: ["event": "accept_paused", "listener": .string(name)])
        }
    }

    /// Over `max_connections`: a STARTTLS client can still be told so in
    /// plaintext; an implicit-TLS one would need a handshake, which is
    /// exactly the work the limit exists to avoid — it is just closed.
    private func refuseOverLimit(fd: Int32, peer: SocketAddress, runtime: ListenerRuntime, worker: Worker) {
        if runtime.configuration.tls == .starttls {
            let reply = MailReplies.tooManyConnections(runtime.mailProtocol, hostname: runtime.configuration.hostname)
            _ = reply.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        }
        Glibc.close(fd)
        var record = ConnectionRecord(listener: name, protocol: runtime.mailProtocol.rawValue,
                                      tlsMode: runtime.configuration.tls.rawValue, client: peer.description)
        record.outcome = .tooManyConnections
        record.log(to: worker.server.logger)
    }
}
