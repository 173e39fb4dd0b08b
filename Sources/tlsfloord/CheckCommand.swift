import ArgumentParser
import Configuration
import Foundation
import History
import Net

/// `tlsfloord check`: validates a configuration — syntax, keys, values,
/// certificate and key, backend addresses — without opening a socket.
/// Used as `ExecStartPre=` and before `systemctl reload`.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Validate a configuration file and exit (0 = valid).")

    @OptionGroup var options: ConfigOption

    func run() throws {
        let configuration = try loadConfiguration(options.config)
        if let user = configuration.server.user {
            do {
                _ = try Privileges.account(named: user)
            } catch {
                throw ConfigurationFailure(ConfigurationError(file: options.config, key: "server.user",
                                                              reason: "no such user \"\(user)\""))
            }
        }
        if let history = configuration.history, let problem = HistoryStores.problem(with: history) {
            throw ConfigurationFailure(ConfigurationError(file: options.config, key: "history.store", reason: problem))
        }
        do {
            let (certificate, warnings) = try Server.validate(configuration)
            for warning in warnings {
                FileHandle.standardError.write(Data("warning: \(options.config): \(warning)\n".utf8))
            }
            print("\(options.config): OK — \(configuration.listeners.count) listener(s), certificate \(certificate)")
        } catch {
            throw ConfigurationFailure(ConfigurationError(file: options.config, key: keyOf(error), reason: reasonOf(error)))
        }
    }
}

/// A configuration error printed as `tlsfloord: FILE: KEY: REASON`, exit 1.
struct ConfigurationFailure: Error, CustomStringConvertible {
    let error: ConfigurationError
    init(_ error: ConfigurationError) { self.error = error }
    var description: String { "\(error)" }
}

func loadConfiguration(_ path: String) throws -> Configuration {
    do {
        return try Configuration.load(path: path)
    } catch let error as ConfigurationError {
        throw ConfigurationFailure(error)
    }
}

func keyOf(_ error: Error) -> String { (error as? ServerError)?.key ?? "" }
func reasonOf(_ error: Error) -> String { (error as? ServerError)?.reason ?? "\(error)" }
