import ArgumentParser

@main
struct TLSFloorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tlsfloord",
        abstract: "TLS-terminating proxy for IMAP, POP3 and SMTP that enforces a minimum TLS version.",
        discussion: "Clients below the floor are refused, or told why in their own protocol, and every connection is logged.",
        version: TLSFloorVersion.string,
        subcommands: [RunCommand.self, CheckCommand.self, ReportCommand.self, NotifyCommand.self, HistoryCommand.self],
        defaultSubcommand: nil
    )
}

/// `--config` is shared by every subcommand.
struct ConfigOption: ParsableArguments {
    @Option(name: .shortAndLong, help: "Configuration file.")
    var config: String = "/etc/tlsfloor/tlsfloor.toml"
}
