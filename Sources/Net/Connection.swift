import Configuration
import EventLog
import Glibc
import Mail
import ProxyProtocol
import TLS

/// What one direction of a connection is waiting for.
enum Readiness: Equatable {
    case clientReadable, clientWritable, backendReadable, backendWritable
}

/// One client connection: a state machine confined to its worker's serial
/// queue, so it needs no locks. Its two directions ("upstream": client to
/// backend, "downstream": backend to client) each wait for at most one
/// readiness event; the socket sources are switched on and off to match,
/// which is also the backpressure: a direction whose receiver is slow stops
/// reading from its sender.
///
/// `@unchecked Sendable`: every access happens on `worker.queue`; Dispatch
/// needs Sendable only to hop onto it.
final class Connection: @unchecked Sendable {
    enum Phase {
        /// Reading a PROXY protocol header from a trusted front.
        case proxyHeader
        /// STARTTLS listeners: tlsfloord's own plaintext conversation.
        case plaintext
        case handshaking
        /// A client below the floor, told why in its protocol, then closed.
        case refusing
        case connecting
        /// STARTTLS: swallowing the backend's greeting.
        case awaitingGreeting
        case relaying
        /// Flushing a last reply, then closing.
        case finishing
        case closed
    }

    unowned let worker: Worker
    let runtime: ListenerRuntime
    let client: SocketHandle
    let peer: SocketAddress
    var phase: Phase
    var tls: TLSSession?
    var backend: SocketHandle?
    var record: ConnectionRecord
    let startedAt: UInt64
    var lastActivity: UInt64
    /// Handshake or connect deadline (ms since boot).
    var deadline: UInt64?
    var toClient = ByteQueue()
    var toBackend = ByteQueue()
    var upstream: Readiness?
    var downstream: Readiness?
    var clientFinished = false
    var backendFinished = false
    var backendWriteShut = false
    /// How the current phase ends if the client just goes away; also what
    /// `.finishing` logs once it has flushed. Each phase that writes to the
    /// client sets it when it begins.
    var pendingOutcome: (Outcome, String?) = (.relayed, nil)

    // Protocol logic from the Mail module, each alive only in its phase.
    var preamble: (any StartTLSPreamble)?
    var greeting: (any BackendGreetingConsumer)?
    var inspector: (any RelayInspector)?
    var refusal: (any LegacyRefusalSession)?

    var proxyDecoder: ProxyHeaderDecoder?
    /// Client and original destination as a front's PROXY header gave them.
    var frontAddresses: (source: ProxyIPEndpoint, destination: ProxyIPEndpoint)?

    var backendAttempts: [Backend] = []
    var backendAttempt = 0

    init(fd: Int32, peer: SocketAddress, runtime: ListenerRuntime, worker: Worker) {
        self.worker = worker
        self.runtime = runtime
        self.peer = peer
        self.client = SocketHandle(fd: fd, queue: worker.queue)
        self.startedAt = monotonicMilliseconds()
        self.lastActivity = worker.now
        self.phase = .handshaking
        self.record = ConnectionRecord(listener: runtime.name, protocol: runtime.mailProtocol.rawValue,
                                       tlsMode: runtime.configuration.tls.rawValue, client: peer.description)
    }

    /// Called once, on the worker's queue, right after accept.
    func start() {
        worker.register(self)
        client.onReadable { [self] in handle(.clientReadable) }
        deadline = worker.now + UInt64(runtime.limits.handshakeTimeout.milliseconds)
        if runtime.configuration.acceptProxyProtocol {
            startProxyHeader()
        } else {
            startSession()
        }
        updateInterest()
    }

    /// The client's own first byte is next: TLS or a plaintext greeting.
    func startSession() {
        switch runtime.configuration.tls {
        case .implicit: startHandshake()
        case .starttls: startPlaintext()
        }
    }

    // MARK: - Event routing

    func handle(_ event: Readiness) {
        let wanted = upstream == event || downstream == event
        if upstream == event {
            upstream = nil
            stepUpstream()
        }
        if downstream == event, phase != .closed {
            downstream = nil
            stepDownstream()
        }
        if !wanted { stopWatching(event) }
        updateInterest()
    }

    /// Advances the client-to-backend side of whatever phase we are in.
    func stepUpstream() {
        switch phase {
        case .proxyHeader: readProxyHeader()
        case .plaintext: readPlaintext()
        case .handshaking: continueHandshake()
        case .refusing: readRefusalInput()
        case .connecting: finishConnect()
        case .relaying: pumpUpstream()
        case .awaitingGreeting, .finishing, .closed: break
        }
    }

    /// Advances the backend-to-client side.
    func stepDownstream() {
        switch phase {
        case .plaintext, .refusing, .finishing: flushClient()
        case .awaitingGreeting: readGreeting()
        case .relaying: pumpDownstream()
        case .proxyHeader, .handshaking, .connecting, .closed: break
        }
    }

    /// Switches socket sources on for the events someone waits for.
    ///
    /// On Linux every suspend and resume of a Dispatch source is a round
    /// trip through libdispatch's manager thread, so read sources are
    /// switched off lazily: only when one fires and nobody wants it (see
    /// `handle`). Between phases the client is usually silent and the
    /// source simply stays on. Write sources fire whenever the socket has
    /// room, so they are switched off at once.
    func updateInterest() {
        guard phase != .closed else { return }
        let waits = [upstream, downstream]
        if waits.contains(.clientReadable) { client.watchReadable(true) }
        setWritable(client, waits.contains(.clientWritable), event: .clientWritable)
        if let backend {
            if waits.contains(.backendReadable) { backend.watchReadable(true) }
            setWritable(backend, waits.contains(.backendWritable), event: .backendWritable)
        }
    }

    /// A readiness nobody waits for (data arriving while the other side is
    /// slow, or between phases): stop watching until someone does.
    private func stopWatching(_ event: Readiness) {
        switch event {
        case .clientReadable: client.watchReadable(false)
        case .backendReadable: backend?.watchReadable(false)
        case .clientWritable, .backendWritable: break
        }
    }

    private func setWritable(_ socket: SocketHandle, _ on: Bool, event: Readiness) {
        if on, !socket.hasWriteWatcher {
            socket.onWritable { [self] in handle(event) }
        }
        socket.watchWritable(on)
    }

    // MARK: - Deadlines

    func checkDeadlines(now: UInt64) {
        if let deadline, now >= deadline {
            switch phase {
            case .proxyHeader:
                end(.proxyHeaderRefused, error: "no complete PROXY header in time")
            case .plaintext, .handshaking:
                fillOfferFields()
                end(.handshakeTimeout)
            case .refusing:
                // The refusal went out; the client just did not hang up.
                end(.legacyExplained)
            case .connecting:
                backendAttemptFailed("connect timeout")
            case .awaitingGreeting:
                backendAttemptFailed("no greeting from backend")
            case .finishing:
                end(pendingOutcome.0, error: pendingOutcome.1)
            case .relaying, .closed:
                break
            }
            updateInterest()
        } else if phase == .relaying, now - lastActivity >= UInt64(runtime.limits.idleTimeout.milliseconds) {
            tls?.sendCloseNotify()
            end(.idleTimeout)
        }
    }

    // MARK: - Ending

    /// Sends `reply` (over TLS if it is up), then closes and logs `outcome`.
    func finish(with reply: [UInt8], outcome: Outcome, error: String? = nil) {
        backend?.close()
        backend = nil
        toClient.append(reply)
        phase = .finishing
        pendingOutcome = (outcome, error)
        upstream = nil
        downstream = nil
        // A client that never reads must not hold the slot for ever.
        deadline = worker.now + 5_000
        flushClient()
    }

    func end(_ outcome: Outcome, error: String? = nil) {
        guard phase != .closed else { return }
        phase = .closed
        record.outcome = outcome
        record.error = error
        record.durationMilliseconds = Int64(monotonicMilliseconds() - startedAt)
        if let login = inspector?.login { record.apply(login) }
        client.close()
        backend?.close()
        upstream = nil
        downstream = nil
        preamble = nil
        greeting = nil
        inspector = nil
        refusal = nil
        if outcome == .tlsVersionRefused || outcome == .legacyExplained { worker.server.countRefusedLegacyClient() }
        record.log(to: worker.server.logger)
        worker.unregister(self)
    }

    /// Shutdown grace period is over.
    func forceClose() {
        tls?.sendCloseNotify()
        end(.shutdown)
    }
}

extension ConnectionRecord {
    mutating func apply(_ login: LoginObservation) {
        user = login.user
        mechanism = login.mechanism
        self.login = login.result == .none ? nil : login.result.rawValue
        clientName = login.clientName
        clientVersion = login.clientVersion
    }
}
