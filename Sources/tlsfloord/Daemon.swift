import Configuration
import Dispatch
import Foundation
import Logging
import Net
import Systemd
import Telemetry

/// The process lifecycle around `Server`: systemd notifications, signals,
/// reload, watchdog and shutdown. Everything here runs on the main queue.
/// Signal sources live in this (nonisolated) class, not in top-level code:
/// a handler created there is main-actor isolated and traps when Dispatch
/// runs it.
final class Daemon: @unchecked Sendable {
    private let logger = Logger(label: "tlsfloord")
    private let server: Server
    private let configPath: String
    /// `[server] user`: what the process runs as after start, hence what a reload reads files as.
    private let droppedTo: String?
    private let notifier = ServiceNotifier()
    private let history: HistoryService?
    /// nil unless `[metrics] listen` is set.
    private let telemetry: Telemetry?
    private var sources: [DispatchSourceProtocol] = []
    private var stopping = false

    init(configuration: Configuration, inherited: InheritedSockets) throws {
        configPath = configuration.path
        let names = configuration.listeners.map(\.name)
        for name in inherited.names(notIn: names) {
            logger.warning("systemd passed a socket named \(name) that no [[listener]] uses; closing it",
                           metadata: ["event": "socket_unused", "listener": .string(name)])
            for fd in inherited.descriptors(named: name) { close(fd) }
        }
        var sockets: [String: [Int32]] = [:]
        for name in names {
            sockets[name] = inherited.descriptors(named: name)
        }
        history = HistoryService(configuration.history, logger: logger)
        telemetry = configuration.metrics.listen == nil ? nil : Telemetry(version: TLSFloorVersion.number)
        do {
            server = try Server(configuration: configuration, logger: logger, inheritedSockets: sockets,
                                loginObservers: history.map { [$0.observer] } ?? [], telemetry: telemetry)
            if let user = configuration.server.user { try Privileges.drop(to: user) }
        } catch {
            throw StartFailure(description: "\(configuration.path): \(error)")
        }
        droppedTo = configuration.server.user
    }

    func start() {
        server.start()
        history?.start()
        logger.notice("tlsfloord started", metadata: [
            "event": "start", "version": .string(TLSFloorVersion.number),
            "listeners": .string(server.listenerNames.joined(separator: ",")),
            "certificate": .string(server.certificateSummary),
        ])
        if let user = droppedTo {
            do {
                try Privileges.checkReadable(server.configuration.tls, asUser: user)
            } catch {
                logger.warning("a reload will fail: \(error)", metadata: ["event": "reload_unready", "error": .string("\(error)")])
            }
        }
        logCertificateWarnings()
        notify { try $0.ready(status: statusLine) }
        handle(SIGTERM) { [self] in shutdown(signal: "SIGTERM") }
        handle(SIGINT) { [self] in shutdown(signal: "SIGINT") }
        handle(SIGHUP) { [self] in reload() }
        startWatchdog()
        every(.seconds(10)) { [self] in notify { try $0.status(statusLine) } }
    }

    /// One line for `systemctl status`.
    private var statusLine: String {
        "\(server.listenerNames.count) listeners, \(server.openConnections) open connections, "
            + "\(server.refusedLegacyClients) legacy clients refused since start"
    }

    private func handle(_ signalNumber: Int32, _ action: @escaping @Sendable () -> Void) {
        signal(signalNumber, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
        source.setEventHandler(handler: action)
        source.resume()
        sources.append(source)
    }

    private func every(_ interval: DispatchTimeInterval, _ action: @escaping @Sendable () -> Void) {
        let timer = DispatchSource.makeTimerSource(queue: .main)
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler(handler: action)
        timer.resume()
        sources.append(timer)
    }

    /// Pings at half the interval — but only once every worker queue has
    /// run a no-op, so a stuck event loop stops the pings and systemd
    /// restarts the service.
    private func startWatchdog() {
        guard let interval = notifier.watchdogInterval else { return }
        let half = DispatchTimeInterval.microseconds(Int(interval.milliseconds * 500))
        every(half) { [self] in
            server.probeWorkers { [self] in notify { try $0.watchdogPing() } }
        }
    }

    private func reload() {
        // After STOPPING=1 a READY=1 would tell systemd the opposite of the truth.
        guard !stopping else { return }
        notify { try $0.reloading() }
        do {
            let next = try Configuration.load(path: configPath)
            if let user = droppedTo { try Privileges.checkReadable(next.tls, asUser: user) }
            try server.reload(next)
            history?.noteReload(next.history)
            telemetry?.reloaded(ok: true)
            logger.notice("configuration reloaded", metadata: [
                "event": "reload", "outcome": "ok", "certificate": .string(server.certificateSummary),
            ])
            logCertificateWarnings()
        } catch {
            telemetry?.reloaded(ok: false)
            logger.error("reload refused, previous configuration stays active: \(error)", metadata: [
                "event": "reload", "outcome": "refused", "error": .string("\(error)"),
            ])
        }
        // Also after a refused reload: systemd waits for READY=1 either way.
        notify { try $0.ready(status: statusLine) }
    }

    /// A left-out OCSP staple serves on, but the operator must hear of it at every start and reload.
    private func logCertificateWarnings() {
        for warning in server.certificateWarnings {
            logger.warning("\(warning)", metadata: [
                "event": "certificate_warning", "key": .string(warning.key), "reason": .string(warning.reason),
            ])
        }
    }

    private func shutdown(signal name: String) {
        guard !stopping else { return }
        stopping = true
        notify { try $0.stopping() }
        let grace = server.configuration.limits.shutdownGrace
        logger.notice("stopping: no new connections, open sessions get \(grace.milliseconds) ms", metadata: [
            "event": "stop", "signal": .string(name), "open_connections": .string(String(server.openConnections)),
        ])
        server.drain(grace: grace) { [history] in
            DispatchQueue.main.async {
                history?.finish()
                exit(0)
            }
        }
    }

    /// sd_notify failures are logged, never fatal: the service keeps serving.
    private func notify(_ message: (ServiceNotifier) throws -> Void) {
        do {
            try message(notifier)
        } catch {
            logger.warning("sd_notify failed: \(error)", metadata: ["event": "notify_failed"])
        }
    }
}

struct StartFailure: Error, CustomStringConvertible {
    var description: String
}
