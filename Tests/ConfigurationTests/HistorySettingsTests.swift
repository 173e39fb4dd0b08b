import Foundation
import Testing
@testable import Configuration

/// `[history]`: off unless configured; every mistake named `history.KEY`.
@Suite struct HistorySettingsTests {
    @Test func noHistoryTableKeepsNoHistory() throws {
        #expect(try parse(minimalConfiguration).history == nil)
    }

    @Test func defaults() throws {
        let history = try #require(try parse(minimalConfiguration + "[history]\nstore = \"sqlite:/var/lib/tlsfloor/history.db\"\n").history)
        #expect(history.store == .sqlite(path: "/var/lib/tlsfloor/history.db"))
        #expect(history.keep == .seconds(90 * 86_400))
        #expect(!history.anonymizeAddresses)
        #expect(history.instance == Configuration.localHostName())
        #expect(history.queueSize == 10_000)
        #expect(history.password == nil)
    }

    @Test func everyKey() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("history-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let passwordFile = directory.appendingPathComponent("pw").path
        try "s3cret\nignored\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let history = try #require(try parse(minimalConfiguration + """
            [history]
            store = "postgresql://tlsfloor@db.example.org/history?sslmode=verify-full"
            password_file = "\(passwordFile)"
            keep = "26w"
            anonymize_addresses = true
            instance = "edge-2.example.org"
            queue_size = 500

            """).history)
        #expect(history.store == .postgresql(uri: "postgresql://tlsfloor@db.example.org/history?sslmode=verify-full"))
        #expect(history.password == "s3cret")
        #expect(history.keep == .seconds(26 * 7 * 86_400))
        #expect(history.anonymizeAddresses)
        #expect(history.instance == "edge-2.example.org")
        #expect(history.queueSize == 500)
    }

    @Test(arguments: [
        ("", "history.store", "required key is missing"),
        ("store = \"/var/lib/h.db\"", "history.store", "is not a store"),
        ("store = \"sqlite:h.db\"", "history.store", "needs an absolute file path"),
        ("store = \"postgresql://u:pw@db/h\"", "history.store", "put it in password_file"),
        ("store = \"postgresql://db/h?password=pw\"", "history.store", "put it in password_file"),
        ("store = \"sqlite:/h.db\"\npassword_file = \"/etc/pw\"", "history.password_file", "only a postgresql"),
        ("store = \"postgresql://db/h\"\npassword_file = \"/nonexistent/pw\"", "history.password_file", "cannot read"),
        ("store = \"sqlite:/h.db\"\nkeep = \"90\"", "history.keep", "is not a retention time"),
        ("store = \"sqlite:/h.db\"\nkeep = \"0d\"", "history.keep", "is not a retention time"),
        ("store = \"sqlite:/h.db\"\nkeep = \"30m\"", "history.keep", "is not a retention time"),
        ("store = \"sqlite:/h.db\"\ninstance = \"edge 1\"", "history.instance", "must be 1 to 253"),
        ("store = \"sqlite:/h.db\"\nqueue_size = 0", "history.queue_size", "between 1 and 1000000"),
        ("store = \"sqlite:/h.db\"\nanonymize_addresses = \"yes\"", "history.anonymize_addresses", "expected true or false"),
        ("store = \"sqlite:/h.db\"\nretention = \"90d\"", "history.retention", "unknown key"),
    ])
    func mistakesNameTheKey(table: String, key: String, reason: String) throws {
        let error = try #require(rejection(minimalConfiguration + "[history]\n\(table)\n"))
        #expect(error.key == key)
        #expect(error.reason.contains(reason), "\(error.reason)")
    }
}

extension HistorySettingsTests {
    /// The commented `[history]` block of config/tlsfloor.toml, switched on, loads with the defaults.
    @Test func shippedExampleLoads() throws {
        let shipped = try ShippedConfigurationTests.shippedText()
        let start = try #require(shipped.range(of: "# [history]\n"))
        let block = shipped[start.lowerBound...].replacingOccurrences(of: "# [history]\n", with: "[history]\n")
            .replacingOccurrences(of: "\n#  ", with: "\n")
        let history = try #require(try parse(shipped[..<start.lowerBound] + block).history)
        #expect(history.store == .sqlite(path: "/var/lib/tlsfloor/history.db"))
        #expect(history.keep == .seconds(90 * 86_400) && !history.anonymizeAddresses && history.queueSize == 10_000)
        #expect(try parse(shipped).history == nil, "off in the shipped file")
    }
}
