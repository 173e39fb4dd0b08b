import Testing
@testable import Configuration

/// `[limits]` per-address keys and the `[abuse]` table.
@Suite struct ClientLimitSettingsTests {
    @Test func perAddressLimitsAndBansAreOffByDefault() throws {
        let configuration = try parse(minimalConfiguration)
        #expect(configuration.limits.perClient == ClientLimitSettings())
        #expect(configuration.limits.perClient.maxConnectionsPerIP == 0)
        #expect(configuration.limits.perClient.maxHandshakesPerIPPerMinute == 0)
        #expect(!configuration.limits.perClient.isEnabled)
        #expect(configuration.abuse.maxFailedLogins == 0)
        #expect(configuration.abuse.window == .seconds(600))
        #expect(configuration.abuse.banTime == .seconds(900))
        #expect(configuration.abuse.exemptNetworks.isEmpty)
        #expect(!configuration.abuse.isEnabled)
    }

    @Test func readsEveryKey() throws {
        let configuration = try parse(minimalConfiguration + """
            [limits]
            max_connections_per_ip = 20
            max_handshakes_per_ip_per_minute = 60

            [abuse]
            max_failed_logins = 5
            window = "2m"
            ban_time = "1h"
            exempt_networks = ["10.0.0.0/8", "2001:db8::/32"]
            """)
        #expect(configuration.limits.perClient.maxConnectionsPerIP == 20)
        #expect(configuration.limits.perClient.maxHandshakesPerIPPerMinute == 60)
        #expect(configuration.abuse.maxFailedLogins == 5)
        #expect(configuration.abuse.window == .seconds(120))
        #expect(configuration.abuse.banTime == .seconds(3600))
        #expect(configuration.abuse.exemptNetworks.map(\.description) == ["10.0.0.0/8", "2001:db8::/32"])
    }

    @Test(arguments: [
        ("[limits]\nmax_connections_per_ip = -1", "limits.max_connections_per_ip", "must be 0 (off) or more"),
        ("[limits]\nmax_handshakes_per_ip_per_minute = \"10\"", "limits.max_handshakes_per_ip_per_minute",
         "expected an integer, found string"),
        ("[abuse]\nmax_failed_logins = -3", "abuse.max_failed_logins", "must be 0 (off) or more"),
        ("[abuse]\nwindow = \"0s\"", "abuse.window", "must be longer than zero"),
        ("[abuse]\nban_time = \"forever\"", "abuse.ban_time",
         "\"forever\" is not a duration (use e.g. \"500ms\", \"10s\", \"30m\", \"1h\")"),
        ("[abuse]\nexempt_networks = [\"10.0.0.1/8\"]", "abuse.exempt_networks",
         "invalid network \"10.0.0.1/8\": host bits are set after the /8 prefix (network would be 10.0.0.0/8)"),
        ("[abuse]\nmax_failed_login = 5", "abuse.max_failed_login", "unknown key"),
    ])
    func namesTheKeyAndTheReason(table: String, key: String, reason: String) {
        let error = rejection(minimalConfiguration + table)
        #expect(error?.key == key)
        #expect(error?.reason == reason)
        #expect(error?.file == "test.toml")
    }
}
