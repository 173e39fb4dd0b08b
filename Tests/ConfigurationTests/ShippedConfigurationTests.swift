import Foundation
import Testing
@testable import Configuration

/// config/tlsfloor.toml is what operators copy to /etc/tlsfloor: it must load,
/// agree with the systemd socket units, and show correct optional keys.
@Suite struct ShippedConfigurationTests {
    static let path = repositoryRoot.appendingPathComponent("config/tlsfloor.toml").path

    static func shippedText() throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    /// The file with every "# key = value" example switched on.
    static func uncommented(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard line.hasPrefix("# ") else { return String(line) }
            let assignment = line.dropFirst(2)
            let key = assignment.prefix { $0.isLowercase || $0 == "_" }
            let isExample = !key.isEmpty && assignment.dropFirst(key.count).hasPrefix(" = ")
            return isExample ? String(assignment) : String(line)
        }.joined(separator: "\n")
    }

    @Test func loadsWithTheSixStandardListeners() throws {
        let configuration = try Configuration.load(path: Self.path)
        let summary = configuration.listeners.map { "\($0.name) \($0.protocol.rawValue) \($0.tls.rawValue) \($0.listen)" }
        #expect(summary == [
            "imaps imap implicit [::]:993",
            "pop3s pop3 implicit [::]:995",
            "smtps smtp implicit [::]:465",
            "submission smtp starttls [::]:587",
            "imap imap starttls [::]:143",
            "pop3 pop3 starttls [::]:110",
        ])
        #expect(configuration.path == Self.path)
        #expect(configuration.server.hostname == "mail.example.org")
    }

    @Test func everyListenerHasASocketUnitOfTheSameNameAndPort() throws {
        let configuration = try Configuration.load(path: Self.path)
        for listener in configuration.listeners {
            let unitPath = repositoryRoot.appendingPathComponent("systemd/tlsfloord-\(listener.name).socket").path
            let unit = try String(contentsOfFile: unitPath, encoding: .utf8)
            let lines = unit.split(separator: "\n").map(String.init)
            #expect(lines.contains("FileDescriptorName=\(listener.name)"), "\(unitPath)")
            guard case let .tcp(_, port) = listener.listen else {
                Issue.record("\(listener.name) does not listen on TCP")
                continue
            }
            #expect(lines.contains("ListenStream=\(port)"), "\(unitPath)")
        }
    }

    @Test func noBackendIsAnAddressTlsfloordListensOn() throws {
        let configuration = try Configuration.load(path: Self.path)
        let listenPorts = Set(configuration.listeners.compactMap { listener -> UInt16? in
            if case let .tcp(_, port) = listener.listen { return port }
            return nil
        })
        for listener in configuration.listeners {
            for case let .tcp(_, port) in listener.backends {
                #expect(!listenPorts.contains(port), "\(listener.name) would proxy to tlsfloord itself")
            }
        }
    }

    @Test func commentedExamplesAreValidAndShowTheDefaults() throws {
        let text = Self.uncommented(try Self.shippedText())
        #expect(text != (try Self.shippedText()), "the example shows no optional key")
        let configuration = try parse(text)
        #expect(configuration.server.threads == 0)
        #expect(configuration.tls.minVersion == .tls12)
        #expect(configuration.tls.ciphers == TLSSettings.defaultCiphers)
        #expect(configuration.tls.ciphersuites == TLSSettings.defaultCiphersuites)
        #expect(configuration.tls.groups == TLSSettings.defaultGroups)
        #expect(configuration.tls.sessionTickets)
        #expect(configuration.limits == Limits())
        #expect(configuration.abuse.maxFailedLogins == AbuseSettings().maxFailedLogins)
        #expect(configuration.abuse.window == AbuseSettings().window)
        #expect(configuration.abuse.banTime == AbuseSettings().banTime)
        #expect(configuration.abuse.exemptNetworks.map(\.description) == ["192.0.2.10/32", "2001:db8:17::/48"])
        #expect(configuration.log == LogSettings())
        #expect(configuration.legacy.action == .reject)
        #expect(configuration.legacy.message == LegacyPolicySettings.defaultMessage)
        #expect(configuration.legacy.enforceAfter == Date(timeIntervalSince1970: 1_696_032_000))
        #expect(configuration.legacy.exemptNetworks.map(\.description) == ["192.0.2.0/24", "2001:db8:17::/48"])
        let smtps = try #require(configuration.listeners.first { $0.name == "smtps" })
        #expect(smtps.legacy.enforceAfter == nil, "a listener's ramp replaces the inherited enforce_after")
        #expect(smtps.legacy.ramp?.end == Date(timeIntervalSince1970: 1_696_024_800))
    }

    @Test func commentedListenerExampleShowsEveryListenerKey() throws {
        let imaps = try #require(try parse(Self.uncommented(try Self.shippedText())).listeners.first)
        #expect(imaps.hostname == "imap.example.org")
        #expect(imaps.minVersion == .tls13)
        #expect(imaps.proxyProtocol == .v2)
        #expect(imaps.acceptProxyProtocol)
        #expect(imaps.trustedProxies.map(\.description) == ["10.0.0.0/8", "2001:db8:100::/48"])
        #expect(imaps.legacy.action == .explain)
        #expect(imaps.legacy.message != LegacyPolicySettings.defaultMessage)
        // The override keeps what it does not set from [legacy].
        #expect(imaps.legacy.enforceAfter == Date(timeIntervalSince1970: 1_696_032_000))
        #expect(imaps.defaultCertificate == "imap.example.org")
    }

    @Test func commentedCertificateEntriesAreAnECDSAAndRSAPairForTheSameNames() throws {
        let text = try Self.shippedText().replacingOccurrences(of: "# [[tls.certificates]]", with: "[[tls.certificates]]")
            .replacingOccurrences(of: "\n#   ", with: "\n")
        let entries = try parse(text).tls.certificates
        #expect(entries.map(\.keyPath) == ["tls.certificates[1]", "tls.certificates[2]"])
        #expect(entries.map(\.names) == [["example.net", "*.example.net"], ["example.net", "*.example.net"]])
        #expect(entries[0].ocspResponse != nil)
    }

    @Test func everyKeyOfTheExampleIsDocumented() throws {
        let reference = try String(contentsOfFile: repositoryRoot.appendingPathComponent("docs/configuration.md").path,
                                   encoding: .utf8)
        let keys = Set(Self.uncommented(try Self.shippedText()).split(separator: "\n").compactMap { line -> Substring? in
            let key = line.prefix { $0.isLowercase || $0 == "_" }
            return !key.isEmpty && line.dropFirst(key.count).hasPrefix(" = ") ? key : nil
        })
        #expect(keys.count >= 25, "the extractor found too few keys: \(keys.sorted())")
        for key in keys {
            #expect(reference.contains("### `\(key)`"), "docs/configuration.md has no entry for \(key)")
        }
    }
}
