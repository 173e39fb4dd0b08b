import ArgumentParser
import Configuration
import Dispatch
import Glibc
import EventLog
import Logging
import Net

/// `tlsfloord run`: serve in the foreground until SIGTERM/SIGINT.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the proxy in the foreground (as systemd starts it).")

    @OptionGroup var options: ConfigOption

    func run() throws {
        // A client that resets mid-write must cost an EPIPE, not the process.
        signal(SIGPIPE, SIG_IGN)
        let configuration = try loadConfiguration(options.config)
        LogBootstrap.install(configuration.log)
        let daemon = try Daemon(configuration: configuration)
        daemon.start()
        dispatchMain()
    }
}
