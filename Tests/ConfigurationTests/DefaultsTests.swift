import Foundation
import Testing
@testable import Configuration

/// What an operator gets for every key left out: the values
/// docs/configuration.md promises.
@Suite struct DefaultsTests {
    @Test func globalTablesDefault() throws {
        let configuration = try parse(minimalConfiguration)
        #expect(configuration.server.threads == 0)
        #expect(configuration.server.linger == .milliseconds(1))
        #expect(Configuration.isValidHostname(configuration.server.hostname))
        #expect(configuration.tls.minVersion == .tls12)
        #expect(configuration.tls.sessionTickets)
        #expect(configuration.limits.maxConnections == 10_000)
        #expect(configuration.limits.handshakeTimeout == .seconds(10))
        #expect(configuration.limits.idleTimeout == .seconds(1800))
        #expect(configuration.limits.backendConnectTimeout == .seconds(5))
        #expect(configuration.limits.shutdownGrace == .seconds(30))
        #expect(configuration.limits.bufferLimit == 256 * 1024)
        #expect(configuration.log.target == .auto)
        #expect(configuration.log.level == .info)
        #expect(configuration.legacy.action == .reject)
        #expect(configuration.legacy.enforceAfter == nil)
        #expect(configuration.legacy.message == LegacyPolicySettings.defaultMessage)
    }

    @Test func defaultCiphersAreECDHEWithAEADOnly() throws {
        let tls = try parse(minimalConfiguration).tls
        for cipher in tls.ciphers.split(separator: ":") {
            #expect(cipher.hasPrefix("ECDHE-"), "\(cipher)")
            #expect(cipher.contains("GCM") || cipher.contains("CCM"), "\(cipher)")
        }
        #expect(tls.groups.split(separator: ":").first == "X25519")
        #expect(!tls.ciphersuites.contains("CHACHA20"), "TR-02102-2 does not list ChaCha20-Poly1305")
    }

    @Test func listenerDefaults() throws {
        let configuration = try parse(minimalConfiguration)
        let listener = try #require(configuration.listeners.first)
        #expect(listener.tls == .implicit)
        #expect(listener.minVersion == .tls12)
        #expect(listener.hostname == configuration.server.hostname)
        #expect(listener.legacy == configuration.legacy)
        #expect(listener.backends == [.tcp(host: "127.0.0.1", port: 10143)])
        #expect(listener.proxyProtocol == .off)
        #expect(!listener.acceptProxyProtocol)
        #expect(listener.trustedProxies.isEmpty)
    }

    @Test func listenersInheritTheGlobalFloorAndHostnameUnlessTheyOverrideThem() throws {
        let text = minimalConfiguration.replacingOccurrences(of: "[tls]\n", with: "[tls]\nmin_version = \"1.3\"\n")
            + secondListener + "min_version = \"1.2\"\nhostname = \"pop.example.org\"\n"
            + "[server]\nhostname = \"mail.example.org\"\n"
        let configuration = try parse(text)
        #expect(configuration.tls.minVersion == .tls13)
        #expect(configuration.listeners.map(\.minVersion) == [.tls13, .tls12])
        #expect(configuration.listeners.map(\.hostname) == ["mail.example.org", "pop.example.org"])
    }

    @Test func backendListKeepsItsOrderForFailover() throws {
        let text = minimalConfiguration.replacingOccurrences(
            of: "backend = \"127.0.0.1:10143\"",
            with: "backend = [\"127.0.0.1:10143\", \"imap2.internal:143\", \"unix:/run/dovecot/imap\"]")
        let listener = try #require(try parse(text).listeners.first)
        #expect(listener.backends == [
            .tcp(host: "127.0.0.1", port: 10143), .tcp(host: "imap2.internal", port: 143), .unix(path: "/run/dovecot/imap"),
        ])
    }

    @Test func explicitValuesAreTaken() throws {
        let text = minimalConfiguration + """
            tls = "starttls"
            proxy_protocol = "v1"
            accept_proxy_protocol = true
            trusted_proxies = "192.0.2.7"

            [server]
            threads = 4
            linger = "0ms"
            [limits]
            max_connections = 50
            handshake_timeout = "1500ms"
            idle_timeout = "2h"
            backend_connect_timeout = "1s"
            shutdown_grace = "0s"
            buffer_limit = 65536
            [log]
            target = "journal"
            level = "warning"

            """
        let configuration = try parse(text)
        let listener = try #require(configuration.listeners.first)
        #expect(listener.tls == .starttls)
        #expect(listener.proxyProtocol == .v1)
        #expect(listener.acceptProxyProtocol)
        #expect(listener.trustedProxies == [try IPNetwork("192.0.2.7/32")])
        #expect(configuration.server.threads == 4)
        #expect(configuration.server.linger == .zero)
        #expect(configuration.limits.maxConnections == 50)
        #expect(configuration.limits.handshakeTimeout == .milliseconds(1500))
        #expect(configuration.limits.idleTimeout == .seconds(7200))
        #expect(configuration.limits.backendConnectTimeout == .seconds(1))
        #expect(configuration.limits.shutdownGrace == .zero)
        #expect(configuration.limits.bufferLimit == 65536)
        #expect(configuration.log.target == .journal)
        #expect(configuration.log.level == .warning)
    }
}
