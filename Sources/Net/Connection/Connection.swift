import Configuration
import EventLog
import Logging
import Mail
import ProxyProtocol
import TLS

/// One client connection: a state machine confined to its worker, so it
/// needs no locks. The worker calls it when one of its sockets has an
/// event (`clientEvent`, `backendEvent`), when a deadline passes
/// (`deadlineReached`) and when it gave way to others (`run`).
///
/// Its work runs in two lanes, each waiting for at most one readiness:
/// - inbound: what the client sends and the way to the backend — the PROXY
///   header, plaintext commands, the handshake, a refusal's input,
///   connecting, and relaying client → backend;
/// - outbound: what goes to the client — tlsfloord's own replies, the
///   backend's greeting, and relaying backend → client.
/// A lane whose receiver is slow waits for the receiver, not the sender:
/// that is the backpressure.
final class Connection: DeadlineHolder {
    /// One socket's readiness, as a lane waits for it.
    enum Readiness: Equatable {
        case clientReadable, clientWritable, backendReadable, backendWritable
    }

    unowned let worker: Worker
    let runtime: ListenerRuntime
    let peer: SocketAddress
    var client: WatchedSocket
    var backend: WatchedSocket?
    var tls: TLSSession?
    private(set) var phase: Phase = .handshaking
    var record: ConnectionRecord
    let startedAt: UInt64
    /// Last time bytes moved either way, for the idle timeout.
    var lastActivity: UInt64
    var inboundWait: Readiness?
    /// When the TLS handshake began (ns, monotonic); read only with metrics on.
    var handshakeStartedAt: UInt64 = 0
    var outboundWait: Readiness?

    /// tlsfloord's own replies and the backend's output the client has not taken yet.
    var toClient = ByteQueue()
    /// The client's output the backend has not taken yet.
    var toBackend = ByteQueue()
    /// Client and original destination as a front's PROXY header gave them.
    var frontAddresses: (source: ProxyIPEndpoint, destination: ProxyIPEndpoint)?
    /// The front sent a PROXY `LOCAL` header: its own connection, a health check.
    var frontIsCheckingHealth = false
    /// The backends to try, in order, and which one is being tried.
    var backends = BackendAttempts(order: [])
    /// The address this connection is counted under in the per-address
    /// table, to give back when it closes; nil when it is not counted.
    var countedAs: ClientKey?

    // Worker bookkeeping.
    var deadlineSlot: Int?
    var isQueuedToRun = false

    /// Steps per lane per `run` before the connection gives way to others.
    private static let turnsPerRun = 4

    private init(fd: Int32, peer: SocketAddress, runtime: ListenerRuntime, worker: Worker) {
        self.worker = worker
        self.runtime = runtime
        self.peer = peer
        // Registered in `start`, once `self` exists to register.
        client = WatchedSocket(fd: .init(rawValue: fd), token: EventToken(slot: .max, serial: .max), isReadable: true, isWritable: true)
        startedAt = worker.now
        lastActivity = worker.now
        record = ConnectionRecord(listener: runtime.name, protocol: runtime.mailProtocol.rawValue,
                                  tlsMode: runtime.configuration.tls.rawValue, client: peer.description)
    }

    /// Takes over a freshly accepted client. Its readiness starts as "yes":
    /// an implicit-TLS client was accepted with its ClientHello already
    /// there (TCP_DEFER_ACCEPT), and a new socket has room to write.
    static func start(fd: Int32, peer: SocketAddress, runtime: ListenerRuntime, worker: Worker) {
        let connection = Connection(fd: fd, peer: peer, runtime: runtime, worker: worker)
        do {
            connection.client = try worker.watch(fd, as: .client(connection), readable: true, writable: true)
        } catch {
            connection.record.outcome = .handshakeFailed
            connection.record.error = "\(error)"
            connection.record.log(to: worker.server.logger)
            try? connection.client.fd.close()
            worker.server.connectionEnded()
            return
        }
        // The PROXY header, plaintext preamble and handshake together get one handshake timeout.
        connection.setDeadline(worker.now + UInt64(runtime.limits.handshakeTimeout.milliseconds))
        if runtime.configuration.acceptProxyProtocol {
            connection.startProxyHeader()
        } else {
            connection.startSession()
            connection.creditDeferredAccept()
        }
        connection.run()
    }

    /// Implicit-TLS listeners accept with TCP_DEFER_ACCEPT: a client with
    /// data is accepted at once, a silent one only after the defer time.
    /// Finding nothing to read now means the client has been silent that
    /// long already, so the handshake deadline counts it.
    private func creditDeferredAccept() {
        guard runtime.configuration.tls == .implicit, case .handshaking = phase, tls?.hasReceivedNothing == true else { return }
        let timeout = UInt64(runtime.limits.handshakeTimeout.milliseconds)
        setDeadline(startedAt + timeout - min(timeout, Socket.deferAcceptMilliseconds))
    }

    /// The client's own first byte is next: TLS or a plaintext greeting —
    /// unless its address is over a per-address limit or banned (checked
    /// here, after a PROXY header has named the real client).
    func startSession() {
        guard admitClientAddress() else { return }
        switch runtime.configuration.tls {
        case .implicit: startHandshake()
        case .starttls: startPlaintext()
        }
    }

    // MARK: - Events

    func clientEvent(_ events: EpollEvents) {
        client.note(events)
        run()
    }

    func backendEvent(_ events: EpollEvents) {
        backend?.note(events)
        run()
    }

    /// Steps each lane whose wait is satisfied, until neither is or the
    /// turns are used up (then the worker runs it again after the others).
    func run() {
        for _ in 0..<Self.turnsPerRun {
            var progressed = false
            if !phase.isClosed, let wait = inboundWait, isReady(wait) {
                inboundWait = nil
                stepInbound()
                progressed = true
            }
            if !phase.isClosed, let wait = outboundWait, isReady(wait) {
                outboundWait = nil
                stepOutbound()
                progressed = true
            }
            guard progressed else { return }
        }
        if !phase.isClosed { worker.runAgain(self) }
    }

    private func isReady(_ wait: Readiness) -> Bool {
        switch wait {
        case .clientReadable: client.isReadable
        case .clientWritable: client.isWritable
        case .backendReadable: backend?.isReadable ?? false
        case .backendWritable: backend?.isWritable ?? false
        }
    }

    private func stepInbound() {
        switch phase {
        case .proxyHeader(let decoder): readProxyHeader(decoder)
        case .plaintext(let preamble): readPlaintext(preamble)
        case .handshaking: continueHandshake()
        case .refusing(let refusal, let outcome): readRefusalInput(refusal, outcome: outcome)
        case .connecting: finishConnect()
        case .relaying(let relay): pumpUpstream(relay)
        case .lingering(let outcome, let error): discardClientInput(outcome, error: error)
        case .awaitingGreeting, .closingAfterReply, .closed: break
        }
    }

    private func stepOutbound() {
        switch phase {
        case .plaintext, .refusing, .closingAfterReply: flushReplies()
        case .awaitingGreeting(let consumer): readGreeting(consumer)
        case .relaying(let relay): pumpDownstream(relay)
        case .proxyHeader, .handshaking, .connecting, .lingering, .closed: break
        }
    }

    // MARK: - Phases

    /// The one place a phase begins: both lanes start idle (the phase's
    /// own start says what it waits for), and the deadline is set as the
    /// phase needs it.
    func enter(_ next: Phase) {
        let logger = worker.server.logger
        if logger.logLevel <= .debug {
            logger.debug("phase \(phase.name) -> \(next.name)", metadata: [
                "event": "phase", "listener": .string(runtime.name), "client": .string(record.client),
                "worker": .stringConvertible(worker.index),
            ])
        }
        // Leaving the relay by any way: what its inspector saw goes into the record.
        if case .relaying(let relay) = phase, let inspector = relay.inspector { recordFindings(of: inspector, relay) }
        phase = next
        inboundWait = nil
        outboundWait = nil
        let limits = runtime.limits
        switch next {
        case .proxyHeader, .plaintext, .handshaking, .connecting, .awaitingGreeting:
            // Under the handshake deadline set at accept, or one per backend attempt.
            break
        case .refusing:
            setDeadline(worker.now + UInt64(limits.handshakeTimeout.milliseconds))
        case .relaying:
            lastActivity = worker.now
            setDeadline(lastActivity + UInt64(limits.idleTimeout.milliseconds))
        case .closingAfterReply:
            // A client that never reads must not hold the slot for ever.
            setDeadline(worker.now + 5_000)
        case .lingering:
            setDeadline(worker.now + Self.lingerMilliseconds)
        case .closed:
            setDeadline(nil)
        }
    }

    /// Keeps the phase but replaces its protocol machine's state (value
    /// types: changed on a copy, stored back).
    func update(_ current: Phase) {
        assert(current.name == phase.name, "update(\(current.name)) during \(phase.name): use enter")
        phase = current
    }

    func setDeadline(_ deadline: UInt64?) {
        worker.setDeadline(self, at: deadline)
    }

    // MARK: - Deadlines

    func deadlineReached() {
        switch phase {
        case .proxyHeader:
            close(.proxyHeaderRefused, error: "no complete PROXY header in time")
        case .plaintext, .handshaking:
            fillOfferFields()
            close(.handshakeTimeout)
        case .refusing(_, let outcome):
            // The refusal went out; the client just did not hang up.
            close(outcome)
        case .connecting:
            backendAttemptFailed("connect timeout")
        case .awaitingGreeting:
            backendAttemptFailed("no greeting from backend")
        case .closingAfterReply(let outcome, let error), .lingering(let outcome, let error):
            close(outcome, error: error)
        case .relaying:
            let idleUntil = lastActivity + UInt64(runtime.limits.idleTimeout.milliseconds)
            if worker.now >= idleUntil {
                tls?.sendCloseNotify()
                close(.idleTimeout)
            } else {
                setDeadline(idleUntil)
            }
        case .closed:
            break
        }
        run()
    }

    // MARK: - Closing

    /// Sends `reply` (over TLS if it is up), then closes and logs `outcome`.
    func closeAfterReply(_ reply: [UInt8], outcome: Outcome, error: String? = nil) {
        closeBackend()
        toClient.append(reply)
        enter(.closingAfterReply(outcome, error: error))
        flushReplies()
    }

    func closeBackend() {
        if let backend { worker.close(backend) }
        backend = nil
    }

    /// Closes both sockets, logs the connection once, and frees its slot.
    func close(_ outcome: Outcome, error: String? = nil) {
        guard !phase.isClosed else { return }
        enter(.closed)
        record.outcome = frontIsCheckingHealth && outcome.endsBeforeTheSession ? .healthCheck : outcome
        record.error = error
        record.durationMilliseconds = Int64(MonotonicClock.milliseconds() - startedAt)
        worker.close(client)
        closeBackend()
        if let countedAs { worker.server.clients.release(countedAs) }
        if [.tlsVersionRefused, .legacyExplained, .legacyRamped].contains(outcome) { worker.server.countRefusedLegacyClient() }
        runtime.telemetry?.connectionEnded(record, offered: tls?.offer?.highestVersion,
                                           negotiated: record.tlsVersion == nil ? nil : tls?.protocolVersion)
        record.log(to: worker.server.logger)
        worker.server.connectionEnded()
    }

    /// Shutdown grace period is over.
    func forceClose() {
        if case .lingering(let outcome, let error) = phase {
            // The session had ended already; only the courtesy wait is cut short.
            close(outcome, error: error)
            return
        }
        tls?.sendCloseNotify()
        close(.shutdown)
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

extension Outcome {
    /// Ended before TLS or a login got anywhere: what a balancer's connect
    /// check looks like (it may close, reset, or just go quiet).
    fileprivate var endsBeforeTheSession: Bool {
        [.handshakeFailed, .handshakeTimeout, .plaintextClosed].contains(self)
    }
}
