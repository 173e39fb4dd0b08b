import ArgumentParser
import Configuration
import Dispatch
import Glibc
import Logging
import Systemd

/// `tlsfloord run`: serve in the foreground until SIGTERM/SIGINT.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the proxy in the foreground (as systemd starts it).")

    @OptionGroup var options: ConfigOption

    @Option(help: "Where logs go: auto, stderr or journal (overrides [log] target).")
    var log: String?

    func run() throws {
        // A client that resets mid-write must cost an EPIPE, not the process.
        signal(SIGPIPE, SIG_IGN)
        let configuration = try loadConfiguration(options.config)
        var target: LogSettings.Target?
        if let log {
            guard let parsed = LogSettings.Target(rawValue: log) else {
                throw ValidationError("--log must be auto, stderr or journal")
            }
            target = parsed
        }
        LogBootstrap.install(configuration.log, override: target)
        let inherited = try InheritedSockets.take()
        let daemon = try Daemon(configuration: configuration, inherited: inherited)
        daemon.start()
        dispatchMain()
    }
}
