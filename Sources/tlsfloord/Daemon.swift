import Configuration
import Dispatch
import Foundation
import Logging
import Net

/// The process lifecycle around `Server`: signals, reload, shutdown.
/// Signal sources live in this (nonisolated) class, not in top-level code:
/// a handler created there is main-actor isolated and traps when Dispatch
/// runs it.
final class Daemon: @unchecked Sendable {
    private let logger = Logger(label: "tlsfloord")
    private let server: Server
    private let configPath: String
    private var signalSources: [DispatchSourceSignal] = []

    init(configuration: Configuration) throws {
        configPath = configuration.path
        do {
            server = try Server(configuration: configuration, logger: logger)
        } catch {
            throw StartFailure(description: "\(configuration.path): \(error)")
        }
    }

    func start() {
        server.start()
        logger.notice("tlsfloord started", metadata: [
            "event": "start", "version": .string(TLSFloorVersion.number),
            "listeners": .string(server.listenerNames.joined(separator: ",")),
            "certificate": .string(server.certificateSummary),
        ])
        handle(SIGTERM) { [self] in shutdown(signal: "SIGTERM") }
        handle(SIGINT) { [self] in shutdown(signal: "SIGINT") }
        handle(SIGHUP) { [self] in reload() }
    }

    private func handle(_ signalNumber: Int32, _ action: @escaping @Sendable () -> Void) {
        signal(signalNumber, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
        source.setEventHandler(handler: action)
        source.resume()
        signalSources.append(source)
    }

    private func reload() {
        do {
            let next = try Configuration.load(path: configPath)
            try server.reload(next)
            logger.notice("configuration reloaded", metadata: [
                "event": "reload", "outcome": "ok", "certificate": .string(server.certificateSummary),
            ])
        } catch {
            logger.error("reload refused, previous configuration stays active: \(error)", metadata: [
                "event": "reload", "outcome": "refused", "error": .string("\(error)"),
            ])
        }
    }

    private var stopping = false

    private func shutdown(signal name: String) {
        guard !stopping else { return }
        stopping = true
        let grace = server.configuration.limits.shutdownGrace
        logger.notice("stopping: no new connections, open sessions get \(grace.milliseconds) ms", metadata: [
            "event": "stop", "signal": .string(name), "open_connections": .string(String(server.openConnections)),
        ])
        server.drain(grace: grace) { [logger] in
            DispatchQueue.main.async {
                logger.notice("stopped", metadata: ["event": "stopped"])
                exit(0)
            }
        }
    }
}

struct StartFailure: Error, CustomStringConvertible {
    var description: String
}
