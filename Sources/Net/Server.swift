import Configuration
import Dispatch
import Foundation
import Logging
import Synchronization
import Telemetry
import TLS

/// A failure to start or reload, naming the part of the configuration at fault.
public struct ServerError: Error, CustomStringConvertible, Sendable {
    public var key: String
    public var reason: String

    public var description: String { "\(key): \(reason)" }
}

/// The running proxy: listeners, workers, and the current configuration
/// generation. Lifecycle calls (`start`, `reload`, `drain`) come from the
/// main queue; serving happens on the workers.
public final class Server: @unchecked Sendable {
    private let state: ServerState
    private let workers: [Worker]
    private var listeners: [Listener] = []
    /// Each worker's acceptors, at the worker's index.
    private var acceptors: [[Acceptor]]
    private var runtimes: [String: ListenerRuntime]
    private let drained = DrainCallback()
    /// `[abuse]`: turns failed logins into bans; told of each reload's settings.
    private let bans: FailedLoginBans
    private let telemetry: Telemetry?
    private let metricsEndpoint: MetricsEndpoint?
    public private(set) var configuration: Configuration

    /// Builds everything that can fail — TLS context, backend addresses,
    /// workers, listening sockets — before anything serves.
    /// - Parameters:
    ///   - inheritedSockets: listening fds passed by systemd, by listener name; a
    ///     name may carry several (one socket unit with several `ListenStream=`).
    ///   - loginObservers: told of every login that reached a result, on the workers.
    ///   - telemetry: where connections are counted, served on `[metrics] listen`; nil: metrics off.
    public init(configuration: Configuration, logger: Logger, inheritedSockets: [String: [Int32]] = [:],
                loginObservers: [any LoginAttemptObserver] = [], telemetry: Telemetry? = nil) throws {
        self.configuration = configuration
        self.telemetry = telemetry
        let drained = self.drained
        let clients = ClientTable()
        bans = FailedLoginBans(clients: clients, logger: logger, abuse: configuration.abuse)
        let state = ServerState(logger: logger, maxConnections: configuration.limits.maxConnections, clients: clients,
                                loginObservers: [bans] + loginObservers) { drained.fire() }
        self.state = state
        let threads = configuration.server.threads == 0 ? ProcessInfo.processInfo.activeProcessorCount : configuration.server.threads
        let linger = Int32(clamping: configuration.server.linger.milliseconds)
        do {
            workers = try (0..<max(1, threads)).map { try Worker(index: $0, server: state, lingerMilliseconds: linger) }
        } catch {
            throw ServerError(key: "server.threads", reason: "cannot set up an event loop: \(error)")
        }
        acceptors = workers.map { _ in [] }
        runtimes = try Self.makeRuntimes(configuration, telemetry: telemetry)
        for worker in workers { worker.runtimes = runtimes }
        metricsEndpoint = try Self.metricsEndpoint(configuration.metrics, telemetry: telemetry, state: state)
        do {
            for (index, listener) in configuration.listeners.enumerated() {
                let bound = try Self.listeners(for: listener, at: index, inherited: inheritedSockets[listener.name] ?? [],
                                               workers: workers.count)
                listeners += bound
                if listener.tls == .implicit {
                    // The client speaks first on implicit TLS: wake us when its ClientHello is
                    // there, not at the bare handshake (a silent client's wait is credited
                    // against its handshake deadline, see Connection.creditDeferredAccept).
                    for socket in bound.flatMap(\.allSockets) { Socket.deferAccept(socket) }
                }
            }
            for listener in listeners { try addAcceptors(for: listener) }
        } catch {
            for listener in listeners { listener.close() }
            metricsEndpoint?.close()
            throw error
        }
    }

    private static func metricsEndpoint(_ settings: MetricsSettings, telemetry: Telemetry?,
                                        state: ServerState) throws -> MetricsEndpoint? {
        guard let listen = settings.listen, let telemetry else { return nil }
        do {
            return try MetricsEndpoint(listen) { telemetry.exposition(openConnections: state.openConnections) }
        } catch {
            throw ServerError(key: "metrics.listen", reason: "\(error)")
        }
    }

    private static func listeners(for listener: ListenerConfiguration, at index: Int, inherited: [Int32],
                                  workers: Int) throws -> [Listener] {
        guard !inherited.isEmpty else {
            do {
                return [try Listener.bind(listener, workers: workers)]
            } catch {
                throw ServerError(key: "listener[\(index + 1)].listen", reason: "\(error)")
            }
        }
        return try inherited.map { fd in
            if let problem = Socket.listeningStreamProblem(fd) {
                throw ServerError(key: "listener[\(index + 1)]",
                                  reason: "the socket systemd passed for listener \(listener.name) (fd \(fd)) is \(problem)")
            }
            // systemd passes blocking sockets unless the unit says NonBlocking=yes;
            // a blocking accept would stall a whole worker.
            do {
                try Socket.setNonBlocking(fd)
            } catch {
                throw ServerError(key: "listener[\(index + 1)]", reason: "inherited socket \(listener.name): \(error)")
            }
            return Listener(name: listener.name, sockets: .shared(fd), inherited: true)
        }
    }

    private func addAcceptors(for listener: Listener) throws {
        switch listener.sockets {
        case .perWorker(let fds):
            for (worker, fd) in zip(workers, fds) {
                let acceptor = Acceptor(listener: listener, fd: fd, worker: worker)
                try acceptor.arm()
                acceptors[worker.index].append(acceptor)
            }
        case .shared(let fd):
            let ring = workers.map { Acceptor(listener: listener, fd: fd, worker: $0) }
            Acceptor.ring(ring)
            try ring[0].arm()
            for acceptor in ring { acceptors[acceptor.worker.index].append(acceptor) }
        }
    }

    public func start() {
        for worker in workers { worker.start() }
        for listener in listeners {
            state.logger.info("listening on \(listener.address)", metadata: [
                "event": "listening", "listener": .string(listener.name), "listen": .string(listener.address),
                "inherited": .string(listener.inherited ? "yes" : "no"),
            ])
        }
        if let metricsEndpoint {
            metricsEndpoint.start()
            state.logger.info("metrics on \(metricsEndpoint.address)", metadata: [
                "event": "metrics_listening", "listen": .string(metricsEndpoint.address),
            ])
        }
    }

    /// Applies a new configuration to new connections; sessions already
    /// open keep the settings they started with. What is set on the
    /// listening sockets is fixed at start — their addresses, and the TLS
    /// mode (implicit-TLS sockets hold silent clients back with
    /// TCP_DEFER_ACCEPT, which would keep a STARTTLS client from its
    /// greeting): a reload that changes either is refused.
    public func reload(_ next: Configuration) throws {
        let current = configuration.listeners.map { "\($0.name)=\($0.listen)" }
        let proposed = next.listeners.map { "\($0.name)=\($0.listen)" }
        guard current == proposed else {
            throw ServerError(key: "listener", reason: "adding, removing or moving listeners needs a restart")
        }
        for (old, new) in zip(configuration.listeners, next.listeners) where old.tls != new.tls {
            throw ServerError(key: "listener", reason: "switching listener \(new.name) from tls = \"\(old.tls.rawValue)\" "
                + "to \"\(new.tls.rawValue)\" needs a restart (its sockets are set up for one mode)")
        }
        guard next.metrics == configuration.metrics else {
            throw ServerError(key: "metrics.listen", reason: "starting, stopping or moving the metrics endpoint needs a restart")
        }
        let runtimes = try Self.makeRuntimes(next, telemetry: telemetry)
        for worker in workers {
            worker.post { worker.runtimes = runtimes }
        }
        self.runtimes = runtimes
        state.setLimit(next.limits.maxConnections)
        bans.update(next.abuse)
        configuration = next
    }

    /// Stops accepting; calls `completion` when the last connection has
    /// ended or, after `grace`, once the rest have been closed.
    public func drain(grace: Duration, completion: @escaping @Sendable () -> Void) {
        let listeners = self.listeners
        let state = self.state
        drained.set(completion)
        state.beginDraining(acceptingWorkers: workers.count)
        let stopped = DispatchGroup()
        for worker in workers {
            let own = acceptors[worker.index]
            stopped.enter()
            worker.post {
                for acceptor in own { acceptor.stop() }
                state.workerStoppedAccepting()
                stopped.leave()
            }
        }
        // Closed only when no worker can hand a shared socket on any more.
        stopped.notify(queue: .main) {
            for listener in listeners { listener.close() }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(grace.milliseconds))) { [workers] in
            for worker in workers {
                worker.post {
                    for connection in worker.openConnections { connection.forceClose() }
                }
            }
        }
    }

    /// Calls `completion` on the main queue once every worker has run a
    /// posted block: proof that no event loop is stuck.
    public func probeWorkers(_ completion: @escaping @Sendable () -> Void) {
        let group = DispatchGroup()
        for worker in workers {
            group.enter()
            worker.post { group.leave() }
        }
        group.notify(queue: .main, execute: completion)
    }

    public var openConnections: Int { state.openConnections }
    public var refusedLegacyClients: Int { state.refusedLegacyClients }
    public var listenerNames: [String] { configuration.listeners.map(\.name) }

    private static func makeRuntimes(_ configuration: Configuration, telemetry: Telemetry?) throws -> [String: ListenerRuntime] {
        let certificates: ServerCertificates
        do {
            certificates = try ServerCertificates(settings: configuration.tls)
        } catch let error as TLSSetupError {
            throw ServerError(key: error.key, reason: error.reason)
        }
        var runtimes: [String: ListenerRuntime] = [:]
        for (index, listener) in configuration.listeners.enumerated() {
            let context: TLSContext
            do {
                context = try TLSContext(certificates: certificates, defaultCertificate: listener.defaultCertificate)
            } catch let error as TLSSetupError {
                throw ServerError(key: "listener[\(index + 1)].\(error.key)", reason: error.reason)
            }
            let metrics = telemetry?.listener(named: listener.name)
            let backends: [Backend]
            do {
                backends = try listener.backends.map {
                    try Backend(endpoint: $0, connectFailures: metrics?.backendConnectFailures($0.description))
                }
            } catch {
                throw ServerError(key: "listener[\(index + 1)].backend", reason: "\(error)")
            }
            runtimes[listener.name] = ListenerRuntime(configuration: listener, tls: context, limits: configuration.limits,
                                                      abuse: configuration.abuse, backends: backends, telemetry: metrics)
        }
        return runtimes
    }

    /// Checks what `init` would check, without opening any socket: the TLS
    /// context (certificate, key, ciphers) and backend addresses.
    public static func validate(_ configuration: Configuration) throws -> (certificate: String, warnings: [TLSSetupWarning]) {
        let certificates = try makeRuntimes(configuration, telemetry: nil).values.first?.tls.certificates
        return (certificates?.summary ?? "-", certificates?.warnings ?? [])
    }

    public var certificateSummary: String {
        runtimes.values.first?.tls.certificateSummary ?? "-"
    }

    /// What the current certificate files left out (stale OCSP responses …), to log after start and reload.
    public var certificateWarnings: [TLSSetupWarning] {
        runtimes.values.first?.tls.certificates.warnings ?? []
    }
}

/// Runs the drain completion exactly once, whichever thread sees the last
/// connection end.
private final class DrainCallback: Sendable {
    private let callback = Mutex<(@Sendable () -> Void)?>(nil)

    func set(_ completion: @escaping @Sendable () -> Void) {
        callback.withLock { $0 = completion }
    }

    func fire() {
        let completion = callback.withLock { stored -> (@Sendable () -> Void)? in
            defer { stored = nil }
            return stored
        }
        completion?()
    }
}
