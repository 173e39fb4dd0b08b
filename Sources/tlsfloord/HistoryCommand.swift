import ArgumentParser
import Configuration
import Foundation
import History

/// `tlsfloord history USER`: one user's logins from the login history store, for support staff
/// answering "which of my programs still uses TLS 1.0?". Opens the store read-only.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show one user's logins from the login history store ([history] in the configuration).",
        discussion: "Newest first. TLS 1.0/1.1 logins are marked LEGACY. The store is opened read-only.")

    @OptionGroup var options: ConfigOption

    @Argument(help: "The login name exactly as the client sent it (e.g. alice@example.org).")
    var user: String

    @Option(help: "Only logins at or after this time (RFC 3339, YYYY-MM-DD for midnight UTC, or an age: 30d, 12h, 2w).")
    var since = "30d"

    @Option(help: "Output format: aligned table for a terminal, or a JSON array keyed by the store's column names.")
    var format: HistoryFormat = .table

    func validate() throws {
        _ = try LogInput.since(since)
    }

    func run() throws {
        let configuration = try loadConfiguration(options.config)
        guard let settings = configuration.history else {
            throw ConfigurationFailure(ConfigurationError(file: options.config, key: "history",
                                                          reason: "no [history] store is configured"))
        }
        do {
            let store = try HistoryStores.open(settings, access: .readOnly)
            print(format.render(try store.rows(user: user, since: LogInput.since(since))), terminator: "")
        } catch let error as HistoryStoreError {
            throw HistoryFailure(description: "\(settings.store): \(error)")
        }
    }
}

/// The store could not be read: printed as `tlsfloord: STORE: REASON`, exit 1.
struct HistoryFailure: Error, CustomStringConvertible {
    let description: String
}

extension HistoryFormat: ExpressibleByArgument {}
