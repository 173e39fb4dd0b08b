import Foundation
import Testing
@testable import Configuration

/// The smallest valid configuration: a [tls] table and one listener. Tests
/// append tables or keys to it, or replace parts with `replacing`.
let minimalConfiguration = """
    [tls]
    certificate = "/etc/tlsfloor/fullchain.pem"
    private_key = "/etc/tlsfloor/privkey.pem"

    [[listener]]
    name = "imaps"
    protocol = "imap"
    listen = "[::]:993"
    backend = "127.0.0.1:10143"

    """

/// A second, valid listener that tests add and then spoil.
let secondListener = """
    [[listener]]
    name = "pop3s"
    protocol = "pop3"
    listen = "[::]:995"
    backend = "127.0.0.1:10110"

    """

func parse(_ text: String) throws -> Configuration {
    try Configuration.parse(text, file: "test.toml")
}

/// The error `text` is rejected with; records an issue if it is accepted
/// or fails with anything but a `ConfigurationError`.
func rejection(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> ConfigurationError? {
    do {
        _ = try parse(text)
        Issue.record("configuration was accepted", sourceLocation: sourceLocation)
    } catch let error as ConfigurationError {
        return error
    } catch {
        Issue.record("unexpected error type: \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// The repository root, found from this source file (Tests/ConfigurationTests/…).
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
