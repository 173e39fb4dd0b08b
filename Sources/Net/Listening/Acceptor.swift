import Configuration
import EventLog
import Glibc
import Mail

/// Takes new clients off one listening socket for one worker; each client
/// then stays on that worker.
///
/// A socket of the worker's own (`SO_REUSEPORT`) sits in the worker's set
/// for good. A shared socket sits in one worker's set at a time: the
/// acceptor that takes a client hands the socket on to the next worker's
/// acceptor (two `epoll_ctl` calls), so clients go round the workers and no
/// worker wakes for a client another one takes. (`EPOLLEXCLUSIVE` would do
/// that in a flat epoll set, but not in one nested under Dispatch's.)
final class Acceptor: @unchecked Sendable {
    let listener: Listener
    let fd: Int32
    unowned let worker: Worker
    /// Set once, before the workers start; other workers read it to hand the socket over.
    private(set) var token = EventToken(slot: 0, serial: 0)
    /// For a shared socket: who gets it after this acceptor took a client.
    private(set) var next: Acceptor?
    /// Touched on this worker's queue only.
    private var isStopped = false

    /// Clients accepted per readiness event before other work gets a turn.
    private static let batch = 32

    init(listener: Listener, fd: Int32, worker: Worker) {
        self.listener = listener
        self.fd = fd
        self.worker = worker
        token = worker.register(self)
    }

    /// Links the acceptors of one shared socket into a ring; the first one
    /// starts with the socket.
    static func ring(_ acceptors: [Acceptor]) {
        for (index, acceptor) in acceptors.enumerated() where acceptors.count > 1 {
            acceptor.next = acceptors[(index + 1) % acceptors.count]
        }
    }

    /// Puts the socket into this worker's set (level-triggered: a client
    /// left in the backlog fires again).
    func arm() throws {
        try worker.epoll.add(fd, events: .readable, token: token)
    }

    /// On this worker's queue: no more accepting here.
    func stop() {
        isStopped = true
        worker.epoll.remove(fd)
    }

    /// After a pause for lack of descriptors.
    func resume() {
        guard !isStopped else { return }
        try? arm()
    }

    func acceptPending() {
        guard !isStopped else {
            // A shared socket handed on by a worker that had not stopped yet.
            worker.epoll.remove(fd)
            return
        }
        let limit = next == nil ? Self.batch : 1
        var accepted = 0
        while accepted < limit {
            guard let (client, peer) = Socket.accept(fd) else {
                if errno == EMFILE || errno == ENFILE { backOff() }
                break
            }
            accepted += 1
            admit(client, peer: peer)
        }
        if accepted > 0, let next {
            worker.epoll.remove(fd)
            try? next.worker.epoll.add(fd, events: .readable, token: next.token)
        }
    }

    private func admit(_ client: Int32, peer: SocketAddress) {
        guard let runtime = worker.runtimes[listener.name] else {
            Glibc.close(client)
            return
        }
        guard worker.server.tryAcquire() else {
            refuseOverLimit(client, peer: peer, runtime: runtime)
            return
        }
        if peer.family != AF_UNIX { Socket.setNoDelay(client) }
        Connection.start(fd: client, peer: peer, runtime: runtime, worker: worker)
    }

    /// Out of file descriptors: the pending client stays in the backlog and
    /// the level-triggered socket would fire again at once, spinning a core.
    /// Pause this acceptor for a moment instead.
    private func backOff() {
        worker.epoll.remove(fd)
        worker.pause(self, milliseconds: 100)
        if !listener.warnedAboutDescriptors.exchange(true, ordering: .relaxed) {
            worker.server.logger.warning("out of file descriptors: accepting paused briefly; raise LimitNOFILE or lower max_connections",
                                         metadata: ["event": "accept_paused", "listener": .string(listener.name)])
        }
    }

    /// Over `max_connections`: a STARTTLS client can still be told so in
    /// plaintext; an implicit-TLS one would need a handshake, which is
    /// exactly the work the limit exists to avoid — it is just closed.
    private func refuseOverLimit(_ client: Int32, peer: SocketAddress, runtime: ListenerRuntime) {
        if runtime.configuration.tls == .starttls {
            let reply = MailReplies.refusal(.tooManyConnections, runtime.mailProtocol, hostname: runtime.configuration.hostname)
            _ = reply.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
        }
        Glibc.close(client)
        var record = ConnectionRecord(listener: listener.name, protocol: runtime.mailProtocol.rawValue,
                                      tlsMode: runtime.configuration.tls.rawValue, client: peer.description)
        record.outcome = .tooManyConnections
        record.log(to: worker.server.logger)
    }
}
