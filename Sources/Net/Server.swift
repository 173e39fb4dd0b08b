import Configuration
import Dispatch
import Foundation
import Logging
import Synchronization
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
    private let drained = DrainCallback()
    public private(set) var configuration: Configuration

    /// Builds everything that can fail — TLS context, backend addresses,
    /// listening sockets — before anything serves.
    /// - Parameter inheritedSockets: listening fds passed by systemd, by listener
    ///   name; a name may carry several (one socket unit with several `ListenStream=`).
    public init(configuration: Configuration, logger: Logger, inheritedSockets: [String: [Int32]] = [:]) throws {
        self.configuration = configuration
        let drained = self.drained
        state = ServerState(logger: logger, maxConnections: configuration.limits.maxConnections) { drained.fire() }
        let threads = configuration.server.threads == 0 ? ProcessInfo.processInfo.activeProcessorCount : configuration.server.threads
        let state = self.state
        workers = (0..<max(1, threads)).map { Worker(index: $0, server: state) }
        let runtimes = try Self.makeRuntimes(configuration)
        for worker in workers { worker.runtimes = runtimes }
        do {
            for (index, listener) in configuration.listeners.enumerated() {
                let inherited = inheritedSockets[listener.name] ?? []
                for fd in inherited {
                    // systemd passes blocking sockets unless the unit says NonBlocking=yes;
                    // a blocking accept would stall a whole worker.
                    do {
                        try Socket.setNonBlocking(fd)
                    } catch {
                        throw ServerError(key: "listener[\(index + 1)]", reason: "inherited socket \(listener.name): \(error)")
                    }
                    listeners.append(Listener(name: listener.name, fd: fd, inherited: true))
                }
                if inherited.isEmpty {
                    do {
                        listeners.append(try Listener.bind(listener))
                    } catch {
                        throw ServerError(key: "listener[\(index + 1)].listen", reason: "\(error)")
                    }
                }
                if listener.tls == .implicit {
                    // The client speaks first on implicit TLS: wake us when its ClientHello is
                    // there, not at the bare handshake — one event and thread hop fewer.
                    for socket in listeners where socket.name == listener.name {
                        Socket.deferAccept(socket.fd, seconds: Int32(configuration.limits.handshakeTimeout.milliseconds / 1000))
                    }
                }
            }
        } catch {
            for listener in listeners { close(listener.fd) }
            throw error
        }
    }

    public func start() {
        for worker in workers { worker.start() }
        for listener in listeners {
            listener.start(on: workers)
            state.logger.info("listening on \(listener.address)", metadata: [
                "event": "listening", "listener": .string(listener.name), "listen": .string(listener.address),
                "inherited": .string(listener.inherited ? "yes" : "no"),
            ])
        }
    }

    /// Applies a new configuration to new connections; sessions already
    /// open keep the settings they started with. Listening addresses are
    /// fixed at start: a reload that changes them is refused.
    public func reload(_ next: Configuration) throws {
        let current = configuration.listeners.map { "\($0.name)=\($0.listen)" }
        let proposed = next.listeners.map { "\($0.name)=\($0.listen)" }
        guard current == proposed else {
            throw ServerError(key: "listener", reason: "adding, removing or moving listeners needs a restart")
        }
        let runtimes = try Self.makeRuntimes(next)
        for worker in workers {
            worker.queue.async { worker.runtimes = runtimes }
        }
        state.setLimit(next.limits.maxConnections)
        configuration = next
    }

    /// Stops accepting; calls `completion` when the last connection has
    /// ended or, after `grace`, once the rest have been closed.
    public func drain(grace: Duration, completion: @escaping @Sendable () -> Void) {
        for listener in listeners { listener.stop() }
        drained.set(completion)
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(grace.milliseconds))) { [workers] in
            for worker in workers {
                worker.queue.async { worker.closeAll() }
            }
        }
        state.beginDraining()
    }

    /// Calls `completion` on the main queue once every worker queue has run
    /// an empty block: proof that no event loop is stuck.
    public func probeWorkers(_ completion: @escaping @Sendable () -> Void) {
        let group = DispatchGroup()
        for worker in workers {
            worker.queue.async(group: group) {}
        }
        group.notify(queue: .main, execute: completion)
    }

    public var openConnections: Int { state.openConnections }
    public var refusedLegacyClients: Int { state.refusedLegacyClients }
    public var listenerNames: [String] { configuration.listeners.map(\.name) }

    private static func makeRuntimes(_ configuration: Configuration) throws -> [String: ListenerRuntime] {
        let context: TLSContext
        do {
            context = try TLSContext(settings: configuration.tls)
        } catch let error as TLSSetupError {
            throw ServerError(key: error.key, reason: error.reason)
        }
        var runtimes: [String: ListenerRuntime] = [:]
        for (index, listener) in configuration.listeners.enumerated() {
            let backends: [Backend]
            do {
                backends = try listener.backends.map { try Backend(endpoint: $0) }
            } catch {
                throw ServerError(key: "listener[\(index + 1)].backend", reason: "\(error)")
            }
            runtimes[listener.name] = ListenerRuntime(configuration: listener, tls: context,
                                                      limits: configuration.limits, backends: backends)
        }
        return runtimes
    }

    /// Checks what `init` would check, without opening any socket: the TLS
    /// context (certificate, key, ciphers) and backend addresses.
    public static func validate(_ configuration: Configuration) throws -> String {
        let runtimes = try makeRuntimes(configuration)
        return runtimes.values.first?.tls.certificateSummary ?? "-"
    }

    public var certificateSummary: String {
        workers.first?.queue.sync { workers.first?.runtimes.values.first?.tls.certificateSummary } ?? "-"
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
